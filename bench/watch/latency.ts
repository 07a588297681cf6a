/**
 * Watch-mode latency benchmark (not a test): `npx tsx bench/watch/latency.ts [--profiles 2000] [--samples 5] [--every 1s] [--timeout 300]`
 *
 * Event-to-CRM latency of `cdp run --every` (docs/watch.md): a fresh `cdp init` sample project with
 * `--profiles` people, syncing to the local HubSpot and Salesforce sandboxes through the built CLI
 * (`bin/cdp.js`, so run `npm run build` first). After a first, full `cdp run`, the watch starts; once
 * its first (incremental) cycle is done, each sample picks a contact that HubSpot has, who has not
 * bought and is not in the "CDP: High intent" list, drops a new events file with three /pricing views by that email (which puts the profile in
 * the `high_intent` segment), and measures the time until the sandbox has the list membership.
 * Prints every sample and p50/p90 (nearest rank).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { main } from '../../src/cli/main.js';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { CONTACTS } from '@cdp-oss/crm-sandbox';
import { startSandboxes } from '../../src/cli/start-sandboxes.js';

const { values: args } = parseArgs({
  options: { profiles: { type: 'string', default: '2000' }, samples: { type: 'string', default: '5' }, every: { type: 'string', default: '1s' }, timeout: { type: 'string', default: '300' } },
});
const PROFILES = Number(args.profiles);
const SAMPLES = Number(args.samples);
/** How long each wait may take (the first cycle, each sample), in seconds: at 1M the first cycle re-reads the first sync's last writes. */
const TIMEOUT_MS = Number(args.timeout) * 1000;
const LIST = 'CDP: High intent';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const quiet = { stdout: () => undefined, stderr: (t: string) => process.stderr.write(t), interactive: false };

const dir = join(await mkdtemp(join(tmpdir(), 'cdp-bench-watch-')), 'project');
if ((await main(['node', 'cdp', 'init', dir, '--people', String(PROFILES)], { cwd: ROOT, env: process.env, ...quiet })) !== 0) process.exit(1);
const project = (await loadProject(dir, {})).project as LoadedProject;
const sandboxes = await startSandboxes(project, dir, { requestsPer10s: 1000 });
const hubspot = sandboxes.hubspot;

// The first, full sync (the sample's first build trips the identity gate's new-hub check: accept it).
const firstStarted = performance.now();
const first = await main(['node', 'cdp', 'run', '--accept-identity-change'], { cwd: dir, env: { ...process.env, ...sandboxes.env }, ...quiet });
if (first !== 0 && first !== 3) throw new Error(`the first cdp run exited ${first}`);
console.log(`first cdp run (full build and sync): ${((performance.now() - firstStarted) / 1000).toFixed(1)} s`);

const child = spawn(process.execPath, [join(ROOT, 'bin/cdp.js'), '--json', 'run', '--every', args.every], {
  cwd: dir,
  env: { ...process.env, ...sandboxes.env },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const cycles: { cycle: number; status: string; seconds: number; stages?: { stage: string; seconds: number }[]; syncs?: Record<string, { seconds?: number }> }[] = [];
let out = '';
child.stdout.on('data', (d: Buffer) => {
  out += d.toString();
  const lines = out.split('\n');
  out = lines.pop() ?? '';
  for (const line of lines) cycles.push(JSON.parse(line) as (typeof cycles)[number]);
});
const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = TIMEOUT_MS): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A file's first line, without reading the whole file (at 1M people the events file is larger than a string may be). */
async function firstLine(path: string): Promise<string> {
  const file = await open(path);
  try {
    const { buffer, bytesRead } = await file.read({ buffer: Buffer.alloc(64 * 1024) });
    return buffer.subarray(0, bytesRead).toString('utf8').split('\n')[0];
  } finally {
    await file.close();
  }
}

/** Whether the list has the contact. Asked every 20 ms: a lookup, not a copy of the members (at 1M people copying them took a core from the watched run). */
function inList(id: string): boolean {
  return hubspot.store.lists.byName(LIST)?.members.has(id) ?? false;
}

const latencies: number[] = [];
try {
  await until('the first cycle', () => (cycles.length > 0 ? cycles[0] : undefined));
  if (cycles[0].status !== 'success') throw new Error(`first cycle: ${JSON.stringify(cycles[0])}`);
  console.log(`first watch cycle: ${cycles[0].seconds.toFixed(1)} s`);
  const header = await firstLine(join(dir, 'data/web_events.csv'));
  const used = new Set<string>();
  for (let i = 0; i < SAMPLES; i++) {
    const candidate = hubspot.store
      .allRecords(CONTACTS)
      .find((r) => !inList(r.id) && !used.has(r.id) && r.properties.get('email') && !Number(r.properties.get('cdp_lifetime_value') ?? 0));
    if (!candidate) throw new Error('no contact left to move into high_intent: use more --profiles');
    used.add(candidate.id);
    const email = String(candidate.properties.get('email'));
    const now = new Date().toISOString().replace('T', ' ').slice(0, 19);
    const rows = [0, 1, 2].map((k) => `bench-${i}-${k},${now},,,${email},page,,/pricing,,desktop`);
    // Written aside, then renamed into the source's glob (data/web_events*.csv): a cycle never reads half a file.
    const tmp = join(dir, 'data', `.bench-${i}.tmp`);
    await writeFile(tmp, `${header}\n${rows.join('\n')}\n`);
    const started = performance.now();
    await rename(tmp, join(dir, 'data', `web_events_bench_${i}.csv`));
    await until(`${email} in "${LIST}"`, () => (inList(candidate.id) ? true : undefined));
    const ms = performance.now() - started;
    latencies.push(ms);
    console.log(`sample ${i + 1}: ${(ms / 1000).toFixed(2)} s`);
  }
} finally {
  child.kill('SIGTERM');
  const code = await exited;
  await sandboxes.close();
  await rm(join(dir, '..'), { recursive: true, force: true });
  if (code !== 0) console.error(`cdp run --every exited ${code}`);
}

const sorted = [...latencies].sort((a, b) => a - b);
const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] / 1000;
const cycleSeconds = cycles.slice(1).map((c) => c.seconds);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(
  `\nwatch latency, ${PROFILES} profiles, --every ${args.every}, ${latencies.length} samples: p50 ${rank(50).toFixed(2)} s, p90 ${rank(90).toFixed(2)} s` +
    ` (${cycles.length} cycles, incremental cycle ${median(cycleSeconds).toFixed(2)} s median)`,
);
// Where a cycle after the first goes, the median of each part: each build stage, and the syncs with everything else
// (the rest). The medians need not add up to the median cycle.
const steady = cycles.slice(1);
if (steady.length > 0) {
  const med = (pick: (c: (typeof cycles)[number]) => number) => median(steady.map(pick)).toFixed(2);
  const stages = [...new Set(steady.flatMap((c) => (c.stages ?? []).map((s) => s.stage)))];
  const built = (c: (typeof cycles)[number]) => (c.stages ?? []).reduce((a, s) => a + s.seconds, 0);
  console.log(`per cycle, median: ${stages.map((name) => `${name} ${med((c) => c.stages?.find((s) => s.stage === name)?.seconds ?? 0)} s`).join(', ')}; syncs and the rest ${med((c) => c.seconds - built(c))} s`);
  const syncs = [...new Set(steady.flatMap((c) => Object.keys(c.syncs ?? {})))];
  if (syncs.length > 0) console.log(`each sync, median: ${syncs.map((name) => `${name} ${med((c) => c.syncs?.[name]?.seconds ?? 0)} s`).join(', ')}`);
}
