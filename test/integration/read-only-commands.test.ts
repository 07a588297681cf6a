import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { removeProject } from '../helpers/project.js';
import { makeProject, membersOf, people, runCdp, seed, startSandbox, warehousePath } from '../sync/sync-fixture.js';

let sandbox: HubSpotSandbox;
const dirs: string[] = [];
const holders: ChildProcess[] = [];
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(async () => {
  for (const child of holders.splice(0)) {
    child.stdin?.end();
    if (child.exitCode === null) await once(child, 'exit');
  }
  await Promise.all(dirs.splice(0).map(removeProject));
});

/**
 * Another process that has the DuckDB file open read-write and holds the run lock, as a running
 * `cdp build` does, until its stdin closes.
 */
async function holdWarehouse(path: string): Promise<ChildProcess> {
  const script = `
    import { DuckDBInstance } from '@duckdb/node-api';
    const instance = await DuckDBInstance.create(${JSON.stringify(path)});
    const c = await instance.connect();
    await c.run("update cdp._cdp_lock set holder = 'other:1:run', heartbeat_at = '2999-01-01' where name = 'run'");
    process.stdout.write('ready\\n');
    process.stdin.resume();
    process.stdin.on('end', () => { c.closeSync(); instance.closeSync(); process.exit(0); });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] });
  holders.push(child);
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  expect(chunk.toString()).toBe('ready\n');
  return child;
}

describe('read-only commands while a run holds the warehouse', () => {
  it('history, plan, inspect and rejections answer from a copy of the DuckDB file; build is refused', async () => {
    const profiles = people(12);
    const dir = await makeProject({});
    dirs.push(dir);
    await seed(dir, profiles, membersOf(profiles));
    const synced = await runCdp(dir, sandbox, ['sync']);
    expect(synced.code, synced.stderr).toBe(0);

    await holdWarehouse(warehousePath(dir));

    const history = await runCdp(dir, sandbox, ['history', '--json']);
    expect(history.code, history.stderr).toBe(0);
    expect(JSON.parse(history.stdout)).toMatchObject({ ok: true, runs: [{ command: 'sync', status: 'success' }] });
    expect(history.stderr).toContain('showing a copy of it');

    const plan = await runCdp(dir, sandbox, ['plan', '--json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ ok: true, syncs: [{ sync: 'contacts', diff: { creates: 0 } }] });

    const inspect = await runCdp(dir, sandbox, ['inspect', 'email:person1@example.com']);
    expect(inspect.code, inspect.stderr).toBe(0);

    const rejections = await runCdp(dir, sandbox, ['rejections']);
    expect(rejections.code, rejections.stderr).toBe(0);
    expect(rejections.stdout).toContain('no rejected records');

    const sync = await runCdp(dir, sandbox, ['sync']);
    expect(sync.code).toBe(1);
    expect(sync.stderr).toContain('in use by another process');
  });
});
