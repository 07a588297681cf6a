import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import jsforce from 'jsforce';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PASSWORD, DEFAULT_USERNAME, type SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { contacts, makeProject, people, query, runCdp, sandboxEnv, seed, startSandbox, useSandbox } from './salesforce-fixture.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The real CLI entry point, run from source in a child process. */
const CHILD = join(ROOT, 'test/destinations/cli-child.ts');

let sandbox: SalesforceSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started), { resetEach: true, removeProjects: 'afterAll' });

interface JobInfo {
  readonly id: string;
  readonly object: string;
  readonly state: string;
  readonly jobType: string;
}

/** jsforce signed in as the sandbox user, the way any Salesforce client would see the org. */
async function connection(): Promise<jsforce.Connection> {
  const conn = new jsforce.Connection({ loginUrl: sandbox.url, version: '62.0', oauth2: { clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET, loginUrl: sandbox.url } });
  await conn.login(DEFAULT_USERNAME, DEFAULT_PASSWORD);
  return conn;
}

async function allJobs(conn: jsforce.Connection): Promise<JobInfo[]> {
  const jobs: JobInfo[] = [];
  let url: string | null = '/jobs/ingest';
  while (url !== null) {
    const page: { done: boolean; records: JobInfo[]; nextRecordsUrl: string | null } = await conn.request(url);
    jobs.push(...page.records);
    url = page.done ? null : page.nextRecordsUrl;
  }
  return jobs;
}

describe('Bulk API 2.0 jobs a killed sync left Open', () => {
  it('are aborted by the next sync; other jobs are left alone', async () => {
    const dir = await makeProject({ where: 'marketing_consent', bulkThreshold: 300 });
    dirs.push(dir);
    const profiles = people(800);
    await seed(dir, profiles);
    const conn = await connection();
    // Someone else's job on another object, still Open: not cdp's to abort.
    const foreign = conn.bulk2.createJob({ object: 'Account', operation: 'insert' });
    await foreign.open();

    // Hold the upload, so the kill lands while cdp's job is Open.
    sandbox.faults.set({ rules: [{ kind: 'delay', ms: 3000, match: { path: '/jobs/ingest/{jobId}/batches' } }] });
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'sync', '--project-dir', dir], { cwd: ROOT, env: { ...process.env, ...sandboxEnv(sandbox) }, stdio: ['ignore', 'ignore', 'ignore'] });
    const closed = new Promise<NodeJS.Signals | null>((done) => child.on('close', (_code, signal) => done(signal)));
    while ((await allJobs(conn)).filter((j) => j.object === 'Contact').length === 0) {
      if (child.exitCode !== null) throw new Error('the sync ended before opening a Bulk job');
      await sleep(20);
    }
    child.kill('SIGKILL');
    expect(await closed).toBe('SIGKILL');
    sandbox.faults.clear();
    const left = (await allJobs(conn)).filter((j) => j.object === 'Contact');
    expect(left.map((j) => j.state)).toEqual(['Open']);
    expect(left[0].jobType).toBe('V2Ingest');

    const next = await runCdp(dir, sandbox, ['sync', '--verbose']);
    expect(next.code).toBe(0);
    expect(next.stderr).toContain(`aborted 1 Bulk API job(s) an earlier run left Open: ${left[0].id}`);
    const after = await allJobs(conn);
    expect(after.find((j) => j.id === left[0].id)?.state).toBe('Aborted');
    expect(after.find((j) => j.id === foreign.id)?.state).toBe('Open');
    expect(after.filter((j) => j.state === 'Open').map((j) => j.id)).toEqual([foreign.id]);
    // and the records still all arrive, once
    expect(contacts(sandbox).size).toBe(800);
    expect(Number((await query(dir, 'select count(*) as n from cdp.sync_state_contacts'))[0].n)).toBe(800);
  });

  it('are found through the job list, which the sandbox pages like Salesforce (1000 a page, nextRecordsUrl)', async () => {
    const conn = await connection();
    for (let i = 0; i < 1001; i++) await conn.bulk2.createJob({ object: 'Contact', operation: 'insert' }).open();
    const first: { done: boolean; records: JobInfo[]; nextRecordsUrl: string | null } = await conn.request('/jobs/ingest');
    expect(first.records).toHaveLength(1000);
    expect(first.done).toBe(false);
    expect(first.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/jobs\/ingest\?queryLocator=/);
    expect(await allJobs(conn)).toHaveLength(1001);
    expect(((await conn.request('/jobs/ingest?jobType=Classic')) as { records: unknown[] }).records).toEqual([]);
  });
});
