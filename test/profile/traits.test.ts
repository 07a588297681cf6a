import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { buildProfiles } from '../../src/profile/build-profiles.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import type { Row } from '../../src/warehouse/warehouse.js';
import { removeProject, writeProject, yaml } from '../helpers/project.js';

/**
 * Traits and segments on a hand-written dataset with known answers. Rows carry their profile
 * directly (`_cdp_profile_id`), so this checks the profile stage alone, independent of identity.
 */
let dir: string;
let project: LoadedProject;
let warehouse: DuckDBWarehouse;

const asOf = new Date('2026-06-30T12:00:00Z');
const rowsOf = (source: string) => `select * from "cdp"."source_${source}"`;
let run = 0;
const build = (at = asOf) => buildProfiles({ project, warehouse, runId: `r${++run}`, asOf: at, fullRefresh: false, log: () => {} }, rowsOf);
const profiles = async (): Promise<Record<string, Row>> =>
  Object.fromEntries((await warehouse.query('select * from cdp.profiles order by profile_id')).map((r) => [String(r.profile_id), r]));

beforeAll(async () => {
  dir = await writeProject({
    'cdp.config.yaml': 'project: t\n',
    'models/p.yaml': yaml`
      sources:
        - { name: events, table: raw.events, timestamp: ts }
        - { name: orders, table: raw.orders, timestamp: ordered_at }
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
        - { name: visits_7d, from: visits, aggregate: count, window: 7d }
        - { name: last_visit_at, from: visits, aggregate: last, column: seen_at }
        - { name: is_customer, sql: "coalesce(lifetime_value, 0) > 0" }
        - { name: value_tier, sql: "case when is_customer and lifetime_value >= 100 then 'high' when is_customer then 'low' else 'none' end" }
      segments:
        - { name: high_intent, where: "pricing_views_7d >= 3 and not is_customer" }
        - { name: customers, where: "is_customer" }
        - { name: vip, where: "customers and value_tier = 'high'" }
    `,
  });
  project = (await loadProject(dir)).project as LoadedProject;
  warehouse = await DuckDBWarehouse.open({ path: ':memory:' });
  await warehouse.execute('create schema cdp');
  await warehouse.execute(`create table cdp.identifiers as select * from (values ('p1'), ('p2'), ('p3'), ('p4')) t(profile_id)`);
  await warehouse.execute(`create table cdp.source_events (_cdp_profile_id varchar, ts timestamp, path varchar)`);
  await warehouse.execute(`insert into cdp.source_events values
    ('p1', '2026-06-29 10:00:00', '/pricing'), ('p1', '2026-06-28 10:00:00', '/pricing'), ('p1', '2026-06-25 10:00:00', '/pricing'),
    ('p1', '2026-06-20 10:00:00', '/pricing'),              -- outside 7d
    ('p1', '2026-07-01 10:00:00', '/pricing'),              -- after as-of: ignored everywhere
    ('p1', '2026-06-01 00:00:00', '/blog/a'),
    ('p2', '2026-06-29 09:00:00', '/pricing'), ('p2', '2026-06-29 09:00:00', '/docs/x'),  -- tie on ts
    ('p2', '2026-06-23 12:00:00', '/pricing'),              -- exactly 7d before as-of: outside (window is open at its start)
    ('p2', null, '/pricing'),                               -- no timestamp: counted, but in no window
    (null, '2026-06-29 00:00:00', '/pricing'),               -- no profile
    ('p3', '2026-06-29 00:00:00', null)`);
  await warehouse.execute(`create table cdp.source_orders (_cdp_profile_id varchar, ordered_at timestamp, amount decimal(10,2))`);
  await warehouse.execute(`insert into cdp.source_orders values
    ('p2', '2026-06-30 01:00:00', 150.00), ('p2', '2026-05-01 00:00:00', 50.50),
    ('p3', '2026-01-01 00:00:00', null)`);
  // zoned timestamps: the 7-day window starts at 2026-06-23 12:00 UTC
  await warehouse.execute(`create table cdp.source_visits (_cdp_profile_id varchar, seen_at timestamptz)`);
  await warehouse.execute(`insert into cdp.source_visits values
    ('p4', '2026-06-23 13:00:00+02:00'),   -- 11:00 UTC: outside
    ('p4', '2026-06-23 13:00:00-02:00'),   -- 15:00 UTC: inside
    ('p4', '2026-06-30 13:00:00+02:00')`);  // 11:00 UTC on the as-of day: inside, and the last
});

afterAll(async () => {
  await warehouse.close();
  await removeProject(dir);
});

describe('traits', () => {
  it('computes every aggregate with windows, filters, nulls and as-of', async () => {
    const summary = await build();
    expect(summary.profiles).toBe(4);
    const p = await profiles();
    expect(p.p1).toMatchObject({ pricing_views_7d: 3, events_total: 5, distinct_paths: 2, first_path: '/blog/a', last_path: '/pricing', visited_docs: false });
    expect(p.p1).toMatchObject({ lifetime_value: null, avg_order: null, orders_12h: 0, is_customer: false, value_tier: 'none' });
    expect(p.p2).toMatchObject({ pricing_views_7d: 1, events_total: 4, distinct_paths: 2, visited_docs: true, first_path: '/pricing' });
    // tie on the timestamp: broken by the value, so the answer does not depend on row order
    expect(p.p2.last_path).toBe('/pricing');
    expect(p.p2).toMatchObject({ lifetime_value: 200.5, avg_order: 100.25, smallest_order: 50.5, orders_12h: 1, is_customer: true, value_tier: 'high' });
    expect(p.p2.last_order_at).toBe('2026-06-30T01:00:00.000Z');
    // null column values: count counts the row, count_distinct and first/last skip nulls
    expect(p.p3).toMatchObject({ events_total: 1, distinct_paths: 0, first_path: null, lifetime_value: null, is_customer: false });
    // a profile with no rows at all
    expect(p.p4).toMatchObject({ visits_7d: 2, last_visit_at: '2026-06-30T11:00:00.000Z' });
    expect(p.p4).toMatchObject({ pricing_views_7d: 0, events_total: 0, visited_docs: false, lifetime_value: null, value_tier: 'none' });
  });

  it('types trait columns properly', async () => {
    const cols = Object.fromEntries((await warehouse.columns({ schema: 'cdp', name: 'profiles' })).map((c) => [c.name, c.type]));
    expect(cols).toMatchObject({
      profile_id: 'VARCHAR',
      pricing_views_7d: 'BIGINT',
      visited_docs: 'BOOLEAN',
      lifetime_value: 'DOUBLE',
      last_order_at: 'TIMESTAMP',
      first_path: 'VARCHAR',
      is_customer: 'BOOLEAN',
    });
  });

  it('evaluates segments, including segments over segments, and keeps entered_at across runs', async () => {
    const first = await build();
    expect(first.segments).toEqual([
      { segment: 'high_intent', size: 1, entered: 0, exited: 0 },
      { segment: 'customers', size: 1, entered: 0, exited: 0 },
      { segment: 'vip', size: 1, entered: 0, exited: 0 },
    ]);
    const members = await warehouse.query('select segment, profile_id, entered_at from cdp.segment_members order by segment');
    expect(members).toEqual([
      { segment: 'customers', profile_id: 'p2', entered_at: '2026-06-30T12:00:00.000Z' },
      { segment: 'high_intent', profile_id: 'p1', entered_at: '2026-06-30T12:00:00.000Z' },
      { segment: 'vip', profile_id: 'p2', entered_at: '2026-06-30T12:00:00.000Z' },
    ]);

    // p1 buys; a week later p1 leaves high_intent and becomes a customer, p2 stays a customer
    await warehouse.execute(`insert into cdp.source_orders values ('p1', '2026-07-02 00:00:00', 20)`);
    const later = new Date('2026-07-07T12:00:00Z');
    const second = await build(later);
    expect(second.segments).toEqual([
      { segment: 'high_intent', size: 0, entered: 0, exited: 1 },
      { segment: 'customers', size: 2, entered: 1, exited: 0 },
      { segment: 'vip', size: 1, entered: 0, exited: 0 },
    ]);
    const after = await warehouse.query(`select profile_id, entered_at from cdp.segment_members where segment = 'customers' order by profile_id`);
    expect(after).toEqual([
      { profile_id: 'p1', entered_at: '2026-07-07T12:00:00.000Z' },
      { profile_id: 'p2', entered_at: '2026-06-30T12:00:00.000Z' },
    ]);
    const changes = await warehouse.query(`select segment, profile_id, change from cdp.segment_changes where run_id = 'r${run}' order by segment`);
    expect(changes).toEqual([
      { segment: 'customers', profile_id: 'p1', change: 'enter' },
      { segment: 'high_intent', profile_id: 'p1', change: 'exit' },
    ]);
  });
});
