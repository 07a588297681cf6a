/**
 * The account parts of the sync SQL on the BigQuery and Snowflake emulators, compared with DuckDB on the same data: an
 * account sync's diff (accounts, account segments) and a person sync's diff with `account.<trait>` and the
 * account association (docs/accounts-sync.md). Skips an emulator that is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { readDiffRecord, type DiffRecord } from '../../src/sync/diff-record.js';
import { compileDiffSelect } from '../../src/sync/diff-sql.js';
import { writeStateRowsSql } from '../../src/sync/state-sql.js';
import { syncShape, type SyncShape } from '../../src/sync/sync-shape.js';
import { SyncStateStore } from '../../src/sync/sync-state-store.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { warehouseTargets, type RunningTarget } from '../conformance/warehouse-targets.js';
import { removeProject, writeProject } from '../helpers/project.js';
import { hubspotProjectFiles } from '../destinations/destination-fixture.js';
import { ACCOUNTS_MODEL, HUBSPOT_COMPANIES } from './account-fixture.js';

const emulators = (await warehouseTargets()).filter((t) => t.name !== 'duckdb');

/** Account tables, the companies sync's confirmed state (a1 -> 101, a2 -> 102), and p2's stale association. */
async function exercise(w: Warehouse, project: LoadedProject, companies: SyncShape, contacts: SyncShape): Promise<{ accounts: DiffRecord[]; persons: DiffRecord[] }> {
  const d = w.dialect;
  const t = (name: string) => d.table({ schema: project.config.schema, name });
  const at = d.timestampLiteral(new Date('2026-01-01T00:00:00Z'));
  await w.execute(d.createSchema(project.config.schema));
  for (const shape of [companies, contacts]) await w.execute(d.dropTable(shape.tables.state));
  await w.execute(`create or replace table ${t('profiles')} as
    select 'p1' as profile_id, 'a@x.com' as email, 'A' as first_name
    union all select 'p2', 'b@x.com', 'B'
    union all select 'p3', 'c@x.com', 'C'`);
  await w.execute(`create or replace table ${t('accounts')} as
    select 'a1' as account_id, 'Acme' as name, 'acme.com' as domain, cast(10 as ${d.typeName('float')}) as mrr, 1 as members
    union all select 'a2', 'Globex', 'globex.com', 20, 2`);
  await w.execute(`create or replace table ${t('account_members')} as select 'p1' as profile_id, 'a1' as account_id, 'test' as reason union all select 'p2', 'a2', 'test'`);
  await w.execute(`create or replace table ${t('account_segment_members')} as select 'a1' as account_id, 'hot_accounts' as segment, ${at} as entered_at`);
  const companyColumns = await SyncStateStore.ensureTables(w, companies);
  const accountsDiff = (await w.query(`select * from (${compileDiffSelect(companies, d, { stateColumns: companyColumns, fullResync: false })}) x order by match_key`)).map((r) => readDiffRecord(companies, r));
  await w.transaction(
    writeStateRowsSql(companies, d, [
      { key: 'a1', destinationId: '101', profileId: 'a1', texts: companies.fields.map(() => null), members: [true] },
      { key: 'a2', destinationId: '102', profileId: 'a2', texts: companies.fields.map(() => null), members: [false] },
    ], new Date()),
  );
  const contactColumns = await SyncStateStore.ensureTables(w, contacts);
  const texts = (values: Readonly<Record<string, string | null>>) => contacts.fields.map((f) => values[f.name] ?? null);
  await w.transaction(
    writeStateRowsSql(contacts, d, [
      { key: 'a@x.com', destinationId: '1', profileId: 'p1', texts: texts({ firstname: 'A', '@account': '101' }), members: [] },
      { key: 'b@x.com', destinationId: '2', profileId: 'p2', texts: texts({ firstname: 'B', '@account': '101' }), members: [] },
    ], new Date()),
  );
  const persons = (await w.query(`select * from (${compileDiffSelect(contacts, d, { stateColumns: contactColumns, fullResync: false })}) x order by match_key`)).map((r) => readDiffRecord(contacts, r));
  return { accounts: accountsDiff, persons };
}

describe.each(emulators)('account sync SQL on the $name emulator', (target) => {
  let running: RunningTarget | undefined;
  let dir: string;
  beforeAll(async () => {
    if (target.available) running = await target.start();
    dir = await writeProject({
      ...hubspotProjectFiles({ match: '{ trait: email, field: email }', fields: { firstname: 'first_name', cdp_account_mrr: 'account.mrr' }, segments: 'segments: {}\naccount: { sync: companies }' }),
      'connectors/companies.yaml': HUBSPOT_COMPANIES,
      'models/accounts.yaml': ACCOUNTS_MODEL,
    });
  }, 90_000);
  afterAll(async () => {
    await running?.stop();
    if (dir) await removeProject(dir);
  });

  it.skipIf(!target.available)('gives the same account diff and the same association changes as DuckDB', async () => {
    const { project } = await loadProject(dir, {});
    if (!project || !running) throw new Error('project or engine missing');
    const byName = (name: string) => project.syncs.find((s) => s.sync === name) ?? project.syncs[0];
    const companies = syncShape(project, byName('companies'), new Map([['account_id', 'string'], ['name', 'string'], ['domain', 'string'], ['mrr', 'float'], ['members', 'integer']]), false);
    const contacts = syncShape(project, byName('contacts'), new Map([['email', 'string'], ['first_name', 'string'], ['account.mrr', 'float']]), true);
    const duck = await DuckDBWarehouse.open({ path: ':memory:' });
    const engine = await running.open();
    try {
      const expected = await exercise(duck, project, companies, contacts);
      const actual = await exercise(engine, project, companies, contacts);
      const view = (r: DiffRecord) => [r.key, r.op, r.profileId, r.texts, r.stored, r.changed, r.add];
      expect(expected.accounts.map((r) => [r.key, r.op, r.profileId, r.add])).toEqual([
        ['a1', 'enter', 'a1', [true]],
        ['a2', 'enter', 'a2', [false]],
      ]);
      expect(actual.accounts.map(view)).toEqual(expected.accounts.map(view));
      const account = contacts.fields.findIndex((f) => f.association);
      // p1 stays with 101 (only its account trait is new), p2 moves 101 -> 102, p3 has no account.
      expect(expected.persons.map((r) => [r.key, r.op, r.texts[account], r.stored[account], r.changed[account]])).toEqual([
        ['a@x.com', 'change', '101', '101', false],
        ['b@x.com', 'change', '102', '101', true],
        ['c@x.com', 'enter', null, null, false],
      ]);
      expect(actual.persons.map(view)).toEqual(expected.persons.map(view));
    } finally {
      await duck.close();
      await engine.close();
    }
  });
});
