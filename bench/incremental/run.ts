/**
 * What a build costs after 1% new events, against a full build of the same data in the same repeat
 * (docs/incremental.md). The ratio is what to read: these machines are shared and noisy.
 *
 *   npx tsx bench/incremental/run.ts [--profiles 200000] [--events 2000000] [--new 0.01] [--repeats 3] [--steps] [--sync]
 *
 * `--steps` also prints where the last incremental build spent its time, by statement label and by single statement. `--sync` also times a
 * contacts sync's diff after each incremental build, scoped to the changed profiles and whole (`syncDiffs`).
 *
 * The data: people with two browsers each (anonymous ids) and an email; a fifth of the events are logged in
 * (they link the browser to the email); orders by email; a CRM snapshot with a plan per person. Events and
 * orders are `changes: append`, the CRM `changes: snapshot`. Each repeat appends `--new` × events new events
 * (and as many orders as 1% of the orders) at the reference time, then times an incremental `cdp build`
 * and a `--full-refresh` build of the same rows, one after the other, by stage (wall and process CPU seconds).
 * It prints the median and the spread (lowest-highest) of each over the repeats.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { buildProject, type BuildSummary } from '../../src/run/build-project.js';
import { writeProject } from '../../test/helpers/project.js';
import { medianSpread } from '../median.js';
import { createProfileChangesSql } from '../../src/model/profile-changes.js';
import { compileDiffSelect, type DiffScope } from '../../src/sync/diff-sql.js';
import { keyRules } from '../../src/sync/key-rules.js';
import { loadSyncShape } from '../../src/sync/load-sync-shape.js';
import { SyncStateStore } from '../../src/sync/sync-state-store.js';

const { values } = parseArgs({
  options: {
    profiles: { type: 'string', default: '200000' },
    events: { type: 'string', default: '2000000' },
    new: { type: 'string', default: '0.01' },
    repeats: { type: 'string', default: '3' },
    steps: { type: 'boolean', default: false },
    sync: { type: 'boolean', default: false },
  },
});
const people = Number(values.profiles);
const events = Number(values.events);
const share = Number(values.new);
const repeats = Math.max(1, Number(values.repeats));

// `--sync`: a HubSpot contacts sync on the profiles (never sent: only its diff is computed).
process.env.BENCH_HUBSPOT_TOKEN ??= 'pat-fake-bench-token';
const dir = await writeProject({
  'cdp.config.yaml': 'project: bench\nwarehouse: { type: duckdb, path: bench.duckdb }\ndestinations:\n  hubspot: { type: hubspot, accessToken: "${BENCH_HUBSPOT_TOKEN}" }\n',
  'connectors/contacts.yaml': `sync: contacts
destination: hubspot
object: contacts
audience: all
match: { id_type: email }
fields: { cdp_pricing_views_7d: pricing_views_7d, cdp_lifetime_value: lifetime_value, cdp_plan: plan, cdp_last_path: last_path }
segments: { high_intent: { list: "CDP: High intent" }, customers: { field: cdp_customer } }
`,
  'models/m.yaml': `
sources:
  - name: events
    table: raw.events
    timestamp: ts
    changes: append
    identifiers: [{ column: anon, type: anonymous_id }, { column: email, type: email }]
  - name: orders
    table: raw.orders
    timestamp: ordered_at
    changes: append
    identifiers: [{ column: email, type: email }]
  - name: crm
    table: raw.crm
    timestamp: updated_at
    changes: snapshot
    identifiers: [{ column: email, type: email }]
identity:
  id_types:
    email: { priority: 1 }
    anonymous_id: { priority: 9 }
traits:
  - { name: pricing_views_7d, from: events, aggregate: count, where: "path = '/pricing'", window: 7d }
  - { name: page_views_30d, from: events, aggregate: count, window: 30d }
  - { name: distinct_paths, from: events, aggregate: count_distinct, column: path }
  - { name: last_path, from: events, aggregate: last, column: path }
  - { name: lifetime_value, from: orders, aggregate: sum, column: amount }
  - { name: orders_90d, from: orders, aggregate: count, window: 90d }
  - { name: plan, from: crm, aggregate: last, column: plan }
  - { name: is_customer, sql: "coalesce(lifetime_value, 0) > 0" }
segments:
  - { name: high_intent, where: "pricing_views_7d >= 3 and not is_customer" }
  - { name: customers, where: "is_customer" }
  - { name: engaged, where: "page_views_30d > 5" }
`,
});

const HOUR = 3_600_000;
const start = Date.parse('2026-06-30T00:00:00Z');
const stamp = (ms: number) => `timestamp '${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}'`;

/** `n` events at hash-random times in the `days` before `until`, ids from row numbers offset by `from`. */
function eventsSql(from: number, n: number, until: number, days: number): string {
  return `insert into raw.events
select 'a' || ((i * 7919) % ${people * 2}) as anon,
  case when i % 5 = 0 then 'u' || (((i * 7919) % ${people * 2}) // 2) || '@x.com' end as email,
  ${stamp(until)} - to_seconds(cast(hash(i) % ${days * 86400} as bigint)) as ts,
  ['/pricing', '/docs', '/blog', '/home', '/signup'][1 + cast(hash(i + 1) % 5 as integer)] as path
from range(${from}, ${from + n}) t(i)`;
}

function ordersSql(from: number, n: number, until: number, days: number): string {
  return `insert into raw.orders
select 'u' || (hash(i) % ${people}) || '@x.com', ${stamp(until)} - to_seconds(cast(hash(i + 7) % ${days * 86400} as bigint)), (hash(i + 3) % 20000) / 100.0
from range(${from}, ${from + n}) t(i)`;
}

/**
 * `--sync`: the contacts sync's diff after an incremental build, scoped to the profiles changed since the last
 * sync (docs/incremental.md#syncs) and whole, each materialised as a sync does. Before the new rows arrive, the
 * sync's state is set to what the profiles hold then and its position to the newest build, as a finished sync
 * leaves them. Returns seconds and records of each.
 */
async function syncDiffs(project: LoadedProject, warehouse: DuckDBWarehouse) {
  const sync = project.syncs[0];
  const shape = await loadSyncShape(warehouse, project, sync, keyRules(project, sync));
  const d = warehouse.dialect;
  return {
    /** The sync finished now: state = what it would send to an empty CRM, position = the newest build. */
    async settle(): Promise<void> {
      await warehouse.execute(`drop table if exists ${d.table(shape.tables.state)}`);
      await SyncStateStore.ensureTables(warehouse, shape);
      const enter = compileDiffSelect(shape, d, { stateColumns: undefined, fullResync: false });
      const columns = [...shape.fields.map((f, i) => [f.column, `t${i}`]), ...shape.segments.map((g, j) => [g.column, `d${j}`])];
      await warehouse.execute(`insert into ${d.table(shape.tables.state)} (match_key, destination_id, profile_id, synced_at${columns.map(([c]) => `, ${c}`).join('')})
select match_key, 'id-' || match_key, profile_id, now()${columns.map(([, v]) => `, ${v}`).join('')} from (${enter}) x`);
      for (const sql of createProfileChangesSql(d, project.config.schema)) await warehouse.execute(sql);
      await warehouse.execute(`delete from ${project.config.schema}.sync_positions`);
      await warehouse.execute(`insert into ${project.config.schema}.sync_positions select 'contacts', max(build), 'bench', 'bench' from ${project.config.schema}.profile_changes`);
    },
    async time(): Promise<{ scoped: number; whole: number; records: number }> {
      const columns = await SyncStateStore.ensureTables(warehouse, shape);
      const [position] = await warehouse.query(`select build from ${project.config.schema}.sync_positions`);
      const run = async (scope: DiffScope | undefined) => {
        const started = performance.now();
        await warehouse.execute(d.createScratchTableAs(shape.tables.diff, compileDiffSelect(shape, d, { stateColumns: columns, fullResync: false, scope, owners: true })));
        const seconds = (performance.now() - started) / 1000;
        const [row] = await warehouse.query(`select count(*) as n from ${d.scratchTable(shape.tables.diff)}`);
        await warehouse.execute(d.dropScratchTable(shape.tables.diff));
        return { seconds, records: Number(row.n) };
      };
      const scoped = await run({ since: Number(position.build) });
      const whole = await run(undefined);
      if (scoped.records !== whole.records) throw new Error(`the scoped diff has ${scoped.records} records, the whole one ${whole.records}`);
      return { scoped: scoped.seconds, whole: whole.seconds, records: whole.records };
    },
  };
}

interface Measured {
  readonly wall: Record<string, number>;
  readonly cpu: number;
  readonly summary: BuildSummary;
}

/** Seconds per statement label while `body` runs (the warehouse's execute and query, wrapped). */
async function byLabel<T>(
  warehouse: DuckDBWarehouse,
  body: () => Promise<T>,
): Promise<{ result: T; seconds: Map<string, number>; statements: { seconds: number; sql: string }[] }> {
  const seconds = new Map<string, number>();
  const statements: { seconds: number; sql: string }[] = [];
  const { execute, query } = warehouse;
  const timed = <A extends unknown[], R>(f: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    const started = performance.now();
    try {
      return await f.apply(warehouse, args);
    } finally {
      const label = (args[1] as { label?: string } | undefined)?.label ?? String(args[0]).slice(0, 60);
      const spent = (performance.now() - started) / 1000;
      seconds.set(label, (seconds.get(label) ?? 0) + spent);
      statements.push({ seconds: spent, sql: String(args[0]) });
    }
  };
  Object.assign(warehouse, { execute: timed(execute), query: timed(query) });
  try {
    return { result: await body(), seconds, statements };
  } finally {
    Object.assign(warehouse, { execute, query });
  }
}

async function timedBuild(project: LoadedProject, warehouse: DuckDBWarehouse, runId: string, asOf: number, fullRefresh: boolean): Promise<Measured> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const summary = await buildProject({ project, warehouse, runId, asOf: new Date(asOf), fullRefresh, log: () => undefined });
  const total = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { wall: { ...summary.seconds, total }, cpu: (used.user + used.system) / 1e6, summary };
}


try {
  const project = (await loadProject(dir)).project as LoadedProject;
  const warehouse = await DuckDBWarehouse.open({ path: join(dir, 'bench.duckdb') });
  await warehouse.execute('create schema raw');
  await warehouse.execute('create table raw.events (anon varchar, email varchar, ts timestamp, path varchar)');
  await warehouse.execute('create table raw.orders (email varchar, ordered_at timestamp, amount decimal(10, 2))');
  await warehouse.execute('create table raw.crm (email varchar, plan varchar, updated_at timestamp)');
  const orders = Math.round(events / 20);
  await warehouse.execute(eventsSql(0, events, start, 180));
  await warehouse.execute(ordersSql(0, orders, start, 365));
  await warehouse.execute(`insert into raw.crm select 'u' || i || '@x.com', ['free', 'pro', 'team'][1 + i % 3], ${stamp(start)} - interval 30 day from range(0, ${people}) t(i)`);
  console.log(`${people.toLocaleString('en-US')} people, ${events.toLocaleString('en-US')} events, ${orders.toLocaleString('en-US')} orders; ${(share * 100).toFixed(1)}% new per repeat`);

  const first = await timedBuild(project, warehouse, 'r0', start, true);
  console.log(`first build: ${first.wall.total.toFixed(1)} s, ${first.summary.profiles?.profiles.toLocaleString('en-US')} profiles`);

  const rows: { incremental: Measured; full: Measured }[] = [];
  const diffs: { scoped: number; whole: number; records: number }[] = [];
  const sync = values.sync ? await syncDiffs(project, warehouse) : undefined;
  let asOf = start;
  let nextEvent = events;
  let nextOrder = orders;
  for (let r = 1; r <= repeats; r++) {
    asOf += HOUR;
    await sync?.settle();
    const added = Math.round(events * share);
    const addedOrders = Math.round(orders * share);
    // New events within the last hour (some arrive up to a day late, inside late_arrival).
    await warehouse.execute(eventsSql(nextEvent, added, asOf, 1));
    await warehouse.execute(ordersSql(nextOrder, addedOrders, asOf, 1));
    nextEvent += added;
    nextOrder += addedOrders;
    const { result: incremental, seconds, statements } = await byLabel(warehouse, () => timedBuild(project, warehouse, `i${r}`, asOf, false));
    if (values.steps && r === repeats) {
      console.log('slowest statements of this incremental build (seconds):');
      for (const [label, s] of [...seconds].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${s.toFixed(3).padStart(7)}  ${label}`);
      console.log('slowest single statements (seconds):');
      for (const x of [...statements].sort((a, b) => b.seconds - a.seconds).slice(0, 25)) {
        console.log(`  ${x.seconds.toFixed(3).padStart(7)}  ${x.sql.replace(/\s+/g, ' ').slice(0, 150)}`);
      }
    }
    if (incremental.summary.profiles?.mode !== 'incremental') throw new Error(`repeat ${r}: the build was not incremental`);
    if (sync) {
      const timed = await sync.time();
      diffs.push(timed);
      console.log(`repeat ${r}: sync diff scoped ${timed.scoped.toFixed(2)} s, whole ${timed.whole.toFixed(2)} s, ${timed.records.toLocaleString('en-US')} records either way`);
    }
    const full = await timedBuild(project, warehouse, `f${r}`, asOf, true);
    rows.push({ incremental, full });
    console.log(
      `repeat ${r}: incremental ${incremental.wall.total.toFixed(2)} s (profiles ${incremental.wall.profiles?.toFixed(2)} s, ${incremental.summary.profiles?.recomputed.toLocaleString('en-US')} recomputed), full ${full.wall.total.toFixed(2)} s (profiles ${full.wall.profiles?.toFixed(2)} s)`,
    );
  }

  const ratio = (pick: (m: Measured) => number) => rows.map((x) => pick(x.incremental) / pick(x.full));
  const line = (label: string, xs: number[]) => console.log(`${label.padEnd(44)} ${medianSpread(xs, 3)}`);
  console.log(`\nincremental ÷ full, median (lowest–highest) over ${repeats} repeats:`);
  line('whole build, wall', ratio((m) => m.wall.total));
  line('whole build, CPU', ratio((m) => m.cpu));
  line('profiles and segments stage, wall', ratio((m) => m.wall.profiles ?? 0));
  line('identity stage, wall', ratio((m) => m.wall.identity ?? 0));
  line('profiles recomputed ÷ all profiles', rows.map((x) => (x.incremental.summary.profiles?.recomputed ?? 0) / (x.incremental.summary.profiles?.profiles ?? 1)));
  if (diffs.length > 0) line('sync diff, scoped ÷ whole, wall', diffs.map((x) => x.scoped / x.whole));
  await warehouse.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
