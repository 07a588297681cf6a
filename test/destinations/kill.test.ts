import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { confirmed, DESTINATIONS, highValueEmails, HUBSPOT_TOKEN, people, runCdp, useDestination } from './destination-fixture.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The real CLI entry point, run from source (no build step) in a child process. */
const CHILD = join(ROOT, 'test/destinations/cli-child.ts');

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

function startCli(args: readonly string[], env: Readonly<Record<string, string>>): { child: ChildProcess; finished: Promise<Finished>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const finished = new Promise<Finished>((done) => child.on('close', (code, signal) => done({ code, signal, output })));
  return { child, finished, output: () => output };
}

/** Each destination's kill run: profiles, the delay on each upsert request (so the kill lands while batches are in flight). */
const CASES = { hubspot: { profiles: 3000, delayMs: 400 }, salesforce: { profiles: 2400, delayMs: 200 } } as const;

describe.each(DESTINATIONS)('a $label sync killed with SIGKILL', (destination) => {
  const suite = useDestination(destination);

  const { profiles: n, delayMs } = CASES[destination.name];
  it('is recovered by the next run: nothing lost, nothing duplicated', async () => {
    const profiles = people(n);
    const dir = await suite.project({ where: 'marketing_consent', requestsPer10s: 200, bulkThreshold: 5000 }, profiles);
    suite.crm.slowUpserts(delayMs);

    const { child, finished, output } = startCli(['sync', '--project-dir', dir], suite.crm.env);
    // Kill once some batches are confirmed (the CRM has them and the DuckDB write-ahead log grew with a commit).
    const wal = join(dir, '.cdp/warehouse.duckdb.wal');
    const walSize = () => (existsSync(wal) ? statSync(wal).size : 0);
    const deadline = Date.now() + 60_000;
    const waitFor = async (ready: () => boolean) => {
      while (!ready()) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the child never got far enough (exit ${String(child.exitCode)}): ${output()}`);
        await sleep(5);
      }
    };
    await waitFor(() => suite.crm.upsertRequests() >= 1);
    const before = walSize();
    await waitFor(() => suite.crm.contacts().size >= 3 * destination.upsertBatch && walSize() > before);
    child.kill('SIGKILL');
    expect((await finished).signal).toBe('SIGKILL');
    await sleep(500); // requests the child had in flight still land; let them

    const landed = suite.crm.contacts().size;
    expect(landed).toBeGreaterThan(0);
    expect(landed).toBeLessThan(n);
    const committed = await confirmed(dir);
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThanOrEqual(landed);

    // The killed run's lock names a process of this machine that is gone: the next run takes it over at once.
    suite.crm.clearFaults();
    suite.crm.resetStats();
    const next = await runCdp(dir, suite.crm, ['sync']);
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    // exactly what was unconfirmed is sent again: never the confirmed records
    expect(suite.crm.upsertedRecords().reduce((a, b) => a + b, 0)).toBe(n - committed);

    const byEmail = suite.crm.contacts();
    expect(byEmail.size).toBe(n);
    for (const p of profiles) expect(byEmail.get(p.email ?? '')?.lifetime_value).toBe(destination.stored(p).lifetime_value);
    expect(suite.crm.memberEmails('CDP: High value')).toEqual(highValueEmails(profiles));
    expect(await confirmed(dir)).toBe(n);

    suite.crm.resetStats();
    expect((await runCdp(dir, suite.crm, ['sync'])).code).toBe(0);
    expect(suite.crm.totalRequests()).toBe(0);
  });
});

describe('cdp sandbox', () => {
  it('serves HubSpot on the asked port, prints the env to export, and stops on SIGTERM', async () => {
    const { child, finished, output } = startCli(['sandbox', '--port-hubspot', '0', '--port-salesforce', '0'], {});
    while (!output().includes('Press Ctrl+C')) {
      if (child.exitCode !== null) throw new Error(output());
      await sleep(20);
    }
    const url = /export HUBSPOT_BASE_URL=(\S+)/.exec(output())?.[1] ?? '';
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(output()).toContain(`export HUBSPOT_ACCESS_TOKEN=${HUBSPOT_TOKEN}`);
    const answer = await fetch(`${url}/crm/v3/properties/contacts`, { headers: { Authorization: `Bearer ${HUBSPOT_TOKEN}` } });
    expect(answer.status).toBe(200);
    child.kill('SIGTERM');
    expect((await finished).code).toBe(0);
  });
});
