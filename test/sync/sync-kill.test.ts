import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { removeProject } from '../helpers/project.js';
import { contacts, listEmails, makeProject, membersOf, people, query, seed, startSandbox, TOKEN } from './sync-fixture.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'bin/cdp.js');

/**
 * `npm run build` (tsc -p tsconfig.build.json), so that the child process runs the code under test.
 * First incrementally (build info under node_modules/.cache, so repeated runs are quick); if that
 * left any src file without a fresh dist file (dist replaced meanwhile), a full build.
 */
async function build(): Promise<void> {
  const started = Date.now();
  const incremental = ['--', '--incremental', '--tsBuildInfoFile', 'node_modules/.cache/cdp-test-build.tsbuildinfo'];
  let result = await run('npm', ['run', 'build', '--silent', ...incremental], ROOT, {});
  if (staleOutputs(started).length > 0) result = await run('npm', ['run', 'build', '--silent'], ROOT, {});
  // Other folders are edited concurrently: a type error elsewhere must not hide whether our files were emitted.
  const stale = staleOutputs(started).filter((f) => /^(sync|destinations|cli)\//.test(f) && !f.startsWith('destinations/salesforce/'));
  if (stale.length > 0) throw new Error(`build did not emit ${stale.join(', ')}: ${result.stderr}${result.stdout}`);
}

/** Source files without an up-to-date dist file (files saved after `since` are someone's edit in progress). */
function staleOutputs(since: number): string[] {
  const src = join(ROOT, 'src');
  return readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .filter((f) => {
      const out = join(ROOT, 'dist', f.replace(/\.ts$/, '.js'));
      const edited = statSync(join(src, f)).mtimeMs;
      return !existsSync(out) || (statSync(out).mtimeMs < edited && edited < since);
    });
}

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function collect(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done) => child.on('close', (code, signal) => done({ code, signal, stdout, stderr })));
}

function run(command: string, args: readonly string[], cwd: string, env: Readonly<Record<string, string>>): Promise<Finished> {
  return collect(spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
}

let sandbox: HubSpotSandbox;
const dirs: string[] = [];
beforeAll(async () => {
  await build();
  sandbox = await startSandbox();
}, 120_000);
afterAll(async () => {
  // undefined when the build in beforeAll failed
  if (sandbox as HubSpotSandbox | undefined) await sandbox.close();
  await Promise.all(dirs.map(removeProject));
});

describe('a sync killed with SIGKILL', () => {
  it('is recovered by the next run: nothing lost, nothing duplicated', async () => {
    const dir = await makeProject({ where: 'marketing_consent', requestsPer10s: 200 });
    dirs.push(dir);
    const profiles = people(3000);
    await seed(dir, profiles, membersOf(profiles));
    const env = { HUBSPOT_BASE_URL: sandbox.url, HUBSPOT_ACCESS_TOKEN: TOKEN, CDP_SYNC_BACKOFF_SCALE: '0.01' };
    // Slow every write so that the kill lands while batches are in flight and others are committed.
    sandbox.faults.set({ rules: [{ kind: 'delay', ms: 400, match: { pathRegex: '^/crm/v3/objects/contacts/batch/upsert$' } }] });

    const child = spawn(process.execPath, [CLI, 'sync', '--project-dir', dir], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const finished = collect(child);
    // Kill once some batches are confirmed (HubSpot has them and the DuckDB write-ahead log grew with a commit).
    const wal = join(dir, '.cdp/warehouse.duckdb.wal');
    const walSize = () => (existsSync(wal) ? statSync(wal).size : 0);
    while ((sandbox.stats.requests['POST /crm/v3/objects/contacts/batch/upsert'] ?? 0) < 1) await sleep(5);
    const before = walSize();
    while (contacts(sandbox).size < 300 || walSize() <= before) await sleep(5);
    child.kill('SIGKILL');
    const killed = await finished;
    expect(killed.signal).toBe('SIGKILL');
    await sleep(500); // requests the child had in flight still land; let them

    const landed = contacts(sandbox).size;
    expect(landed).toBeGreaterThan(0);
    expect(landed).toBeLessThan(3000);
    const confirmed = Number((await query(dir, 'select count(*) as n from cdp.sync_state_contacts'))[0].n);
    expect(confirmed).toBeGreaterThan(0);
    expect(confirmed).toBeLessThanOrEqual(landed);

    // The killed run's lock names a process of this machine that is gone: the next run takes it over at once.
    sandbox.faults.clear();

    sandbox.resetStats();
    const next = await run(process.execPath, [CLI, 'sync', '--project-dir', dir], dir, env);
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    // exactly what was unconfirmed is sent again: never the confirmed records
    const resent = (sandbox.stats.batchInputs['POST /crm/v3/objects/contacts/batch/upsert'] ?? []).reduce((a, b) => a + b, 0);
    expect(resent).toBe(3000 - confirmed);

    const byEmail = contacts(sandbox);
    expect(byEmail.size).toBe(3000);
    for (const p of profiles) expect(byEmail.get(p.email ?? '')?.properties.get('cdp_lifetime_value')).toBe(String(p.lifetime_value));
    expect(listEmails(sandbox, 'CDP: High value')).toEqual(profiles.filter((p) => (p.lifetime_value ?? 0) > 100).map((p) => String(p.email)).sort());
    expect(Number((await query(dir, 'select count(*) as n from cdp.sync_state_contacts'))[0].n)).toBe(3000);

    sandbox.resetStats();
    const again = await run(process.execPath, [CLI, 'sync', '--project-dir', dir], dir, env);
    expect(again.code).toBe(0);
    expect(sandbox.stats.totalRequests).toBe(0);
  });
});

describe('cdp sandbox', () => {
  it('serves HubSpot on the asked port, prints the env to export, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, 'sandbox', '--port-hubspot', '0', '--port-salesforce', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const finished = collect(child);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    while (!out.includes('Press Ctrl+C')) await sleep(20);
    const url = /export HUBSPOT_BASE_URL=(\S+)/.exec(out)?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out).toContain(`export HUBSPOT_ACCESS_TOKEN=${TOKEN}`);
    const answer = await fetch(`${url}/crm/v3/properties/contacts`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(answer.status).toBe(200);
    child.kill('SIGTERM');
    const done = await finished;
    expect(done.code).toBe(0);
  });
});
