import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { campaignEmails, contacts, highValueEmails, makeProject, people, query, runCdp, sandboxEnv, seed, startSandbox, useSandbox } from './salesforce-fixture.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The real CLI entry point, run from source (no build step) in a child process. */
const CHILD = join(ROOT, 'test/destinations/cli-child.ts');

let sandbox: SalesforceSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started), { resetEach: true, removeProjects: 'afterAll' });

/** Starts `cdp sync` in a child process and SIGKILLs it once `ready` holds. */
async function killMidSync(dir: string, ready: () => boolean): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'sync', '--project-dir', dir], { cwd: ROOT, env: { ...process.env, ...sandboxEnv(sandbox) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<NodeJS.Signals | null>((done) => child.on('close', (_code, signal) => done(signal)));
  const deadline = Date.now() + 30_000;
  while (!ready()) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the child never got far enough (exit ${String(child.exitCode)}): ${stderr} ${JSON.stringify(sandbox.stats.requests)}`);
    await sleep(10);
  }
  child.kill('SIGKILL');
  expect(await closed).toBe('SIGKILL');
  await sleep(300); // requests the child had in flight still land; let them
}

const confirmed = async (dir: string): Promise<number> => Number((await query(dir, 'select count(*) as n from cdp.sync_state_contacts'))[0].n);

/** The kill through sObject Collections runs for every destination in test/destinations/kill.test.ts. */
describe('a Salesforce sync killed with SIGKILL', () => {
  it('is recovered after a kill while a Bulk API job runs: the job is sent again, nothing duplicated', async () => {
    const dir = await makeProject({ where: 'marketing_consent', bulkThreshold: 300 });
    dirs.push(dir);
    const profiles = people(800);
    await seed(dir, profiles);
    sandbox.faults.set({ rules: [{ kind: 'delay', ms: 400, match: { path: '/jobs/ingest/{jobId}' } }] });
    await killMidSync(dir, () => sandbox.stats.bulkJobs.completed >= 1);
    expect(await confirmed(dir)).toBe(0);
    expect(contacts(sandbox).size).toBe(800);

    sandbox.faults.clear();
    sandbox.resetStats();
    const next = await runCdp(dir, sandbox, ['sync']);
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    expect(sandbox.stats.recordsPerCall['PUT /jobs/ingest/{jobId}/batches']).toEqual([800, highValueEmails(profiles).length]);
    expect(sandbox.store.count('Contact')).toBe(800);
    expect(campaignEmails(sandbox, 'CDP: High value')).toEqual(highValueEmails(profiles));
    expect(await confirmed(dir)).toBe(800);
  });
});
