import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { RunLock } from '../../src/run/run-lock.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
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

const plant = (holder: string, heartbeat: Date) =>
  warehouse.execute(`insert into cdp._cdp_lock values ('run', '${holder}', '${heartbeat.toISOString()}')`);

describe('run lock', () => {
  it('keeps a second run out while the first holds it, and lets it in after release', async () => {
    const first = await RunLock.acquire(warehouse, project);
    await expect(RunLock.acquire(warehouse, project)).rejects.toThrow(/another cdp run holds the lock/);
    await first.release();
    const second = await RunLock.acquire(warehouse, project);
    await second.release();
  });

  it('tries again when two first runs each took one of two rows and both let go (nobody holds it), and then wins alone', async () => {
    await (await RunLock.acquire(warehouse, project)).release(); // creates the table and its row
    await warehouse.execute(`insert into cdp._cdp_lock values ('run', null, null)`); // a second run inserted one too
    // The rival takes the second row just before this run's first update, and lets go when this run does.
    const { execute } = warehouse;
    let rivalled = false;
    warehouse.execute = async (sql, options) => {
      if (!rivalled && /set holder = '/.test(sql)) {
        rivalled = true;
        await execute.call(warehouse, `update cdp._cdp_lock set holder = 'rival', heartbeat_at = '${new Date().toISOString()}' where rowid = (select max(rowid) from cdp._cdp_lock)`);
      }
      const result = await execute.call(warehouse, sql, options);
      if (/set holder = null/.test(sql)) await execute.call(warehouse, `update cdp._cdp_lock set holder = null, heartbeat_at = null where holder = 'rival'`);
      return result;
    };
    const lock = await RunLock.acquire(warehouse, project);
    expect(rivalled).toBe(true);
    const holders = await warehouse.query(`select distinct holder from cdp._cdp_lock where holder is not null`);
    expect(holders).toHaveLength(1);
    await lock.release();
  });

  it('takes over a lock whose holder on this machine has died, but not one that is alive', async () => {
    await (await RunLock.acquire(warehouse, project)).release(); // creates the table
    const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid;
    await plant(`${hostname()}:${gone}:dead`, new Date());
    const taken = await RunLock.acquire(warehouse, project);
    expect(taken.holder).not.toContain(':dead');
    await taken.release();

    await plant(`${hostname()}:${process.ppid}:alive`, new Date());
    await expect(RunLock.acquire(warehouse, project)).rejects.toThrow(/alive/);
  });

  it('takes over a lock from another machine only once its heartbeat is older than lock_timeout_minutes', async () => {
    await (await RunLock.acquire(warehouse, project)).release();
    await plant('other-host:123:x', new Date(Date.now() - 5 * 60_000));
    await expect(RunLock.acquire(warehouse, project)).rejects.toThrow(/other-host/);
    await warehouse.execute(`update cdp._cdp_lock set heartbeat_at = '${new Date(Date.now() - 11 * 60_000).toISOString()}'`);
    const taken = await RunLock.acquire(warehouse, project);
    await taken.release();
  });
});
