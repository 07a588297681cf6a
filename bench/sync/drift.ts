/**
 * Drift-check benchmark (not a test): `npx tsx bench/sync/drift.ts [--profiles 100000] [--edited-pct 0.1]`
 *
 * 1. Seeds N profiles in DuckDB and syncs them all to an unlimited HubSpot sandbox with `drift: true`.
 * 2. A no-change run settles the drift mark.
 * 3. People edit `cdp_lifetime_value` on edited-pct of the contacts in HubSpot.
 * 4. The measured run: no warehouse change. Its drift check must read at most
 *    ceil(edited / 200) search pages + a constant (archived listing, live count), and take at most 10%
 *    of the same run's sync time; every edit is restored.
 * 5. The same no-change run with `drift: false`, for the time of a plain sync.
 * The drift overlap is 5 s here (CDP_DRIFT_OVERLAP_MS), and the runs are spaced by it, so the reads
 * measure people's edits only (the default 2-minute overlap also re-reads cdp's own last writes).
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { main } from '../../src/cli/main.js';
import { CONTACTS } from '@cdp-oss/crm-sandbox';
import { DEFAULT_SANDBOX_TOKEN, startHubSpotSandbox, type HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';

const { values: args } = parseArgs({ options: { profiles: { type: 'string', default: '100000' }, 'edited-pct': { type: 'string', default: '0.1' } } });
const PROFILES = Number(args.profiles);
const EDITED_PCT = Number(args['edited-pct']);
const OVERLAP_MS = 5_000;
const SEARCH_PAGE = 200;

const dir = await mkdtemp(join(tmpdir(), 'cdp-bench-drift-'));
await mkdir(join(dir, 'models'));
await mkdir(join(dir, 'connectors'));
await writeFile(
  join(dir, 'cdp.config.yaml'),
  ['project: bench', 'warehouse: { type: duckdb, path: .cdp/warehouse.duckdb }', 'destinations:', '  hubspot:', '    type: hubspot', '    accessToken: ${HUBSPOT_ACCESS_TOKEN}', '    baseUrl: ${HUBSPOT_BASE_URL}', '    requestsPer10s: 1000000', ''].join('\n'),
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
    'segments:',
    '  - { name: high_value, where: "lifetime_value > 900" }',
    '',
  ].join('\n'),
);
const connector = join(dir, 'connectors/contacts.yaml');
await writeFile(
  connector,
  [
    'sync: contacts',
    'destination: hubspot',
    'object: contacts',
    'match: { trait: email, field: email }',
    'fields: { firstname: first_name, cdp_lifetime_value: lifetime_value, cdp_order_count: order_count }',
    'segments: { high_value: { list: "CDP: High value" } }',
    'create_fields: true',
    'max_removals_pct: 100',
    'drift: true',
    '',
  ].join('\n'),
);
const warehouse = await DuckDBWarehouse.open({ path: join(dir, '.cdp/warehouse.duckdb') });
await warehouse.execute('create schema cdp');
await warehouse.execute(
  `create table cdp.profiles as select 'p' || lpad(i::varchar, 7, '0') as profile_id, 'person' || i || '@example.com' as email, 'Name' || i as first_name, (i % 1000)::double as lifetime_value, (i % 10)::bigint as order_count from range(${PROFILES}) t(i)`,
);
await warehouse.execute("create table cdp.segment_members as select 'high_value' as segment, profile_id, timestamp '2026-01-01' as entered_at from cdp.profiles where lifetime_value > 900");
await warehouse.close();

interface SyncJson {
  readonly syncs: readonly { readonly seconds: number; readonly requests: number; readonly sent: { readonly updated: number }; readonly drift?: { readonly edited: number; readonly requests: number; readonly seconds: number } }[];
}

async function sync(sandbox: HubSpotSandbox): Promise<{ wall: number; summary: SyncJson['syncs'][number] }> {
  let stdout = '';
  let stderr = '';
  const started = performance.now();
  const code = await main(['node', 'cdp', 'sync', '--project-dir', dir, '--json'], {
    cwd: dir,
    env: { HUBSPOT_BASE_URL: sandbox.url, HUBSPOT_ACCESS_TOKEN: DEFAULT_SANDBOX_TOKEN, CDP_DRIFT_OVERLAP_MS: String(OVERLAP_MS) },
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    interactive: false,
  });
  if (code !== 0) throw new Error(`sync failed (${code}): ${stderr}`);
  return { wall: (performance.now() - started) / 1000, summary: (JSON.parse(stdout) as SyncJson).syncs[0] };
}

const sandbox = await startHubSpotSandbox({ requestsPer10s: 0, searchPerSecond: 0 });
const baseline = await sync(sandbox);
console.log(`initial sync: ${PROFILES.toLocaleString('en-US')} profiles in ${baseline.wall.toFixed(1)} s`);
await sleep(OVERLAP_MS + 1_000);
await sync(sandbox);
await sleep(OVERLAP_MS + 1_000);

const every = Math.round(100 / EDITED_PCT);
const edited = sandbox.store.allRecords(CONTACTS).filter((_, i) => i % every === 0);
for (const r of edited) sandbox.store.updateRecord(r, new Map([['cdp_lifetime_value', '-1']]));
sandbox.resetStats();
const measured = await sync(sandbox);
const reads = Object.entries(sandbox.stats.requests).filter(([k]) => k.includes('/search') || k.startsWith('GET ') || k.includes('/batch/read')).reduce((a, [, n]) => a + n, 0);
const restored = sandbox.store.allRecords(CONTACTS).filter((r) => edited.some((e) => e.id === r.id) && r.properties.get('cdp_lifetime_value') !== '-1').length;
await sleep(OVERLAP_MS + 1_000);

await writeFile(connector, (await readFile(connector, 'utf8')).replace('drift: true', 'drift: false'));
const plain = await sync(sandbox);
await sandbox.close();
await rm(dir, { recursive: true, force: true });

const drift = measured.summary.drift;
const bound = Math.ceil(edited.length / SEARCH_PAGE) + 2;
const report = {
  profiles: PROFILES,
  editedInCrm: edited.length,
  driftReads: drift?.requests,
  sandboxReadRequests: reads,
  readBound: `ceil(${edited.length} / ${SEARCH_PAGE}) + 2 = ${bound}`,
  restored,
  driftSeconds: drift?.seconds,
  syncSeconds: measured.summary.seconds,
  driftShareOfSync: drift ? Math.round((drift.seconds / measured.summary.seconds) * 1000) / 1000 : undefined,
  plainNoChangeSyncSeconds: plain.summary.seconds,
  driftShareOfPlainSync: drift ? Math.round((drift.seconds / plain.summary.seconds) * 1000) / 1000 : undefined,
  initialSyncSeconds: baseline.summary.seconds,
  driftShareOfInitialSync: drift ? Math.round((drift.seconds / baseline.summary.seconds) * 1000) / 1000 : undefined,
};
console.log(report);
const check = (ok: boolean, text: string) => console.log(`${ok ? 'PASS' : 'FAIL'}  ${text}`);
check(drift !== undefined && drift.requests <= bound, `drift reads ${drift?.requests} <= ${report.readBound}`);
check(restored === edited.length && drift?.edited === edited.length, `every edit restored (${restored} of ${edited.length}, ${drift?.edited} reported)`);
// Two readings of "the time of the sync itself": the sync of these 100k records, and this no-change run.
check(report.driftShareOfInitialSync !== undefined && report.driftShareOfInitialSync <= 0.1, `drift check ${drift?.seconds} s = ${report.driftShareOfInitialSync} of the time to sync the ${PROFILES} records (${baseline.summary.seconds} s) (<= 0.1)`);
check(report.driftShareOfSync !== undefined && report.driftShareOfSync <= 0.1, `drift check ${drift?.seconds} s = ${report.driftShareOfSync} of this no-change run's sync time ${measured.summary.seconds} s (<= 0.1)`);
