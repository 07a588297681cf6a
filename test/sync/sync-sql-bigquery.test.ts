/**
 * The sync's SQL (state tables, diff, counts, per-batch commits, forgetting leavers) on the BigQuery
 * emulator, compared with DuckDB on the same data. Skips when the emulator is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { compileDiffCounts, readDiffCounts, type DiffCounts } from '../../src/sync/diff-counts.js';
import { readDiffRecord, type DiffRecord } from '../../src/sync/diff-record.js';
import { compileDiffSelect } from '../../src/sync/diff-sql.js';
import { forgetLeaversSql, setMembershipSql, writeStateRowsSql } from '../../src/sync/state-sql.js';
import { syncShape, type SyncShape } from '../../src/sync/sync-shape.js';
import { SyncStateStore } from '../../src/sync/sync-state-store.js';
import { BigQueryWarehouse } from '../../src/engines/bigquery/warehouse.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import type { Row, Warehouse } from '../../src/warehouse/warehouse.js';
import { emulatorGate, startBigQueryEmulator, type BigQueryEmulator } from '../conformance/emulators.js';
import { removeProject } from '../helpers/project.js';
import { makeProject } from './sync-fixture.js';
import { compileKeyReport } from '../../src/sync/diff-sql.js';
import { EMAIL_KEY_PATTERN } from '../../src/destinations/hubspot/hubspot-destination.js';

const gate = await emulatorGate('bigquery');

/** Runs the sync's SQL on one warehouse: diff against a state with three records, commit, diff again. */
async function exercise(w: Warehouse, project: LoadedProject, shape: SyncShape): Promise<{ first: DiffRecord[]; counts: DiffCounts; second: DiffRecord[]; keys: Row }> {
  const d = w.dialect;
  const t = (name: string) => d.table({ schema: project.config.schema, name });
  await w.execute(d.createSchema(project.config.schema));
  await w.execute(d.dropTable({ schema: project.config.schema, name: shape.tables.state.name }));
  await w.execute(`create or replace table ${t('profiles')} as
    select 'p1' as profile_id, 'a@x.com' as email, 'A' as first_name, cast(10 as ${d.typeName('float')}) as lifetime_value, true as marketing_consent
    union all select 'p2', 'B@x.com', 'B', 20, true
    union all select 'p3', ' b@x.com', 'Shadow', 99, true
    union all select 'p4', 'c@x.com', 'C', 30, false
    union all select 'p7', 'e@x.com', 'E', null, true
    union all select 'p8', 'n/a', 'Junk', 1, true`);
  await w.execute(`create or replace table ${t('segment_members')} as select 'high_value' as segment, 'p2' as profile_id, ${d.timestampLiteral(new Date('2026-01-01T00:00:00Z'))} as entered_at`);
  const columns = await SyncStateStore.ensureTables(w, shape);
  const texts = async (v: number) => String((await w.query(`select ${d.cast(d.cast(String(v), 'float'), 'string')} as t`))[0].t);
  await w.transaction(
    writeStateRowsSql(
      shape,
      d,
      [
        { key: 'a@x.com', destinationId: '1', profileId: 'p1', texts: ['A', await texts(10)], members: [false] },
        { key: 'b@x.com', destinationId: '2', profileId: 'p2', texts: ['B', await texts(19)], members: [false] },
        { key: 'c@x.com', destinationId: '3', profileId: 'p4', texts: ['C', await texts(30)], members: [true] },
      ],
      new Date(),
    ),
  );
  const select = compileDiffSelect(shape, d, { stateColumns: columns, fullResync: false });
  await w.execute(d.createScratchTableAs(shape.tables.diff, `select row_number() over (order by op, match_key) as seq, x.*\nfrom (\n${select}\n) x`));
  const diff = d.scratchTable(shape.tables.diff);
  const first = (await w.query(`select * from ${diff} where seq > 0 order by seq limit 100`)).map((r) => readDiffRecord(shape, r));
  const counts = readDiffCounts(shape, (await w.query(compileDiffCounts(shape, diff)))[0]);
  // confirm everything: b's new value and membership, e enters, c leaves (mirror: cleared, then forgotten)
  const of = (key: string) => first.find((r) => r.key === key)?.texts ?? [];
  await w.transaction([
    ...writeStateRowsSql(shape, d, [
      { key: 'b@x.com', destinationId: '2', profileId: 'p2', texts: of('b@x.com'), members: [false] },
      { key: 'e@x.com', destinationId: '5', profileId: 'p7', texts: of('e@x.com'), members: [false] },
      { key: 'c@x.com', destinationId: '3', profileId: 'p4', texts: [null, null], members: [true] },
    ], new Date()),
    ...setMembershipSql(shape, d, 0, true, ['b@x.com']),
    ...setMembershipSql(shape, d, 0, false, ['c@x.com']),
  ]);
  await w.execute(forgetLeaversSql(shape, d, 'mirror', diff));
  await w.execute(d.dropScratchTable(shape.tables.diff));
  const second = (await w.query(`select * from (${compileDiffSelect(shape, d, { stateColumns: columns, fullResync: false })}) x`)).map((r) => readDiffRecord(shape, r));
  // shared keys (b@x.com twice) and keys a pattern refuses ('n/a'), with the destination's email pattern
  const keys = (await w.query(compileKeyReport(shape, d)))[0];
  return { first, counts, second, keys };
}

describe.skipIf(!gate.bigquery.ok)('sync SQL on the BigQuery emulator', () => {
  let emu: BigQueryEmulator;
  let dir: string;
  beforeAll(async () => {
    emu = await startBigQueryEmulator();
    dir = await makeProject({ match: '{ trait: email, field: email, on_collision: keep_one }', where: 'marketing_consent', mode: 'mirror', fields: { firstname: 'first_name', cdp_ltv: 'lifetime_value' }, segments: 'segments:\n  high_value: { list: "CDP: High value" }' });
  }, 90_000);
  afterAll(async () => {
    await emu?.stop();
    if (dir) await removeProject(dir);
  });

  it('gives the same diff, counts and commits as DuckDB', async () => {
    const { project } = await loadProject(dir, {});
    if (!project) throw new Error('project did not load');
    const types = new Map([['email', 'string' as const], ['first_name', 'string' as const], ['lifetime_value', 'float' as const]]);
    // with HubSpot's email pattern, so that 'n/a' is refused by the same SQL on both engines
    const shape = syncShape(project, project.syncs[0], types, { caseInsensitive: true, pattern: EMAIL_KEY_PATTERN });
    const duck = await DuckDBWarehouse.open({ path: ':memory:' });
    const big = await BigQueryWarehouse.open({ type: 'bigquery', projectId: emu.projectId, apiEndpoint: emu.apiEndpoint });
    try {
      const expected = await exercise(duck, project, shape);
      const actual = await exercise(big, project, shape);
      const view = (r: DiffRecord) => [r.key, r.op, r.profileId, r.destinationId, r.changed, r.add, r.remove, r.member];
      expect(expected.first.map(view)).toEqual([
        ['b@x.com', 'change', 'p2', '2', [false, true], [true], [false], [false]],
        ['e@x.com', 'enter', 'p7', null, [true, false], [false], [false], [false]],
        ['c@x.com', 'leave', 'p4', '3', [false, false], [false], [false], [true]],
      ]);
      expect(actual.first.map(view)).toEqual(expected.first.map(view));
      expect(actual.counts).toEqual(expected.counts);
      expect(expected.keys).toEqual({ collided_keys: 1, collided_profiles: 2, refused_keys: 1, duplicated_keys: 1 });
      expect(Object.fromEntries(Object.entries(actual.keys).map(([k, v]) => [k, Number(v)]))).toEqual(expected.keys);
      expect(expected.second).toEqual([]);
      expect(actual.second).toEqual([]);
    } finally {
      await duck.close();
      await big.close();
    }
  });
});
