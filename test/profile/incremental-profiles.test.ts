import { afterEach, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { buildProject, type BuildSummary } from '../../src/run/build-project.js';
import type { Row } from '../../src/warehouse/warehouse.js';
import { IDENTIFIERS_SQL, LINKS_BY_VALUE_SQL } from '../helpers/identity-state.js';
import { removeProject, writeProject, yaml } from '../helpers/project.js';

/**
 * Incremental profiles (docs/incremental.md) against `--full-refresh`: two warehouses receive the same random
 * history (events and orders appended, late rows within late_arrival, rows without a time, CRM rows updated
 * and deleted in place, merges through new links and splits through deleted ones, the reference time moving
 * forward) and build after each step, one incrementally and one with --full-refresh. Every table a user or a
 * sync reads must be equal after every step.
 */
const MODELS = yaml`
  sources:
    - name: events
      table: raw.events
      timestamp: ts
      changes: append
      late_arrival: 1d
      identifiers:
        - { column: anon, type: anonymous_id }
        - { column: email, type: email }
    - name: orders
      table: raw.orders
      timestamp: ordered_at
      changes: append
      late_arrival: 2d
      identifiers:
        - { column: email, type: email }
    - name: crm
      table: raw.crm
      timestamp: updated_at
      changes: snapshot
      identifiers:
        - { column: email, type: email }
        - { column: phone, type: phone }
  identity:
    id_types:
      email: { priority: 1 }
      phone: { priority: 2 }
      anonymous_id: { priority: 9 }
  traits:
    - { name: events_total, from: events, aggregate: count }
    - { name: pricing_7d, from: events, aggregate: count, where: "path = '/pricing'", window: 7d }
    - { name: paths, from: events, aggregate: count_distinct, column: path }
    - { name: first_path, from: events, aggregate: first, column: path }
    - { name: last_path_2d, from: events, aggregate: last, column: path, window: 2d }
    - { name: saw_docs, from: events, aggregate: exists, where: "path = '/docs'" }
    - { name: ltv, from: orders, aggregate: sum, column: amount }
    - { name: biggest_order, from: orders, aggregate: max, column: amount }
    - { name: orders_3d, from: orders, aggregate: count, window: 3d }
    - { name: plan, from: crm, aggregate: last, column: plan }
    - { name: crm_rows, from: crm, aggregate: count }
    - { name: score, sql: "coalesce(ltv, 0) + 10 * pricing_7d" }
  segments:
    - { name: hot, where: "pricing_7d >= 2" }
    - { name: paying, where: "coalesce(ltv, 0) > 0 and plan <> 'free'" }
`;

const PATHS = ['/pricing', '/docs', '/blog', '/home'];
const PLANS = ['free', 'pro', 'team'];

/** A small deterministic PRNG (mulberry32), so a failing seed reproduces. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Side {
  readonly warehouse: DuckDBWarehouse;
  readonly project: LoadedProject;
}

const dirs: string[] = [];
const sides: Side[] = [];
afterEach(async () => {
  await Promise.all(sides.splice(0).map((s) => s.warehouse.close()));
  await Promise.all(dirs.splice(0).map(removeProject));
});

async function side(): Promise<Side> {
  const dir = await writeProject({ 'cdp.config.yaml': 'project: t\n', 'models/m.yaml': MODELS });
  dirs.push(dir);
  const project = (await loadProject(dir)).project as LoadedProject;
  const warehouse = await DuckDBWarehouse.open({ path: ':memory:' });
  await warehouse.execute('create schema raw');
  await warehouse.execute('create table raw.events (anon varchar, email varchar, ts timestamp, path varchar)');
  await warehouse.execute('create table raw.orders (email varchar, ordered_at timestamp, amount decimal(10, 2))');
  await warehouse.execute('create table raw.crm (id integer, email varchar, phone varchar, plan varchar, updated_at timestamp)');
  const s = { warehouse, project };
  sides.push(s);
  return s;
}

const lit = (v: string | number | null) => (v === null ? 'null' : typeof v === 'number' ? String(v) : `'${v}'`);
const at = (ms: number) => `'${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}'`;

/** One step of history as SQL, the same for both warehouses. */
function step(next: () => number, asOf: number, previousAsOf: number, crmIds: number[], nextCrmId: { n: number }): string[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T;
  const hour = 3_600_000;
  // 60 browsers of 30 people; a browser sometimes logs in (its person's email links it).
  const person = () => Math.floor(next() * 30);
  const browser = () => Math.floor(next() * 60);
  // Late rows stay within late_arrival: no earlier than 20h before the last build's reference time.
  const when = () => (next() < 0.05 ? null : previousAsOf - 20 * hour + Math.floor(next() * (asOf - previousAsOf + 44 * hour)));
  const sql: string[] = [];
  const events = Array.from({ length: 2 + Math.floor(next() * 6) }, () => {
    const ts = when();
    const b = browser();
    return `(${lit(`a${b}`)}, ${lit(next() < 0.3 ? `u${b % 30}@x.com` : null)}, ${ts === null ? 'null' : at(ts)}, ${lit(pick(PATHS))})`;
  });
  sql.push(`insert into raw.events values ${events.join(', ')}`);
  if (next() < 0.6) {
    const ts = when() ?? asOf;
    sql.push(`insert into raw.orders values (${lit(`u${person()}@x.com`)}, ${at(ts)}, ${(Math.floor(next() * 2000) / 100).toFixed(2)})`);
  }
  // CRM rows: inserted, updated in place (plan; email: the phone then links two people, a merge), deleted
  // (a split when the row was the only link).
  const r = next();
  if (r < 0.4 || crmIds.length === 0) {
    const id = nextCrmId.n++;
    const p = person();
    crmIds.push(id);
    sql.push(`insert into raw.crm values (${id}, ${lit(`u${p}@x.com`)}, ${lit(`+1555${p}`)}, ${lit(pick(PLANS))}, ${at(asOf - Math.floor(next() * 48) * hour)})`);
  } else if (r < 0.7) {
    sql.push(`update raw.crm set plan = ${lit(pick(PLANS))}, updated_at = ${at(asOf - hour)} where id = ${pick(crmIds)}`);
  } else if (r < 0.85) {
    sql.push(`update raw.crm set email = ${lit(`u${person()}@x.com`)} where id = ${pick(crmIds)}`);
  } else {
    const id = pick(crmIds);
    crmIds.splice(crmIds.indexOf(id), 1);
    sql.push(`delete from raw.crm where id = ${id}`);
  }
  return sql;
}

async function build(s: Side, runId: string, asOf: number, fullRefresh: boolean): Promise<BuildSummary> {
  return buildProject({ project: s.project, warehouse: s.warehouse, runId, asOf: new Date(asOf), fullRefresh, log: () => {} });
}

async function tables(s: Side): Promise<Record<string, Row[]>> {
  const q = (sql: string) => s.warehouse.query(sql);
  return {
    identifiers: await q(IDENTIFIERS_SQL),
    // Identity's links and what its guards kept out, by value.
    links: await q(LINKS_BY_VALUE_SQL),
    review: await q('select * from cdp._identity_review order by all'),
    profiles: await q('select * from cdp.profiles order by profile_id'),
    segment_members: await q('select * from cdp.segment_members order by all'),
    segment_changes: await q('select * from cdp.segment_changes order by all'),
    // The map the next incremental build compares with (written whole after a full build, as a delta otherwise).
    stored_identifiers: await q('select id_type, id_value, profile_id from cdp.profiles_identifiers order by all'),
  };
}

describe('incremental profiles equal --full-refresh', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`random history, seed ${seed}: identifiers, profiles, segments and segment changes after every step`, async () => {
      const next = random(seed);
      const incremental = await side();
      const full = await side();
      const crmIds: number[] = [];
      const crmId = { n: 1 };
      let asOf = Date.parse('2026-03-01T00:00:00Z');
      let previousAsOf = asOf;
      const modes: string[] = [];
      let recomputed = 0;
      let profiles = 0;
      for (let i = 0; i < 12; i++) {
        for (const sql of step(next, asOf, previousAsOf, crmIds, crmId)) {
          await incremental.warehouse.execute(sql);
          await full.warehouse.execute(sql);
        }
        const a = await build(incremental, `r${i}`, asOf, false);
        await build(full, `r${i}`, asOf, true);
        modes.push(a.profiles?.mode ?? '-');
        if (i > 0) {
          recomputed += a.profiles?.recomputed ?? 0;
          profiles += a.profiles?.profiles ?? 0;
        }
        expect(await tables(incremental), `seed ${seed}, step ${i}`).toEqual(await tables(full));
        previousAsOf = asOf;
        // The reference time moves forward by 0 to 3 days, crossing window edges.
        asOf += Math.floor(next() * 4) * 86_400_000 + Math.floor(next() * 24) * 3_600_000;
      }
      // The first build is full; every later one is incremental and recomputes fewer than all profiles overall.
      expect(modes).toEqual(['full', ...Array(11).fill('incremental')]);
      expect(recomputed).toBeLessThan(profiles);
    });
  }
});
