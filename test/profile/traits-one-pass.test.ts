import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { buildProfiles } from '../../src/profile/build-profiles.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { removeProject, writeProject, yaml } from '../helpers/project.js';

/**
 * All of a source's traits come out of one grouped pass over its rows (compile-traits.ts). This checks
 * that pass against each trait computed on its own, by a different route (a subquery per profile, a
 * window function for first/last), on pseudo-random rows with many timestamp ties, rows after the
 * as-of time, rows without a time or a profile, and NULL values.
 */
let dir: string;
let project: LoadedProject;
let warehouse: DuckDBWarehouse;
const asOf = new Date('2026-06-30T00:00:00Z');
const at = `timestamp '2026-06-30 00:00:00'`;

beforeAll(async () => {
  dir = await writeProject({
    'cdp.config.yaml': 'project: t\n',
    'models/p.yaml': yaml`
      sources:
        - { name: events, table: raw.events, timestamp: ts }
      traits:
        - { name: pricing_7d, from: events, aggregate: count, where: "path = '/pricing'", window: 7d }
        - { name: events_30d, from: events, aggregate: count, window: 30d }
        - { name: events_all, from: events, aggregate: count }
        - { name: paths, from: events, aggregate: count_distinct, column: path }
        - { name: doc_paths_30d, from: events, aggregate: count_distinct, column: path, where: "path like '/docs%'", window: 30d }
        - { name: first_seen, from: events, aggregate: min, column: ts }
        - { name: top_amount, from: events, aggregate: max, column: amount }
        - { name: first_path, from: events, aggregate: first, column: path }
        - { name: last_path, from: events, aggregate: last, column: path }
        - { name: last_doc_7d, from: events, aggregate: last, column: path, where: "path like '/docs%'", window: 7d }
        - { name: docs_ever, from: events, aggregate: exists, where: "path like '/docs%'" }
        - { name: amount_30d, from: events, aggregate: sum, column: amount, window: 30d }
        - { name: avg_amount, from: events, aggregate: avg, column: amount }
    `,
  });
  project = (await loadProject(dir)).project as LoadedProject;
  warehouse = await DuckDBWarehouse.open({ path: ':memory:' });
  await warehouse.execute('create schema cdp');
  await warehouse.execute(`create table cdp.identifiers as select 'p' || i as profile_id from range(60) t(i)`);
  // Whole days only, so many rows of a profile share a timestamp; about 1 in 20 rows has no time,
  // no path or no profile; some rows are after the as-of time.
  await warehouse.execute(`create table cdp.source_events as
    select case when hash(i, 0) % 20 = 0 then null else 'p' || (hash(i) % 50) end as _cdp_profile_id,
           case when hash(i, 1) % 20 = 0 then null else ${at} - to_days(cast(hash(i, 1) % 45 as integer) - 3) end as ts,
           case when hash(i, 2) % 20 = 0 then null else ['/', '/pricing', '/docs/a', '/docs/b', '/blog'][1 + cast(hash(i, 2) % 5 as int)] end as path,
           case when hash(i, 3) % 20 = 0 then null else cast(hash(i, 3) % 1000 as integer) end as amount
    from range(3000) t(i)`);
  await buildProfiles({ project, warehouse, runId: 'r1', asOf, fullRefresh: false, log: () => {} }, (s) => `select * from cdp.source_${s}`);
});

afterAll(async () => {
  await warehouse?.close();
  await removeProject(dir);
});

it('computes every trait of a source in one pass exactly as each trait computed on its own', async () => {
  const known = `e._cdp_profile_id = p.profile_id and (e.ts is null or e.ts <= ${at})`;
  const within = (days: number) => `e.ts > ${at} - interval ${days} day`;
  const one = (expr: string, where = '') => `(select ${expr} from cdp.source_events e where ${known}${where ? ` and ${where}` : ''})`;
  const ordered = (direction: 'asc' | 'desc', where = '') =>
    `(select path from (select e.path, row_number() over (order by e.ts ${direction} nulls last, e.path ${direction}) as n
       from cdp.source_events e where ${known} and e.path is not null${where ? ` and ${where}` : ''}) where n = 1)`;
  const expected = await warehouse.query(`select p.profile_id,
      ${one('count(*)', `e.path = '/pricing' and ${within(7)}`)} as pricing_7d,
      ${one('count(*)', within(30))} as events_30d,
      ${one('count(*)')} as events_all,
      (select count(*) from (select distinct e.path from cdp.source_events e where ${known} and e.path is not null)) as paths,
      (select count(*) from (select distinct e.path from cdp.source_events e where ${known} and e.path like '/docs%' and ${within(30)})) as doc_paths_30d,
      ${one('min(e.ts)')} as first_seen,
      ${one('max(e.amount)')} as top_amount,
      ${ordered('asc')} as first_path,
      ${ordered('desc')} as last_path,
      ${ordered('desc', `e.path like '/docs%' and ${within(7)}`)} as last_doc_7d,
      ${one('count(*)', "e.path like '/docs%'")} > 0 as docs_ever,
      ${one('sum(e.amount)', within(30))} as amount_30d,
      ${one('avg(e.amount)')} as avg_amount
    from cdp.identifiers p order by p.profile_id`);
  const actual = await warehouse.query('select * from cdp.profiles order by profile_id');
  const traits = project.traits.map((t) => t.name);
  const pick = (rows: typeof actual) => rows.map((r) => Object.fromEntries([['profile_id', r.profile_id], ...traits.map((t) => [t, r[t]])]));
  expect(actual).toHaveLength(60);
  expect(pick(actual)).toEqual(pick(expected));
  // The data has what the comparison is about: ties on the last timestamp, profiles with no rows, rows after as-of.
  const [shape] = await warehouse.query(`select
      (select count(*) from (select _cdp_profile_id, ts from cdp.source_events where path is not null group by all having count(distinct path) > 1)) as ties,
      (select count(*) from cdp.profiles where events_all = 0) as empty,
      (select count(*) from cdp.source_events where ts > ${at}) as future`);
  expect(Number(shape.ties)).toBeGreaterThan(100);
  expect(Number(shape.empty)).toBe(10);
  expect(Number(shape.future)).toBeGreaterThan(100);
});
