/**
 * Traits and segments for many profiles, timed against a plain GROUP BY scan of the same events in
 * the same run (the ratio is what to read: these machines are shared and noisy). Then the account
 * roll-ups over those profiles (docs/accounts.md: accounts traits and segments over `account_members`),
 * timed against the person traits they roll up, in the same run (issue target: at most 1.5x).
 *
 *   npx tsx bench/profile/run.ts [--profiles 1000000] [--events 10000000] [--accounts 100000] [--repeats 3]
 *
 * Each repeat times the scan, then a full build (traits and segments from scratch: no previous
 * `segment_members`), then a rebuild (keeping entered_at), one after the other, so every ratio compares
 * measurements taken moments apart. It prints the median and the spread (lowest-highest) over the repeats.
 *
 * Events are generated in DuckDB already mapped to profiles (`_cdp_profile_id`), so this measures the
 * profile stage alone: every trait kind of the sample project, derived traits, four segments.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { buildProfiles } from '../../src/profile/build-profiles.js';
import { accountSegmentSql } from '../../src/account/account-segments-sql.js';
import { accountSpec, type AccountSpec } from '../../src/account/account-spec.js';
import { compileAccountTraitsSelect } from '../../src/account/compile-account-traits.js';
import { replaceTable } from '../../src/warehouse/replace-table.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { writeProject } from '../../test/helpers/project.js';
import { medianSpread } from '../median.js';

interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

const { values } = parseArgs({
  options: { profiles: { type: 'string', default: '1000000' }, events: { type: 'string', default: '10000000' }, accounts: { type: 'string', default: '100000' }, repeats: { type: 'string', default: '3' } },
});
const profiles = Number(values.profiles);
const accounts = Number(values.accounts);
const events = Number(values.events);
const repeats = Math.max(1, Number(values.repeats));
const asOf = new Date('2026-06-30T00:00:00Z');

const dir = await writeProject({
  'cdp.config.yaml': 'project: bench\n',
  'models/p.yaml': `
sources:
  - { name: events, table: raw.events, timestamp: ts }
  - { name: orders, table: raw.orders, timestamp: ordered_at }
traits:
  - { name: pricing_views_7d, from: events, aggregate: count, where: "path = '/pricing'", window: 7d }
  - { name: page_views_30d, from: events, aggregate: count, window: 30d }
  - { name: distinct_paths, from: events, aggregate: count_distinct, column: path }
  - { name: first_seen_at, from: events, aggregate: min, column: ts }
  - { name: last_path, from: events, aggregate: last, column: path }
  - { name: visited_docs, from: events, aggregate: exists, where: "path like '/docs%'" }
  - { name: lifetime_value, from: orders, aggregate: sum, column: amount }
  - { name: avg_order, from: orders, aggregate: avg, column: amount }
  - { name: last_order_at, from: orders, aggregate: max, column: ordered_at }
  - { name: is_customer, sql: "coalesce(lifetime_value, 0) > 0" }
segments:
  - { name: high_intent, where: "pricing_views_7d >= 3 and not is_customer" }
  - { name: customers, where: "is_customer" }
  - { name: engaged, where: "page_views_30d > 5" }
  - { name: vip, where: "customers and lifetime_value > 500" }
accounts:
  id_types:
    domain: { priority: 1, normalize: domain }
  membership:
    - { email_domain: true }
  traits:
    - { name: members, rollup: count }
    - { name: pricing_viewers_7d, rollup: count, where: "pricing_views_7d > 0" }
    - { name: high_intent_members, rollup: count, segment: high_intent }
    - { name: total_ltv, rollup: sum, trait: lifetime_value }
    - { name: avg_page_views, rollup: avg, trait: page_views_30d }
    - { name: first_seen_at, rollup: min, trait: first_seen_at }
    - { name: engagement_score, sql: "pricing_viewers_7d * 10 + members" }
  segments:
    - { name: hot_accounts, where: "pricing_viewers_7d >= 3" }
    - { name: big_spenders, where: "total_ltv > 5000" }
`,
});
const project = (await loadProject(dir)).project as LoadedProject;
const dbDir = await mkdtemp(join(tmpdir(), 'cdp-bench-profile-'));
const w = await DuckDBWarehouse.open({ path: join(dbDir, 'bench.duckdb'), threads: 2 });
try {
  await w.execute('create schema cdp');
  await w.execute(`create table cdp.identifiers as select 'p' || i as profile_id from range(${profiles}) t(i)`);
  await w.execute(`create table cdp.source_events as
    select 'p' || (hash(i) % ${profiles}) as _cdp_profile_id,
           timestamp '2026-06-30' - to_seconds(cast(hash(i, 1) % (120 * 86400) as bigint)) as ts,
           ['/', '/pricing', '/docs/a', '/docs/b', '/blog/x', '/features'][1 + cast(hash(i, 2) % 6 as int)] as path
    from range(${events}) t(i)`);
  await w.execute(`create table cdp.source_orders as
    select 'p' || (hash(i) % ${profiles}) as _cdp_profile_id,
           timestamp '2026-06-30' - to_seconds(cast(hash(i, 3) % (365 * 86400) as bigint)) as ordered_at,
           cast(hash(i, 4) % 50000 as double) / 100 as amount
    from range(${Math.round(events / 20)}) t(i)`);

  /** Wall seconds and CPU seconds of this process (DuckDB's threads included): CPU time moves less when other work shares the machine. */
  const time = async (work: () => Promise<unknown>): Promise<Timing> => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    await work();
    const used = process.cpuUsage(cpu);
    return { wall: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 };
  };
  const scan = () => w.query('select count(*) from (select _cdp_profile_id, count(*) from cdp.source_events group by 1)');
  let run = 0;
  const build = () => buildProfiles({ project, warehouse: w, runId: `r${++run}`, asOf, fullRefresh: false, log: () => {} }, (s) => `select * from cdp.source_${s}`);
  const fresh = async () => {
    for (const table of ['profiles', 'segment_members', 'segment_changes']) await w.execute(`drop table if exists cdp.${table}`);
  };
  // Accounts: every profile in one of `accounts` accounts (as membership would leave them), then the
  // account traits and segments exactly as the build computes them.
  await w.execute(`create table cdp.account_identifiers as select 'acc_' || i as account_id, 'domain' as id_type, 'c' || i || '.com' as id_value, timestamp '2026-06-30' as first_seen, timestamp '2026-06-30' as last_seen from range(${accounts}) t(i)`);
  await w.execute(`create table cdp.account_members as select profile_id, 'acc_' || (hash(profile_id) % ${accounts}) as account_id, 'email_domain' as reason from cdp.identifiers`);
  const spec = accountSpec(project) as AccountSpec;
  const buildAccounts = async () => {
    await replaceTable(w, spec.tables.accounts, compileAccountTraitsSelect(project, w.dialect, spec, { asOf }));
    const seg = accountSegmentSql(project, w.dialect, spec, { runId: `a${++run}`, asOf });
    for (const sql of [...seg.createTables, seg.evaluate, seg.recordChanges]) await w.execute(sql);
    await replaceTable(w, spec.tables.segmentMembers, seg.next);
    await w.execute(seg.dropNow);
  };
  await scan(); // warm the cache once, so the first repeat is not the only cold one
  const baseline: Timing[] = [];
  const first: Timing[] = [];
  const second: Timing[] = [];
  const account: Timing[] = [];
  let summary: Awaited<ReturnType<typeof build>> | undefined;
  for (let i = 0; i < repeats; i++) {
    await fresh();
    baseline.push(await time(scan));
    first.push(await time(build));
    second.push(await time(async () => (summary = await build())));
    account.push(await time(buildAccounts));
  }
  const line = (label: string, ts: readonly Timing[]) => {
    const wall = ts.map((t) => t.wall);
    const cpu = ts.map((t) => t.cpu);
    const ratio = (key: keyof Timing) => (ts === baseline ? '' : `  ratio ${medianSpread(ts.map((t, i) => t[key] / baseline[i][key]), 1)}x`);
    console.log(`${label.padEnd(42)} wall ${medianSpread(wall, 2)} s${ratio('wall')}   cpu ${medianSpread(cpu, 2)} s${ratio('cpu')}`);
  };
  console.log(`profiles ${profiles.toLocaleString('en-US')}, events ${events.toLocaleString('en-US')}, orders ${Math.round(events / 20).toLocaleString('en-US')}, ${repeats} repeats: median (lowest-highest)`);
  line('baseline: plain GROUP BY scan of events', baseline);
  line('traits + segments (first build)', first);
  line('traits + segments (rebuild, entered_at)', second);
  const accountRatio = account.map((a, i) => a.wall / second[i].wall);
  console.log(`accounts ${accounts.toLocaleString('en-US')}: traits + segments wall ${medianSpread(account.map((a) => a.wall), 2)} s`);
  console.log(`account roll-ups / person traits + segments rebuild (same repeat): ${medianSpread(accountRatio, 2)}x (target <= 1.5x)`);
  console.log(`segments: ${summary?.segments.map((s) => `${s.segment} ${s.size}`).join(', ')}`);
} finally {
  await w.close();
  await rm(dbDir, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
}
