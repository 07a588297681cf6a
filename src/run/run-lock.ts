import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { LoadedProject } from '../config/load-project.js';
import { RunError } from '../diagnostics/diagnostic.js';
import { cdpTable } from '../model/relations.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/**
 * A lock row in the warehouse, so two runs never interleave (DESIGN.md §5). A lock whose
 * heartbeat is older than the timeout is stale (its holder died) and is taken over.
 */
export class RunLock {
  private constructor(
    private readonly warehouse: Warehouse,
    private readonly project: LoadedProject,
    readonly holder: string,
  ) {}

  static async acquire(warehouse: Warehouse, project: LoadedProject, now = new Date()): Promise<RunLock> {
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
      throw new RunError(
        'lock-held',
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
