/**
 * The identity stage on every engine: DuckDB, and the BigQuery and Snowflake emulators when they are
 * installed (skipped otherwise; see test/conformance/emulators.ts). The same rows go through a full
 * build, an incremental merge and a split; every engine must publish the same identifiers, profile ids,
 * aliases and events as DuckDB. The emulators run on DuckDB underneath, so this catches SQL the
 * engines' parsers reject, not every semantic difference (test/conformance/EMULATOR_GAPS.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { inspectIdentity } from '../../src/identity/inspect-identity.js';
import { rowProfileSelect } from '../../src/identity/row-profile-select.js';
import { buildIdentity } from '../../src/identity/build-identity.js';
import { compileModels } from '../../src/model/compile-models.js';
import { executePlan } from '../../src/model/execute-plan.js';
import type { Row, Value, Warehouse } from '../../src/warehouse/warehouse.js';
import { loadTable, type ColumnSpec } from '../conformance/load-table.js';
import { warehouseTargets, type RunningTarget } from '../conformance/warehouse-targets.js';
import { removeProject, writeProject, yaml } from '../helpers/project.js';

const PROJECT = {
  'cdp.config.yaml': 'project: identity_engines\n',
  'models/project.yaml': yaml`
    sources:
      - name: web
        table: raw.web
        timestamp: ts
        primary_key: id
        identifiers:
          - { column: anon, type: anonymous_id }
          - { column: user_id, type: user_id }
          - { column: email, type: email }
      - name: crm
        table: raw.crm
        primary_key: id
        identifiers:
          - { column: email, type: email }
          - { column: phone, type: phone }
    identity:
      id_types:
        user_id: { priority: 1, max_per_profile: 1 }
        email: { priority: 2 }
        phone: { priority: 3 }
        anonymous_id: { priority: 9, link_window: 30d }
      max_links_per_value: 3
  `,
};
const AS_OF = new Date('2026-01-31T00:00:00Z');
const WEB: ColumnSpec = [['id', 'string'], ['ts', 'timestamp'], ['anon', 'string'], ['user_id', 'string'], ['email', 'string']];
const ts = (day: number) => `2026-01-${String(day).padStart(2, '0')}T10:00:00Z`;
const BASE: readonly (readonly Value[])[] = [
  ['w1', ts(20), 'a1', 'u1', null],
  ['w2', ts(21), 'a1', null, ' Ann@X.com'],
  ['w3', '2025-10-01T10:00:00Z', 'a-old', 'u1', null],
  ['w4', ts(22), 'd1', 'u1', null],
  ['w5', ts(22), 'd1', 'u1', null],
  ['w6', ts(23), 'd1', 'u2', null],
  ['w7', ts(24), 'k1', 'u3', 'null'],
  ...['u4', 'u5', 'u6', 'u7'].map((u, k) => [`h${k}`, ts(25), `h${k}`, u, 'shared@x.com']),
  ['w8', ts(26), 'b1', null, 'bob@x.com'],
  ['w9', ts(26), 'b2', null, 'bob@x.com'],
];
const BRIDGE: readonly Value[] = ['w10', ts(27), 'b2', 'u3', null];

interface Published {
  readonly identifiers: readonly Row[];
  readonly aliases: readonly Row[];
  readonly events: readonly Row[];
  readonly rows: readonly Row[];
}
const results = new Map<string, Published[]>();
const targets = await warehouseTargets();

for (const target of targets) {
  describe.skipIf(!target.available)(`identity on ${target.name}`, () => {
    let running: RunningTarget;
    let w: Warehouse;
    let dir: string;
    let project: LoadedProject;
    let run = 0;
    const snapshots: Published[] = [];

    beforeAll(async () => {
      dir = await writeProject(PROJECT);
      project = (await loadProject(dir, {})).project as LoadedProject;
      running = await target.start();
      w = await running.open();
      await loadTable(w, { schema: 'raw', name: 'crm' }, [['id', 'string'], ['email', 'string'], ['phone', 'string']], [['c1', 'ann@x.com', '(212) 555-0101']]);
      await loadTable(w, { schema: 'raw', name: 'web' }, WEB, []);
      await executePlan(w, compileModels(project, w.dialect));
    }, 180_000);
    afterAll(async () => {
      await w?.close();
      await running?.stop();
      if (dir) await removeProject(dir);
    });

    const build = async (rows: readonly (readonly Value[])[], fullRefresh = false) => {
      await loadTable(w, { schema: 'raw', name: 'web' }, WEB, rows);
      run += 1;
      const report = await buildIdentity({ project, warehouse: w, runId: `r${run}`, asOf: AS_OF, fullRefresh, log: () => undefined });
      const cdp = (name: string) => w.dialect.table({ schema: 'cdp', name });
      snapshots.push({
        identifiers: await w.query(`select id_type, id_value, profile_id from ${cdp('identifiers')} order by id_type, id_value`),
        aliases: await w.query(`select old_profile_id, profile_id, run_id from ${cdp('profile_aliases')} order by old_profile_id`),
        events: await w.query(`select run_id, kind, from_profile_id, to_profile_id from ${cdp('profile_events')} order by run_id, kind, to_profile_id, from_profile_id`),
        rows: await w.query(`select id, _cdp_profile_id from (${rowProfileSelect(project, w.dialect, { name: 'web' })}) x order by id`),
      });
      return report;
    };

    it('builds, merges and splits with the guards on', async () => {
      const first = await build(BASE);
      expect(first).toMatchObject({ mode: 'full', hubs: 1, changes: { merge: 0, split: 0, retire: 0 } });
      expect(first.droppedByLimit).toBeGreaterThanOrEqual(1);
      const merged = await build([...BASE, BRIDGE]);
      expect(merged).toMatchObject({ mode: 'incremental', changes: { merge: 1, split: 0 } });
      const split = await build(BASE);
      expect(split).toMatchObject({ mode: 'incremental', changes: { merge: 0, split: 1 } });
      const again = await build(BASE, true);
      expect(again.changes).toEqual({ new: 0, merge: 0, split: 0, retire: 0 });
      const seen = await inspectIdentity(w, project, 'phone', '212-555-0101');
      expect(seen.found && seen.identifiers.map((i) => i.idValue).sort()).toEqual(['+12125550101', 'a1', 'ann@x.com', 'd1', 'u1']);
      results.set(target.name, snapshots);
    }, 600_000);
  });
}

const available = targets.filter((t) => t.available);

describe.skipIf(available.length < 2)('identity: every engine agrees with DuckDB', () => {
  it('publishes the same identifiers, ids, aliases and events', () => {
    const reference = results.get('duckdb');
    expect(reference, 'duckdb produced no result').toBeDefined();
    // Every available engine must have finished its builds: a missing result fails, it is not skipped.
    expect(available.filter((t) => !results.has(t.name)).map((t) => `${t.name} produced no result`)).toEqual([]);
    for (const target of available) expect(results.get(target.name), target.name).toEqual(reference);
  });
});
