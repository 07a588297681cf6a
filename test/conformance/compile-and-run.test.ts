/**
 * Compile-and-run conformance: the SQL cdp compiles for a project — SQL models and sources
 * (model/compile-models.ts), traits and segments (profile/compile-traits.ts, compile-segments.ts
 * through buildProfiles) — runs on DuckDB, the BigQuery emulator and the Snowflake emulator over the
 * same hand-made source tables, and gives the same profiles and segment members everywhere: the
 * answers written below, and each engine's tables equal to DuckDB's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { compileModels } from '../../src/model/compile-models.js';
import { sourceRelation } from '../../src/model/relations.js';
import { buildProfiles } from '../../src/profile/build-profiles.js';
import { executePlan } from '../../src/model/execute-plan.js';
import type { Row, Warehouse } from '../../src/warehouse/warehouse.js';
import { removeProject, writeProject, yaml } from '../helpers/project.js';
import { loadTable } from './load-table.js';
import { warehouseTargets, type RunningTarget } from './warehouse-targets.js';

const PROJECT = {
  'cdp.config.yaml': 'project: conformance\n',
  'models/project.yaml': yaml`
    models:
      - name: stg_orders
        materialized: table
        sql: select order_id, user_id, lower(trim(email)) as email, amount, ordered_at from {{ source('raw', 'orders') }}
      - name: site_events
        sql: select * from {{ source('raw', 'events') }} where path is null or path <> '/health'
    sources:
      - { name: events, model: site_events, timestamp: ts }
      - { name: orders, model: stg_orders, timestamp: ordered_at }
      - { name: visits, table: raw.visits, timestamp: seen_at }
    traits:
      - { name: pricing_views_7d, from: events, aggregate: count, where: "path = '/pricing'", window: 7d }
      - { name: events_total, from: events, aggregate: count }
      - { name: distinct_paths, from: events, aggregate: count_distinct, column: path }
      - { name: first_path, from: events, aggregate: first, column: path }
      - { name: last_path, from: events, aggregate: last, column: path }
      - { name: visited_docs, from: events, aggregate: exists, where: "path like '/docs%'" }
      - { name: lifetime_value, from: orders, aggregate: sum, column: amount }
      - { name: avg_order, from: orders, aggregate: avg, column: amount }
      - { name: smallest_order, from: orders, aggregate: min, column: amount }
      - { name: last_order_at, from: orders, aggregate: max, column: ordered_at }
      - { name: orders_12h, from: orders, aggregate: count, window: 12h }
      - { name: email, from: orders, aggregate: last, column: email }
      - { name: visits_7d, from: visits, aggregate: count, window: 7d }
      - { name: last_visit_at, from: visits, aggregate: last, column: seen_at }
      - { name: is_customer, sql: "coalesce(lifetime_value, 0) > 0" }
      - { name: value_tier, sql: "case when is_customer and lifetime_value >= 100 then 'high' when is_customer then 'low' else 'none' end" }
    segments:
      - { name: high_intent, where: "pricing_views_7d >= 3 and not is_customer" }
      - { name: customers, where: "is_customer" }
      - { name: vip, where: "customers and value_tier = 'high'" }
  `,
};

const ts = (text: string) => `${text}Z`;
const AS_OF = new Date('2026-06-30T12:00:00Z');
const LATER = new Date('2026-07-07T12:00:00Z');

/** Test set-up: the raw tables and the profile map (what identity would have produced). */
async function loadRaw(w: Warehouse): Promise<void> {
  const raw = (name: string) => ({ schema: 'raw', name });
  await loadTable(w, raw('people'), [['user_id', 'string'], ['profile_id', 'string']], [['u1', 'p1'], ['u2', 'p2'], ['u3', 'p3'], ['u4', 'p4']]);
  await loadTable(w, { schema: 'cdp', name: 'identifiers' }, [['profile_id', 'string']], [['p1'], ['p2'], ['p3'], ['p4']]);
  await loadTable(w, raw('events'), [['user_id', 'string'], ['ts', 'timestamp'], ['path', 'string']], [
    ['u1', ts('2026-06-29T10:00:00'), '/pricing'],
    ['u1', ts('2026-06-28T10:00:00'), '/pricing'],
    ['u1', ts('2026-06-25T10:00:00'), '/pricing'],
    ['u1', ts('2026-06-20T10:00:00'), '/pricing'], // outside 7d
    ['u1', ts('2026-07-01T10:00:00'), '/pricing'], // after as-of: ignored everywhere
    ['u1', ts('2026-06-01T00:00:00'), '/blog/a'],
    ['u1', ts('2026-06-29T11:00:00'), '/health'], // filtered out by the site_events model
    ['u2', ts('2026-06-29T09:00:00'), '/pricing'],
    ['u2', ts('2026-06-29T09:00:00'), '/docs/x'], // tie on ts: broken by the value
    ['u2', ts('2026-06-23T12:00:00'), '/pricing'], // exactly 7d before as-of: outside
    ['u2', null, '/pricing'], // no timestamp: counted, in no window
    [null, ts('2026-06-29T00:00:00'), '/pricing'], // no profile
    ['u3', ts('2026-06-29T00:00:00'), null],
  ]);
  await loadTable(w, raw('orders'), [['order_id', 'string'], ['user_id', 'string'], ['email', 'string'], ['amount', 'float'], ['ordered_at', 'timestamp']], [
    ['o1', 'u2', ' Bob@X.com ', 150, ts('2026-06-30T01:00:00')],
    ['o2', 'u2', 'old@x.com', 50.5, ts('2026-05-01T00:00:00')],
    ['o3', 'u3', null, null, ts('2026-01-01T00:00:00')],
  ]);
  await loadTable(w, raw('visits'), [['user_id', 'string'], ['seen_at', 'timestamp']], [
    ['u4', ts('2026-06-23T11:00:00')], // outside 7d
    ['u4', ts('2026-06-23T15:00:00')],
    ['u4', ts('2026-06-30T11:00:00')],
  ]);
}

interface EngineResult {
  readonly profiles: readonly Row[];
  readonly members: readonly Row[];
  readonly changes: readonly Row[];
  readonly types: readonly (readonly [string, string | undefined])[];
}
const results = new Map<string, EngineResult>();
const targets = await warehouseTargets();

for (const target of targets) {
  describe.skipIf(!target.available)(`compile and run: ${target.name}`, () => {
    let running: RunningTarget;
    let w: Warehouse;
    let dir: string;
    let project: LoadedProject;
    let run = 0;

    beforeAll(async () => {
      dir = await writeProject(PROJECT);
      const loaded = await loadProject(dir, {});
      expect(loaded.diagnostics).toEqual([]);
      project = loaded.project as LoadedProject;
      running = await target.start();
      w = await running.open();
      await loadRaw(w);
    });
    afterAll(async () => {
      await w?.close();
      await running?.stop();
      if (dir) await removeProject(dir);
    });

    const build = async (asOf: Date) => {
      const d = w.dialect;
      await executePlan(w, compileModels(project, d));
      const people = d.table({ schema: 'raw', name: 'people' });
      const rowsOf = (source: string) =>
        `select r.*, m.profile_id as _cdp_profile_id from ${d.table(sourceRelation(project, { name: source }))} r left join ${people} m on m.user_id = r.user_id`;
      return buildProfiles({ project, warehouse: w, runId: `r${++run}`, asOf, fullRefresh: false, log: () => {} }, rowsOf);
    };
    const read = (sql: string) => w.query(sql);
    const cdp = (name: string) => w.dialect.table({ schema: 'cdp', name });

    it('builds models, sources, traits and segments with the expected answers', async () => {
      const summary = await build(AS_OF);
      expect(summary.profiles).toBe(4);
      expect(summary.segments).toEqual([
        { segment: 'high_intent', size: 1, entered: 1, exited: 0 },
        { segment: 'customers', size: 1, entered: 1, exited: 0 },
        { segment: 'vip', size: 1, entered: 1, exited: 0 },
      ]);
      const p = Object.fromEntries((await read(`select * from ${cdp('profiles')} order by profile_id`)).map((r) => [String(r.profile_id), r]));
      expect(p.p1).toMatchObject({ pricing_views_7d: 3, events_total: 5, distinct_paths: 2, first_path: '/blog/a', last_path: '/pricing', visited_docs: false });
      expect(p.p1).toMatchObject({ lifetime_value: null, avg_order: null, orders_12h: 0, email: null, is_customer: false, value_tier: 'none' });
      expect(p.p2).toMatchObject({ pricing_views_7d: 1, events_total: 4, distinct_paths: 2, visited_docs: true, first_path: '/pricing', last_path: '/pricing' });
      expect(p.p2).toMatchObject({ lifetime_value: 200.5, avg_order: 100.25, smallest_order: 50.5, orders_12h: 1, email: 'bob@x.com', is_customer: true, value_tier: 'high' });
      expect(p.p2.last_order_at).toBe('2026-06-30T01:00:00.000Z');
      expect(p.p3).toMatchObject({ events_total: 1, distinct_paths: 0, first_path: null, lifetime_value: null, email: null, is_customer: false });
      expect(p.p4).toMatchObject({ visits_7d: 2, last_visit_at: '2026-06-30T11:00:00.000Z', events_total: 0, visited_docs: false, value_tier: 'none' });
    });

    it('keeps entered_at across runs and records entries and exits', async () => {
      await w.insertRows({ schema: 'raw', name: 'orders' }, ['order_id', 'user_id', 'email', 'amount', 'ordered_at'], [['o4', 'u1', 'ann@x.com', 20, ts('2026-07-02T00:00:00')]]);
      const second = await build(LATER);
      expect(second.segments).toEqual([
        { segment: 'high_intent', size: 0, entered: 0, exited: 1 },
        { segment: 'customers', size: 2, entered: 1, exited: 0 },
        { segment: 'vip', size: 1, entered: 0, exited: 0 },
      ]);
      const members = await read(`select segment, profile_id, entered_at from ${cdp('segment_members')} order by segment, profile_id`);
      expect(members).toEqual([
        { segment: 'customers', profile_id: 'p1', entered_at: '2026-07-07T12:00:00.000Z' },
        { segment: 'customers', profile_id: 'p2', entered_at: '2026-06-30T12:00:00.000Z' },
        { segment: 'vip', profile_id: 'p2', entered_at: '2026-06-30T12:00:00.000Z' },
      ]);
      const profiles = await read(`select * from ${cdp('profiles')} order by profile_id`);
      const changes = await read(`select run_id, segment, profile_id, change, changed_at from ${cdp('segment_changes')} order by run_id, segment, profile_id`);
      const types = (await w.columns({ schema: 'cdp', name: 'profiles' })).map((c) => [c.name.toLowerCase(), c.sqlType] as const);
      results.set(target.name, { profiles, members, changes, types });
      expect(types).toEqual(EXPECTED_TYPES);
    });
  });
}

const EXPECTED_TYPES = [
  ['profile_id', 'string'],
  ['pricing_views_7d', 'integer'],
  ['events_total', 'integer'],
  ['distinct_paths', 'integer'],
  ['first_path', 'string'],
  ['last_path', 'string'],
  ['visited_docs', 'boolean'],
  ['lifetime_value', 'float'],
  ['avg_order', 'float'],
  ['smallest_order', 'float'],
  ['last_order_at', 'timestamp'],
  ['orders_12h', 'integer'],
  ['email', 'string'],
  ['visits_7d', 'integer'],
  ['last_visit_at', 'timestamp'],
  ['is_customer', 'boolean'],
  ['value_tier', 'string'],
];

describe.skipIf(targets.filter((t) => t.available).length < 2)('compile and run: every engine agrees with DuckDB', () => {
  it('has identical profiles, segment members and segment changes', () => {
    const reference = results.get('duckdb');
    expect(reference).toBeDefined();
    for (const [engine, result] of results) {
      expect(result.profiles, engine).toEqual(reference?.profiles);
      expect(result.members, engine).toEqual(reference?.members);
      expect(result.changes, engine).toEqual(reference?.changes);
      expect(result.types, engine).toEqual(reference?.types);
    }
    expect(results.size).toBe(targets.filter((t) => t.available).length);
  });
});
