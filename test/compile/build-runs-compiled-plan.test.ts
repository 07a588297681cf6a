/**
 * `cdp build` runs what `cdp compile` writes (docs/architecture.md#parse-manifest-plan-execute): a recording
 * Warehouse wrapper keeps every statement a build sends (execute and transaction) on a small DuckDB
 * project, and each one must be a statement of the compiled plan for the same run id and as-of time.
 * Loop steps are compared through their round templates (see `roundTemplate`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { isCommentOnly } from '../../src/model/step-sql-text.js';
import { buildProject } from '../../src/run/build-project.js';
import { sourceColumnTypes } from '../../src/profile/run-profiles.js';
import { compilePlan } from '../../src/run/compile-plan.js';
import { DuckDBWarehouse } from '../../src/warehouse/duckdb-warehouse.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { removeProject, writeProject, yaml } from '../helpers/project.js';

const MODELS = yaml`
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
`;
const AS_OF = new Date('2026-01-31T00:00:00Z');

/**
 * Records of the run itself, not of the plan: the build generation's state and the identity gate's
 * verdict, written with wall-clock times and the verdict's numbers (docs/identity-gate.md).
 */
const RUN_RECORDS = ['"_cdp_build"', '"identity_gates"'];

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

/** Round numbers past the ones compile shows are the same statement with another map table. */
function roundTemplate(sql: string): string {
  return sql.replace(/cc_map_([0-9]+)/g, (_, n: string) => (Number(n) >= 3 ? 'cc_map_3' : `cc_map_${n}`));
}

let dir: string | undefined;
let db: DuckDBWarehouse | undefined;
afterEach(async () => {
  await db?.close();
  if (dir) await removeProject(dir);
  db = undefined;
  dir = undefined;
});

async function setup(): Promise<{ project: LoadedProject; w: DuckDBWarehouse }> {
  dir = await writeProject({ 'cdp.config.yaml': 'project: t\nwarehouse: { type: duckdb, path: ":memory:" }\n', 'models/m.yaml': MODELS });
  const { project, diagnostics } = await loadProject(dir);
  if (!project || diagnostics.some((x) => x.severity === 'error')) throw new Error(JSON.stringify(diagnostics));
  db = await DuckDBWarehouse.open({ path: ':memory:', threads: 2 });
  await db.execute('create schema raw');
  await db.execute('create table raw.web (id varchar, ts timestamp, anon varchar, user_id varchar, email varchar)');
  await db.execute('create table raw.crm (id varchar, email varchar)');
  await db.execute(`insert into raw.web values
    ('w1', '2026-01-20 10:00:00', 'a1', 'u1', null), ('w2', '2026-01-21 10:00:00', 'a1', null, 'ann@x.com'),
    ('w3', '2026-01-22 10:00:00', 'a2', 'u2', null), ('w4', '2026-01-23 10:00:00', 'a3', null, 'bob@x.com'),
    ('w5', '2026-01-24 10:00:00', 'a3', 'u2', null), ('w6', '2026-01-24 11:00:00', 'a4', 'u3', 'ann@x.com'),
    ('l1', '2026-01-24 12:00:00', null, 'u8', 'e8@x.com'), ('l2', '2026-01-24 12:00:00', 'k1', null, 'e8@x.com'),
    ('l3', '2026-01-24 12:00:00', 'k1', null, 'e9@x.com'), ('l4', '2026-01-24 12:00:00', null, 'u9', 'e9@x.com')`);
  // A chain e0 - c0 - e1 - c1 - ... so the components loop needs several rounds.
  const chain = Array.from({ length: 24 }, (_, k) => `('x${k}', '2026-01-25 10:00:00', 'c${Math.floor(k / 2) + (k % 2)}', null, 'e${k % 2 === 0 ? k / 2 : (k - 1) / 2}@x.com')`);
  await db.execute(`insert into raw.web values ${chain.join(', ')}`);
  await db.execute(`insert into raw.crm values ('c1', 'ann@x.com'), ('c2', 'carl@x.com')`);
  return { project, w: db };
}

describe('build runs the compiled plan', () => {
  it.each([true, false])('every statement a build sends is one compile writes (full refresh: %s)', async (fullRefresh) => {
    const { project, w } = await setup();
    const log = () => undefined;
    // A first build, so the second one (incremental when not full-refresh) has stored state and members.
    await buildProject({ project, warehouse: w, runId: 'run0', asOf: AS_OF, fullRefresh: true, log });
    await w.execute(`insert into raw.web values ('w7', '2026-01-25 10:00:00', 'a5', 'u4', 'carl@x.com')`);
    const { warehouse, sent } = recording(w);
    const summary = await buildProject({ project, warehouse, runId: 'run1', asOf: AS_OF, fullRefresh, log });
    // The data exercises the loops past one round and the limit veto (a read-then-decide step).
    expect(summary.identity?.rounds).toBeGreaterThan(fullRefresh ? 2 : 1);
    expect(summary.identity?.droppedByLimit).toBeGreaterThan(0);

    const columnTypes = await sourceColumnTypes({ project, warehouse: w });
    const plan = compilePlan(project, w.dialect, AS_OF, { runId: 'run1', columnTypes });
    // Statements, and the templates notes show for statements whose rows are decided at run time.
    const statements = plan.steps.flatMap((s) => s.statements);
    const templates = statements.filter(isCommentOnly).map((s) => s.replace(/^-- ?/gm, '').split('\n').slice(1).join('\n'));
    const compiled = new Set([...statements.filter((s) => !isCommentOnly(s)), ...templates].map(roundTemplate));
    const planned = sent.filter((s) => !RUN_RECORDS.some((table) => s.includes(table)));
    expect(planned.length).toBeGreaterThan(100);
    const missing = [...new Set(planned.map((s) => roundTemplate(s).replace(/ values\n\([\s\S]*$/, ' values <rows>')))].filter((s) => !compiled.has(s));
    expect(missing).toEqual([]);
  });
});
