/**
 * Sync benchmark (not a test): `npx tsx bench/sync/run.ts [--profiles 100000] [--changed-pct 1] [--sustained-pct 15]`
 *
 * 1. Seeds N profiles in DuckDB and syncs them all to an unlimited HubSpot sandbox (the baseline).
 * 2. Moves that portal into a sandbox enforcing 100 requests / 10 s, changes 1% of the profiles,
 *    and syncs through the real CLI: rows read from the warehouse must equal the changed rows, write
 *    requests must be ceil(changed / 100) upserts plus list calls, and no 429 may happen.
 * 3. Changes a larger share (sustained run) to measure pacing: achieved requests per 10 s must be at
 *    least 90% of the limit.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { main } from '../../src/cli/main.js';
import { CONTACTS } from '@cdp-oss/crm-sandbox';
import { DEFAULT_SANDBOX_TOKEN, startHubSpotSandbox, type HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { PacedTransport } from '../../src/sync/paced-transport.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';

const { values: args } = parseArgs({ options: { profiles: { type: 'string', default: '100000' }, 'changed-pct': { type: 'string', default: '1' }, 'sustained-pct': { type: 'string', default: '15' } } });
const PROFILES = Number(args.profiles);
const CHANGED_PCT = Number(args['changed-pct']);
const SUSTAINED_PCT = Number(args['sustained-pct']);
const LIMIT = 100;

// ---- instrumentation: diff rows read, and when each request left -----------------------------------
let diffRowsRead = 0;
const originalQuery = DuckDBWarehouse.prototype.query;
DuckDBWarehouse.prototype.query = async function (this: DuckDBWarehouse, sql, options) {
  const rows = await originalQuery.call(this, sql, options);
  if (options?.label?.startsWith('read diff')) diffRowsRead += rows.length;
  return rows;
};
let sentAt: number[] = [];
const originalSend = PacedTransport.prototype.send;
PacedTransport.prototype.send = function <T>(this: PacedTransport, request: () => Promise<T>): Promise<T> {
  return originalSend.call(this, () => {
    sentAt.push(performance.now());
    return request();
  }) as Promise<T>;
};

// ---- project ---------------------------------------------------------------------------------------
const dir = await mkdtemp(join(tmpdir(), 'cdp-bench-'));
await mkdir(join(dir, 'models'));
await mkdir(join(dir, 'connectors'));
await writeFile(
  join(dir, 'cdp.config.yaml'),
  ['project: bench', 'warehouse: { type: duckdb, path: .cdp/warehouse.duckdb }', 'destinations:', '  hubspot:', '    type: hubspot', '    accessToken: ${HUBSPOT_ACCESS_TOKEN}', '    baseUrl: ${HUBSPOT_BASE_URL}', '    requestsPer10s: ${BENCH_RPS}', ''].join('\n'),
);
await writeFile(
  join(dir, 'models/people.yaml'),
  [
    'sources:',
    '  - { name: people, table: raw.people, timestamp: updated_at }',
    'traits:',
    '  - { name: email, from: people, aggregate: last, column: email }',
    '  - { name: first_name, from: people, aggregate: last, column: first_name }',
    '  - { name: lifetime_value, from: people, aggregate: sum, column: amount }',
    '  - { name: order_count, from: people, aggregate: count }',
    '  - { name: marketing_consent, from: people, aggregate: last, column: consent }',
    'segments:',
    '  - { name: high_value, where: "lifetime_value > 900" }',
    '',
  ].join('\n'),
);
await writeFile(
  join(dir, 'connectors/contacts.yaml'),
  [
    'sync: contacts',
    'destination: hubspot',
    'object: contacts',
    'where: marketing_consent',
    'match: { trait: email, field: email }',
    'fields: { firstname: first_name, cdp_lifetime_value: lifetime_value, cdp_order_count: order_count }',
    'segments: { high_value: { list: "CDP: High value" } }',
    'create_fields: true',
    'max_removals_pct: 100',
    '',
  ].join('\n'),
);

const warehouse = await DuckDBWarehouse.open({ path: join(dir, '.cdp/warehouse.duckdb') });
await warehouse.execute('create schema cdp');
await warehouse.execute(
  `create table cdp.profiles as select 'p' || lpad(i::varchar, 7, '0') as profile_id, 'person' || i || '@example.com' as email, 'Name' || i as first_name, (i % 1000)::double as lifetime_value, (i % 10)::bigint as order_count, true as marketing_consent from range(${PROFILES}) t(i)`,
);
const rebuildMembers = 'create or replace table cdp.segment_members as select \'high_value\' as segment, profile_id, timestamp \'2026-01-01\' as entered_at from cdp.profiles where lifetime_value > 900';
await warehouse.execute(rebuildMembers);
await warehouse.close();

async function sync(sandbox: HubSpotSandbox, rps: number): Promise<{ code: number; stderr: string; seconds: number }> {
  let stderr = '';
  const started = performance.now();
  const code = await main(['node', 'cdp', 'sync', '--project-dir', dir, '--quiet'], {
    cwd: dir,
    env: { HUBSPOT_BASE_URL: sandbox.url, HUBSPOT_ACCESS_TOKEN: DEFAULT_SANDBOX_TOKEN, BENCH_RPS: String(rps) },
    stdout: () => undefined,
    stderr: (t) => (stderr += t),
    interactive: false,
  });
  return { code, stderr, seconds: (performance.now() - started) / 1000 };
}

async function change(pct: number, salt: number): Promise<number> {
  const w = await DuckDBWarehouse.open({ path: join(dir, '.cdp/warehouse.duckdb') });
  const every = Math.round(100 / pct);
  const where = `cast(substr(profile_id, 2) as bigint) % ${every} = ${salt % every}`;
  const n = Number((await w.query(`select count(*) as n from cdp.profiles where ${where}`))[0].n);
  await w.execute(`update cdp.profiles set lifetime_value = (lifetime_value + 450 + ${salt}) % 1000, first_name = first_name || '+' where ${where}`);
  await w.execute(rebuildMembers);
  await w.close();
  return n;
}

function throughput(): { requests: number; per10s: number; ratio: number } {
  const n = sentAt.length;
  const span = n > 1 ? sentAt[n - 1] - sentAt[0] : 0;
  const per10s = span > 0 ? ((n - 1) / span) * 10_000 : 0;
  return { requests: n, per10s: Math.round(per10s * 10) / 10, ratio: Math.round((per10s / LIMIT) * 1000) / 1000 };
}

const listCalls = (s: HubSpotSandbox) => Object.entries(s.stats.requests).filter(([k]) => k.startsWith('PUT /crm/v3/lists/')).reduce((a, [, v]) => a + v, 0);

// ---- 1. baseline: everything, unlimited -------------------------------------------------------------
const unlimited = await startHubSpotSandbox({ requestsPer10s: 0, searchPerSecond: 0 });
const initial = await sync(unlimited, 1_000_000);
if (initial.code !== 0) throw new Error(`initial sync failed: ${initial.stderr}`);
console.log(`initial sync: ${PROFILES.toLocaleString('en-US')} profiles in ${initial.seconds.toFixed(1)} s (${unlimited.stats.writeRequests} write requests, unlimited sandbox)`);

// ---- 2. the same portal behind 100 requests / 10 s -------------------------------------------------
const limited = await startHubSpotSandbox({ requestsPer10s: LIMIT, searchPerSecond: 0 });
for (const p of unlimited.store.allProperties(CONTACTS)) limited.store.putProperty(CONTACTS, p);
for (const g of unlimited.store.allGroups(CONTACTS)) limited.store.putGroup(CONTACTS, g);
for (const r of unlimited.store.allRecords(CONTACTS)) {
  const copy = limited.store.createRecord(CONTACTS, r.properties);
  if (copy.id !== r.id) throw new Error('record ids diverged while copying the portal');
}
for (const l of unlimited.store.lists.all()) {
  const copy = limited.store.lists.create({ name: l.name, objectTypeId: l.objectTypeId, processingType: l.processingType });
  if (copy.listId !== l.listId) throw new Error('list ids diverged while copying the portal');
  limited.store.lists.addMembers(copy, [...l.members.keys()]);
}
await unlimited.close();

const changed = await change(CHANGED_PCT, 1);
diffRowsRead = 0;
sentAt = [];
limited.resetStats();
const small = await sync(limited, LIMIT);
if (small.code !== 0) throw new Error(`1% sync failed: ${small.stderr}`);
const smallThroughput = throughput();
const upserts = limited.stats.requests['POST /crm/v3/objects/contacts/batch/upsert'] ?? 0;
const expectedUpserts = Math.ceil(changed / 100);
const lists = listCalls(limited);
const report1 = {
  changedProfiles: changed,
  rowsRead: diffRowsRead,
  writeRequests: limited.stats.writeRequests,
  upsertRequests: upserts,
  expectedUpserts,
  listCalls: lists,
  totalRequests: limited.stats.totalRequests,
  rateLimited: limited.stats.rateLimited,
  seconds: Math.round(small.seconds * 10) / 10,
  achievedPer10s: smallThroughput.per10s,
  ratioToLimit: smallThroughput.ratio,
};

// ---- 3. sustained: a larger change, to measure pacing over many requests ---------------------------
const changedMore = await change(SUSTAINED_PCT, 2);
diffRowsRead = 0;
sentAt = [];
limited.resetStats();
const large = await sync(limited, LIMIT);
if (large.code !== 0) throw new Error(`sustained sync failed: ${large.stderr}`);
const largeThroughput = throughput();
const report2 = {
  changedProfiles: changedMore,
  rowsRead: diffRowsRead,
  writeRequests: limited.stats.writeRequests,
  upsertRequests: limited.stats.requests['POST /crm/v3/objects/contacts/batch/upsert'] ?? 0,
  listCalls: listCalls(limited),
  totalRequests: largeThroughput.requests,
  rateLimited: limited.stats.rateLimited,
  seconds: Math.round(large.seconds * 10) / 10,
  achievedPer10s: largeThroughput.per10s,
  ratioToLimit: largeThroughput.ratio,
};
await limited.close();
await rm(dir, { recursive: true, force: true });

const check = (ok: boolean, text: string) => console.log(`${ok ? 'PASS' : 'FAIL'}  ${text}`);
console.log(`\n${CHANGED_PCT}% changed:`, report1);
console.log(`\nsustained (${((changedMore / PROFILES) * 100).toFixed(1)}% changed):`, report2);
console.log('');
check(report1.rowsRead === changed, `rows read from the warehouse (${report1.rowsRead}) = changed profiles (${changed})`);
check(upserts === expectedUpserts && report1.writeRequests === upserts + lists, `write requests ${report1.writeRequests} = ceil(${changed} / 100) = ${expectedUpserts} upserts + ${lists} list calls`);
check(report1.rateLimited === 0 && report2.rateLimited === 0, `no 429 from the sandbox (${report1.rateLimited + report2.rateLimited})`);
check(report2.ratioToLimit >= 0.9, `sustained pacing ${report2.achievedPer10s} requests / 10 s = ${report2.ratioToLimit} of the ${LIMIT} limit (>= 0.9); ${CHANGED_PCT}% run: ${report1.ratioToLimit}`);
