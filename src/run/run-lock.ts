import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { LoadedProject } from '../config/load-project.js';
import { RunError } from '../diagnostics/diagnostic.js';
import { cdpTable } from '../model/relations.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/**
 * A lock row in the warehouse, so two runs never interleave (docs/guarantees.md#runs-never-interleave). A lock whose
 * heartbeat is older than the timeout is stale (its holder died) and is taken over.
 */
export class RunLock {
  private constructor(
    private readonly warehouse: Warehouse,
    private readonly project: LoadedProject,
    readonly holder: string,
  ) {}

  static async acquire(warehouse: Warehouse, project: LoadedProject, now = new Date()): Promise<RunLock> {
    try {
      return await RunLock.tryAcquire(warehouse, project, now);
    } catch (error) {
      // A holder on this machine whose process is gone (killed, crashed) cannot finish: take over at once.
      if (!(error instanceof HeldLock) || !deadLocalHolder(error.holder)) throw error;
      const d = warehouse.dialect;
      await warehouse.execute(`delete from ${d.table(cdpTable(project, '_cdp_lock'))} where name = 'run' and holder = ${d.literal(error.holder)}`);
      return RunLock.tryAcquire(warehouse, project, now);
    }
  }

  private static async tryAcquire(warehouse: Warehouse, project: LoadedProject, now: Date): Promise<RunLock> {
    const d = warehouse.dialect;
    const table = d.table(cdpTable(project, '_cdp_lock'));
    const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const staleBefore = new Date(now.getTime() - project.config.lock_timeout_minutes * 60_000).toISOString();
    await warehouse.execute(d.createSchema(project.config.schema));
    await warehouse.execute(`create table if not exists ${table} (name ${d.typeName('string')}, holder ${d.typeName('string')}, heartbeat_at ${d.typeName('string')})`);
    await warehouse.transaction([
      `delete from ${table} where name = 'run' and heartbeat_at < ${d.literal(staleBefore)}`,
      `insert into ${table} (name, holder, heartbeat_at) select 'run', ${d.literal(holder)}, ${d.literal(now.toISOString())} where not exists (select 1 from ${table} where name = 'run')`,
    ], { label: 'take run lock' });
    const rows = await warehouse.query(`select holder, heartbeat_at from ${table} where name = 'run'`);
    if (rows.length !== 1 || rows[0].holder !== holder) {
      const other = rows[0];
      throw new HeldLock(
        String(other?.holder),
        `another cdp run holds the lock (${String(other?.holder)}, last seen ${String(other?.heartbeat_at)})`,
        `wait for it to finish; a lock not refreshed for ${project.config.lock_timeout_minutes} minutes is taken over`,
      );
    }
    return new RunLock(warehouse, project, holder);
  }

  async heartbeat(now = new Date()): Promise<void> {
    const d = this.warehouse.dialect;
    await this.warehouse.execute(
      `update ${d.table(cdpTable(this.project, '_cdp_lock'))} set heartbeat_at = ${d.literal(now.toISOString())} where name = 'run' and holder = ${d.literal(this.holder)}`,
    );
  }

  async release(): Promise<void> {
    const d = this.warehouse.dialect;
    await this.warehouse.execute(`delete from ${d.table(cdpTable(this.project, '_cdp_lock'))} where name = 'run' and holder = ${d.literal(this.holder)}`);
  }
}

/** The lock is held by another run (exit 1). */
class HeldLock extends RunError {
  constructor(
    readonly holder: string,
    message: string,
    hint: string,
  ) {
    super('lock-held', message, hint);
  }
}

/** `host:pid:nonce` of a process on this machine that no longer exists. */
function deadLocalHolder(holder: string): boolean {
  const [host, pid] = holder.split(':');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '')) return false;
  if (Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
