import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { RunError } from '../../src/diagnostics/diagnostic.js';
import { LockedWarehouse } from '../../src/run/locked-warehouse.js';
import { heartbeatInterval, RunLock } from '../../src/run/run-lock.js';
import { recordRun, withLock } from '../../src/run/with-run.js';
import { nextWait } from '../../src/run/watch-loop.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { removeProject, writeProject } from '../helpers/project.js';

let dir: string;
let project: LoadedProject;
let warehouse: DuckDBWarehouse;

beforeEach(async () => {
  dir = await writeProject({ 'cdp.config.yaml': 'project: t\nlock_timeout_minutes: 10\n' });
  project = (await loadProject(dir)).project as LoadedProject;
  warehouse = await DuckDBWarehouse.open({ path: ':memory:' });
});
afterEach(async () => {
  await warehouse.close();
  await removeProject(dir);
});

const minutes = (t0: Date, m: number) => new Date(t0.getTime() + m * 60_000);
const lockRow = async () => (await warehouse.query(`select holder, heartbeat_at from cdp._cdp_lock where name = 'run'`))[0];
/** Another machine takes the lock over (as its acquire would after this holder's heartbeat went stale). */
const takeOver = (at: Date) => warehouse.execute(`update cdp._cdp_lock set holder = 'other-host:1:x', heartbeat_at = '${at.toISOString()}' where name = 'run'`);

describe('run lock heartbeat', () => {
  it('refreshes heartbeat_at, on the holder’s row only', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const lock = await RunLock.acquire(warehouse, project, t0);
    expect(await lockRow()).toEqual({ holder: lock.holder, heartbeat_at: t0.toISOString() });
    await lock.heartbeat(minutes(t0, 7));
    expect(await lockRow()).toEqual({ holder: lock.holder, heartbeat_at: minutes(t0, 7).toISOString() });
  });

  it('refreshes on its own session while the run goes on (keepAlive)', async () => {
    const t0 = new Date(Date.now() - 60 * 60_000);
    const lock = await RunLock.acquire(warehouse, project, t0);
    const session = await warehouse.session();
    const stop = lock.keepAlive(session, 20);
    await expect.poll(async () => String((await lockRow()).heartbeat_at) > t0.toISOString(), { timeout: 10_000 }).toBe(true);
    await stop();
    await session.close();
    expect((await lockRow()).holder).toBe(lock.holder);
  });

  it('is taken over only when its heartbeat is stale, not because the run started long ago', async () => {
    const t0 = new Date();
    const lock = await RunLock.acquire(warehouse, project, minutes(t0, -30)); // started 30 minutes ago, timeout 10
    await lock.heartbeat(minutes(t0, -4));
    await expect(RunLock.acquire(warehouse, project, t0)).rejects.toThrow(/another cdp run holds the lock/);
    // No heartbeat for 11 minutes: stale, taken over.
    const other = await RunLock.acquire(warehouse, project, minutes(t0, 7));
    expect((await lockRow()).holder).toBe(other.holder);
    await other.release();
  });

  it('detects a lost lock: the heartbeat throws lock-lost and the run’s warehouse refuses every further statement', async () => {
    const t0 = new Date();
    const lock = await RunLock.acquire(warehouse, project, t0);
    const locked = new LockedWarehouse(warehouse, lock);
    await locked.execute('create table cdp.written (x integer)');
    await takeOver(minutes(t0, 11));
    const lost = await lock.heartbeat(minutes(t0, 12)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(lost).toBeInstanceOf(RunError);
    expect((lost as RunError).code).toBe('lock-lost');
    expect((lost as RunError).message).toMatch(/lost the run lock to other-host:1:x/);
    await expect(locked.execute('insert into cdp.written values (1)')).rejects.toThrow(/lost the run lock/);
    await expect(locked.insertRows({ schema: 'cdp', name: 'written' }, ['x'], [[2]])).rejects.toThrow(/lost the run lock/);
    expect(await warehouse.query('select * from cdp.written')).toEqual([]);
    // The heartbeat did not write the other holder's row, and releasing leaves it alone.
    await lock.release();
    expect(await lockRow()).toEqual({ holder: 'other-host:1:x', heartbeat_at: minutes(t0, 11).toISOString() });
  });

  it('a run that lost its lock meanwhile is recorded as failed, never as success', async () => {
    const host = { warehouse: async () => warehouse as Warehouse, asOf: new Date(), reporter: { verbose: () => undefined, step: () => undefined } };
    // withLock closes the warehouse it opened: give it a second session of the same in-memory database.
    const outcome = await withLock({ ...host, warehouse: () => warehouse.session() }, project, (session) =>
      recordRun(host, project, session, 'build', async () => {
        await takeOver(new Date());
        return { status: 'success', counts: {}, result: 'done' };
      }),
    ).then(
      () => 'finished',
      (error: unknown) => (error instanceof RunError ? error.code : String(error)),
    );
    expect(outcome).toBe('lock-lost');
    const runs = await warehouse.query('select command, status, error from cdp.runs');
    expect(runs).toEqual([{ command: 'build', status: 'failed', error: expect.stringMatching(/lost the run lock/) }]);
    expect((await lockRow()).holder).toBe('other-host:1:x');
  });

  it('beats a quarter of the timeout apart, at most every 5 minutes; a watch backs off after failures', () => {
    expect(heartbeatInterval(8)).toBe(2 * 60_000);
    expect(heartbeatInterval(60)).toBe(5 * 60_000);
    expect([0, 1, 2, 3].map((f) => nextWait(30_000, f))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(nextWait(30_000, 10)).toBe(10 * 60_000);
    expect(nextWait(60 * 60_000, 3)).toBe(60 * 60_000);
  });
});
