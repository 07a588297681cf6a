import { randomUUID } from 'node:crypto';
import type { LoadedProject } from '../config/load-project.js';
import { redactUrlCredentials } from '../diagnostics/redact-url-credentials.js';
import { cdpTable } from '../model/relations.js';
import type { Row, Warehouse } from '../warehouse/warehouse.js';

/**
 * `blocked`: the build ran but a gate held every sync (docs/identity-gate.md). `died`: the process
 * ended without finishing (killed, crashed); set by the next run that takes the lock (docs/tables.md#runs).
 */
export type RunStatus = 'running' | 'success' | 'failed' | 'rejected' | 'blocked' | 'died';

/** The `runs` table: one row per command that touched the warehouse (docs/tables.md#runs). */
export class RunLog {
  readonly runId: string;

  private constructor(
    private readonly warehouse: Warehouse,
    private readonly project: LoadedProject,
    readonly command: string,
    readonly startedAt: Date,
  ) {
    this.runId = `${startedAt.toISOString().replace(/[-:TZ.]/g, '').slice(0, 14)}-${randomUUID().slice(0, 8)}`;
  }

  static async start(warehouse: Warehouse, project: LoadedProject, command: string): Promise<RunLog> {
    await ensureRunsTable(warehouse, project);
    const log = new RunLog(warehouse, project, command, new Date());
    await warehouse.insertRows(cdpTable(project, 'runs'), ['run_id', 'command', 'started_at', 'status'], [
      [log.runId, command, log.startedAt.toISOString(), 'running'],
    ]);
    return log;
  }

  /**
   * Runs still `running` when a run holds the lock cannot be alive: a run is recorded only after it
   * took the lock and finished before releasing it, so their process died. They become `died`.
   * Call only while holding the run lock, after recording the run `takenBy` itself.
   */
  static async markDied(warehouse: Warehouse, project: LoadedProject, takenBy: string): Promise<number> {
    const d = warehouse.dialect;
    const table = d.table(cdpTable(project, 'runs'));
    const others = `status = 'running' and run_id <> ${d.literal(takenBy)}`;
    const dead = await warehouse.query(`select run_id from ${table} where ${others}`);
    if (dead.length === 0) return 0;
    await warehouse.execute(
      `update ${table} set status = 'died', finished_at = ${d.literal(new Date().toISOString())}, error = ${d.literal(`the process ended without finishing; its lock was taken over by run ${takenBy}`)} where ${others}`,
      { label: 'record died runs' },
    );
    return dead.length;
  }

  async finish(status: Exclude<RunStatus, 'running'>, counts: unknown, error?: string): Promise<void> {
    const d = this.warehouse.dialect;
    await this.warehouse.execute(
      `update ${d.table(cdpTable(this.project, 'runs'))} set finished_at = ${d.literal(new Date().toISOString())}, status = ${d.literal(status)}, counts = ${d.literal(JSON.stringify(counts))}, error = ${d.literal(error === undefined ? null : redactUrlCredentials(error))} where run_id = ${d.literal(this.runId)}`,
      { label: 'record run' },
    );
  }
}

export async function ensureRunsTable(warehouse: Warehouse, project: LoadedProject): Promise<void> {
  const d = warehouse.dialect;
  const s = (t: 'string') => d.typeName(t);
  await warehouse.execute(d.createSchema(project.config.schema));
  await warehouse.execute(
    `create table if not exists ${d.table(cdpTable(project, 'runs'))} (run_id ${s('string')}, command ${s('string')}, started_at ${s('string')}, finished_at ${s('string')}, status ${s('string')}, counts ${s('string')}, error ${s('string')})`,
  );
}

export async function recentRuns(warehouse: Warehouse, project: LoadedProject, limit: number): Promise<Row[]> {
  const table = cdpTable(project, 'runs');
  if (!(await warehouse.tableExists(table))) return [];
  return warehouse.query(`select * from ${warehouse.dialect.table(table)} order by started_at desc limit ${limit}`);
}
