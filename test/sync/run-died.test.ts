import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { makeProject, membersOf, people, query, runCdp, seed, startSandbox, TOKEN, useSandbox } from './sync-fixture.js';

/** Spawns the built CLI (`npm run build` first). */
const CLI = join(fileURLToPath(new URL('../..', import.meta.url)), 'bin/cdp.js');

let sandbox: HubSpotSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started), { removeProjects: 'afterAll' });

describe('a run whose process is killed', () => {
  it('is marked died by the next run that takes its lock, and history shows it', async () => {
    const dir = await makeProject();
    dirs.push(dir);
    const profiles = people(300);
    await seed(dir, profiles, membersOf(profiles));
    // Hold every upsert a while, so the kill lands while the sync is running.
    sandbox.faults.set({ rules: [{ kind: 'delay', ms: 1500, match: { pathRegex: '^/crm/v3/objects/contacts/batch/upsert$' } }] });
    const child = spawn(process.execPath, [CLI, 'sync', '--project-dir', dir], {
      env: { ...process.env, HUBSPOT_BASE_URL: sandbox.url, HUBSPOT_ACCESS_TOKEN: TOKEN },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const exited = new Promise<NodeJS.Signals | null>((done) => child.on('close', (_code, signal) => done(signal)));
    while ((sandbox.stats.requests['POST /crm/v3/objects/contacts/batch/upsert'] ?? 0) < 1) await sleep(5);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(await query(dir, `select status from cdp.runs`)).toEqual([{ status: 'running' }]);
    sandbox.faults.clear();

    const next = await runCdp(dir, sandbox, ['sync']);
    expect(next.code).toBe(0);
    const runs = await query(dir, `select run_id, status, error, finished_at is not null as finished from cdp.runs order by started_at`);
    expect(runs.map((r) => [r.status, r.finished])).toEqual([
      ['died', true],
      ['success', true],
    ]);
    expect(String(runs[0].error)).toContain(`its lock was taken over by run ${String(runs[1].run_id)}`);

    const history = await runCdp(dir, sandbox, ['history']);
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(new RegExp(`${String(runs[0].run_id)}\\s+sync\\s+died`));
  });
});
