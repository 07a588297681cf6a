/**
 * `cdp run --every` as users run it: the built binary on a fresh `cdp init` sample project, syncing to
 * the HubSpot and Salesforce sandboxes, stopped with SIGTERM (docs/watch.md).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFile } from 'node:fs/promises';
import { CommandContext } from '../../src/cli/context.js';
import { loadSyncProject } from '../../src/cli/commands/sync-command-support.js';
import { watchRuns } from '../../src/cli/commands/watch-runs.js';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { RunError } from '../../src/diagnostics/diagnostic.js';
import { startSandboxes, type Sandboxes } from '../../src/cli/start-sandboxes.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import type { Row, Warehouse } from '../../src/warehouse/warehouse.js';
import { cdp, removeProject } from '../helpers/project.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'bin/cdp.js');

let dir: string;
let project: LoadedProject;
let sandboxes: Sandboxes;

beforeAll(async () => {
  // The child runs dist/: build it from the sources under test.
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`npm run build failed: ${built.stdout}${built.stderr}`);
  dir = join(await mkdtemp(join(tmpdir(), 'cdp-watch-')), 'project');
  const init = await cdp(ROOT, ['init', dir, '--people', '200']);
  if (init.code !== 0) throw new Error(init.stderr);
  project = (await loadProject(dir, {})).project as LoadedProject;
  sandboxes = await startSandboxes(project, dir, { requestsPer10s: 1000 });
}, 180_000);
afterAll(async () => {
  if (sandboxes as Sandboxes | undefined) await sandboxes.close();
  if (dir) await removeProject(join(dir, '..'));
});

async function query(sql: string): Promise<Row[]> {
  const warehouse = await DuckDBWarehouse.open({ path: join(dir, '.cdp', 'warehouse.duckdb') });
  try {
    return await warehouse.query(sql);
  } finally {
    await warehouse.close();
  }
}

/** Resolves once stdout holds `n` complete lines. */
function linesOn(child: ChildProcess, n: number): Promise<string[]> {
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n').slice(0, -1);
      if (lines.length >= n) resolve(lines);
    });
    child.on('close', () => reject(new Error(`exited before ${n} lines: ${out}`)));
  });
}

describe('cdp run --every', () => {
  it('runs cycles until SIGTERM, then exits 0 with the lock released and every cycle recorded as a successful run', async () => {
    const child = spawn(process.execPath, [CLI, '--json', 'run', '--every', '1s'], { cwd: dir, env: { ...process.env, ...sandboxes.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    let all = '';
    child.stdout?.on('data', (d: Buffer) => (all += d.toString()));

    await linesOn(child, 2);
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    expect({ code, signal, stderr: stderr.replace(/^SIGTERM: stopping after the current cycle.*\n/m, '') }).toEqual({ code: 0, signal: null, stderr: '' });

    // One JSON object per line, one per cycle.
    const cycles = all.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(cycles.length).toBeGreaterThanOrEqual(2);
    expect(cycles.map((c) => c.cycle)).toEqual(cycles.map((_, i) => i + 1));
    for (const c of cycles) {
      expect(c).toMatchObject({ status: 'success', exit_code: 0, error: null });
      expect((c.stages as { stage: string }[]).map((s) => s.stage)).toEqual(['models', 'types', 'identity', 'profiles', 'accounts']);
      expect(Object.keys(c.syncs as object).sort()).toEqual(['hubspot_companies', 'hubspot_contacts', 'salesforce_accounts', 'salesforce_contacts']);
      // Each sync's own time, so a watch shows where a cycle goes besides the build.
      for (const s of Object.values(c.syncs as Record<string, { seconds: number }>)) expect(s.seconds).toBeGreaterThan(0);
    }
    expect(cycles[0].next_in_seconds).toBe(1);
    // The first cycle created the contacts; the next ones found nothing changed.
    expect((cycles[0].syncs as Record<string, { created: number }>).hubspot_contacts.created).toBeGreaterThan(0);
    expect((cycles[1].syncs as Record<string, { created: number }>).hubspot_contacts.created).toBe(0);

    const runs = await query(`select run_id, command, status from cdp.runs order by started_at`);
    expect(runs).toEqual(cycles.map((c) => ({ run_id: c.run_id, command: 'run', status: 'success' })));
    expect(await query(`select holder, heartbeat_at from cdp._cdp_lock where name = 'run'`)).toEqual([{ holder: null, heartbeat_at: null }]);
  }, 120_000);

  it('refuses a duration it cannot read, before touching the warehouse (exit 2)', async () => {
    const result = await cdp(dir, ['run', '--every', 'soon'], sandboxes.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--every 'soon' is not a duration of at least 1 second \(use a number and a unit/);
  });

  it('stops with lock-lost when another run takes its lock over during a pause, without starting another run', async () => {
    // A second project, whose lock times out after a minute (heartbeat every 15 s).
    const other = join(dir, '..', 'lost');
    const init = await cdp(ROOT, ['init', other, '--people', '50']);
    expect(init.code, init.stderr).toBe(0);
    await appendFile(join(other, 'cdp.config.yaml'), 'lock_timeout_minutes: 1\n');
    // In-process, so that the test can reach the DuckDB file the watch holds: every session is a
    // connection of one shared instance (a DuckDB file can be open in only one instance).
    const shared = await DuckDBWarehouse.open({ path: join(other, '.cdp', 'warehouse.duckdb') });
    class SharedContext extends CommandContext {
      override async warehouse(): Promise<Warehouse> {
        return shared.session();
      }
    }
    let stdout = '';
    let stderr = '';
    const io = { cwd: other, env: { PATH: process.env.PATH, ...sandboxes.env }, stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t), interactive: false };
    const ctx = new SharedContext(io, { json: true });
    try {
      const { project: p, syncs } = await loadSyncProject(ctx, []);
      const watching = watchRuns(ctx, p, syncs, { every: '1h' }, 60 * 60_000).then(
        (code) => ({ code, error: undefined as unknown }),
        (error: unknown) => ({ code: undefined, error }),
      );
      await expect.poll(() => stdout.split('\n').length > 1, { timeout: 60_000 }).toBe(true);
      // Another machine takes the lock over while the watch pauses for an hour.
      await shared.execute(`update cdp._cdp_lock set holder = 'other-host:1:x', heartbeat_at = '${new Date().toISOString()}' where name = 'run'`);
      const ended = await watching;
      expect(ended.code, stderr).toBeUndefined();
      expect(ended.error).toBeInstanceOf(RunError);
      expect((ended.error as RunError).code).toBe('lock-lost');
      const cycles = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(cycles.map((c) => [c.cycle, c.status])).toEqual([
        [1, 'success'],
        [2, 'failed'],
      ]);
      expect(cycles[1]).toMatchObject({ run_id: null, exit_code: 1, next_in_seconds: null, error: expect.stringMatching(/^lock-lost: this run lost the run lock to other-host:1:x/) });
      expect(await shared.query(`select status from cdp.runs`)).toEqual([{ status: 'success' }]);
      expect(await shared.query(`select holder from cdp._cdp_lock where name = 'run'`)).toEqual([{ holder: 'other-host:1:x' }]);
    } finally {
      await shared.close();
    }
  }, 120_000);
});
