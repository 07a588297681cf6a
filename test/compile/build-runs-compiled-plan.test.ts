/**
 * `cdp build` runs what `cdp compile` writes (docs/architecture.md#parse-manifest-plan-execute): a recording
 * Warehouse wrapper keeps every statement a build sends (execute and transaction) on a small project,
 * on DuckDB and (when installed) the BigQuery and Snowflake emulators, and each one must be a statement
 * of the compiled plan for the same run id and as-of time: a full-refresh build, then an incremental one.
 * Loop steps are compared through their round templates (see `roundTemplate`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { isCommentOnly, printPlan } from '../../src/model/print-plan.js';
import { buildProject } from '../../src/run/build-project.js';
import { sourceColumnTypes } from '../../src/profile/build-profiles.js';
import { compilePlan } from '../../src/run/compile-plan.js';
import type { Value, Warehouse } from '../../src/warehouse/warehouse.js';
import { loadTable, type ColumnSpec } from '../conformance/load-table.js';
import { warehouseTargets, type RunningTarget } from '../conformance/warehouse-targets.js';
import { removeProject, writeProject, yaml } from '../helpers/project.js';

const MODELS = yaml`
  sources:
    - name: web
      table: raw.web
      timestamp: ts
      changes: append
      primary_key: id
      identifiers:
        - { column: anon, type: anonymous_id }
        - { column: user_id, type: user_id }
        - { column: email, type: email }
    - name: crm
      table: raw.crm
      changes: snapshot
      primary_key: id
      identifiers:
        - { column: email, type: email }
    - name: companies
      entity: account
      table: raw.companies
      identifiers:
        - { column: company_id, type: company_id }
        - { column: website, type: domain }
  models:
    - name: web_clean
      materialized: table
      sql: "select * from {{ ref('web') }} where id is not null"
  identity:
    id_types:
      user_id: { priority: 1, max_per_profile: 1 }
      email: { priority: 2 }
      anonymous_id: { priority: 9 }
  traits:
    - { name: visits, from: web, aggregate: count }
    - { name: email, from: crm, aggregate: max, column: email }
  segments:
    - { name: visitors, where: "visits > 0" }
    - { name: known, where: "email is not null" }
  accounts:
    id_types:
      company_id: { priority: 1 }
      domain: { priority: 2, normalize: domain }
    membership:
      - { email_domain: true }
    traits:
      - { name: seats, from: companies, aggregate: sum, column: seats }
      - { name: members, rollup: count }
      - { name: known_members, rollup: count, segment: known }
      - { name: visits, rollup: sum, trait: visits }
      - { name: score, sql: "coalesce(visits, 0) + members" }
    segments:
      - { name: busy, where: "visits > 2" }
`;
const AS_OF = new Date('2026-01-31T00:00:00Z');

/**
 * Records of the run itself, not of the plan: the build generation's state and the identity gate's
 * verdict, written with wall-clock times and the verdict's numbers (docs/identity-gate.md).
 */
const RUN_RECORDS = /\b_cdp_build\b|\bidentity_gates\b/i;

/** Statements sent through a Warehouse: writes (execute, transaction) kept in order. */
function recording(w: Warehouse): { warehouse: Warehouse; sent: string[] } {
  const sent: string[] = [];
  const warehouse = Object.create(w) as Warehouse;
  warehouse.execute = async (sql, options) => {
    sent.push(sql);
    return w.execute(sql, options);
  };
  warehouse.transaction = async (statements, options) => {
    sent.push(...statements);
    return w.transaction(statements, options);
  };
  return { warehouse, sent };
}

/**
 * Round numbers past the ones compile shows are the same statement with another map table. Some times come
 * from what the build read (where the last incremental build stopped; compile shows them for a build an hour
 * earlier), so time literals are compared as <time>.
 */
function roundTemplate(sql: string): string {
  return sql
    .replace(/(cc_map_)([0-9]+)/gi, (_, map: string, n: string) => `${map}${Math.min(Number(n), 3)}`)
    .replace(/'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?/g, "'<time>");
}

const WEB: ColumnSpec = [['id', 'string'], ['ts', 'timestamp'], ['anon', 'string'], ['user_id', 'string'], ['email', 'string']];
const at = (text: string) => `${text}Z`;
const WEB_ROWS: (readonly Value[])[] = [
  ['w1', at('2026-01-20T10:00:00'), 'a1', 'u1', null], ['w2', at('2026-01-21T10:00:00'), 'a1', null, 'ann@x.com'],
  ['w3', at('2026-01-22T10:00:00'), 'a2', 'u2', null], ['w4', at('2026-01-23T10:00:00'), 'a3', null, 'bob@x.com'],
  ['w5', at('2026-01-24T10:00:00'), 'a3', 'u2', null], ['w6', at('2026-01-24T11:00:00'), 'a4', 'u3', 'ann@x.com'],
  // u8 and u9 meet through e8 - k1 - e9: the per-type limit vetoes a link.
  ['l1', at('2026-01-24T12:00:00'), null, 'u8', 'e8@x.com'], ['l2', at('2026-01-24T12:00:00'), 'k1', null, 'e8@x.com'],
  ['l3', at('2026-01-24T12:00:00'), 'k1', null, 'e9@x.com'], ['l4', at('2026-01-24T12:00:00'), null, 'u9', 'e9@x.com'],
  // A chain e0 - c0 - e1 - c1 - ... so the components loop needs several rounds.
  ...Array.from({ length: 24 }, (_, k) => [`x${k}`, at('2026-01-25T10:00:00'), `c${Math.floor(k / 2) + (k % 2)}`, null, `e${Math.floor(k / 2)}@x.com`]),
];

/** The statements a build sent that the compiled plan (same run id, as-of time, column types) does not hold. */
async function notCompiled(project: LoadedProject, w: Warehouse, runId: string, sent: readonly string[]): Promise<string[]> {
  const columnTypes = await sourceColumnTypes({ project, warehouse: w });
  const plan = compilePlan(project, w.dialect, AS_OF, { runId, columnTypes });
  // Statements, and the templates notes show for statements whose rows are decided at run time.
  const statements = printPlan(plan, w.dialect).flatMap((s) => s.statements);
  const templates = statements.filter(isCommentOnly).map((s) => s.replace(/^-- ?/gm, '').split('\n').slice(1).join('\n'));
  const compiled = new Set([...statements.filter((s) => !isCommentOnly(s)), ...templates].map(roundTemplate));
  const planned = sent.filter((s) => !RUN_RECORDS.test(s));
  expect(planned.length).toBeGreaterThan(100);
  return [...new Set(planned.map((s) => roundTemplate(s).replace(/ values\n\([\s\S]*$/, ' values <rows>')))].filter((s) => !compiled.has(s));
}

const targets = await warehouseTargets();

for (const target of targets) {
  describe.skipIf(!target.available)(`build runs the compiled plan: ${target.name}`, () => {
    let running: RunningTarget;
    let w: Warehouse;
    let dir: string;
    let project: LoadedProject;
    beforeAll(async () => {
      dir = await writeProject({ 'cdp.config.yaml': 'project: t\n', 'models/m.yaml': MODELS });
      const loaded = await loadProject(dir, {});
      if (!loaded.project || loaded.diagnostics.some((x) => x.severity === 'error')) throw new Error(JSON.stringify(loaded.diagnostics));
      project = loaded.project;
      running = await target.start();
      w = await running.open();
      await loadTable(w, { schema: 'raw', name: 'web' }, WEB, WEB_ROWS);
      await loadTable(w, { schema: 'raw', name: 'crm' }, [['id', 'string'], ['email', 'string']], [['c1', 'ann@x.com'], ['c2', 'carl@x.com']]);
      await loadTable(w, { schema: 'raw', name: 'companies' }, [['company_id', 'string'], ['website', 'string'], ['seats', 'integer']], [['k1', 'https://www.X.com/', 5], ['k2', 'y.org', 2]]);
    });
    afterAll(async () => {
      await w?.close();
      await running?.stop();
      if (dir) await removeProject(dir);
    });

    // Four builds; on the BigQuery emulator each statement takes a while (about 90 s in all on 2 cores).
    it('every statement a full-refresh and then an incremental build send is one compile writes', { timeout: 360_000 }, async () => {
      const log = () => undefined;
      const full = recording(w);
      const first = await buildProject({ project, warehouse: full.warehouse, runId: 'run1', asOf: AS_OF, fullRefresh: true, log });
      // The data exercises the loops past one round and the limit veto (a read-then-decide step).
      expect(first.identity?.rounds).toBeGreaterThan(2);
      expect(first.identity?.droppedByLimit).toBeGreaterThan(0);
      expect(first.accounts?.members).toBeGreaterThan(0);
      expect(await notCompiled(project, w, 'run1', full.sent)).toEqual([]);

      await loadTable(w, { schema: 'raw', name: 'web' }, WEB, [...WEB_ROWS, ['w7', at('2026-01-25T10:00:00'), 'a5', 'u4', 'carl@x.com']]);
      const incremental = recording(w);
      const second = await buildProject({ project, warehouse: incremental.warehouse, runId: 'run2', asOf: AS_OF, fullRefresh: false, log });
      expect(second.identity?.mode).toBe('incremental');
      expect(second.identity?.rounds).toBeGreaterThan(1);
      expect([first.profiles?.mode, second.profiles?.mode]).toEqual(['full', 'incremental']);
      expect(await notCompiled(project, w, 'run2', incremental.sent)).toEqual([]);

      // A row for a known visitor only: `visits` is kept from its parts (docs/incremental.md#traits-kept-from-their-parts).
      await loadTable(w, { schema: 'raw', name: 'web' }, WEB, [...WEB_ROWS, ['w7', at('2026-01-25T10:00:00'), 'a5', 'u4', 'carl@x.com'], ['w8', at('2026-01-26T10:00:00'), 'a1', null, null]]);
      const third = await buildProject({ project, warehouse: w, runId: 'run3', asOf: AS_OF, fullRefresh: false, log });
      expect(third.profiles?.fromParts).toBe(1);

      // The incremental profiles equal what --full-refresh builds from the same rows (docs/incremental.md).
      const read = async () => (await w.query(`select * from ${w.dialect.table({ schema: 'cdp', name: 'profiles' })}`)).map((r) => JSON.stringify(r)).sort();
      const afterIncremental = await read();
      await buildProject({ project, warehouse: w, runId: 'run4', asOf: AS_OF, fullRefresh: true, log });
      expect(afterIncremental).toEqual(await read());
      expect(second.profiles?.recomputed).toBeLessThan(second.profiles?.profiles ?? 0);
    });
  });
}
