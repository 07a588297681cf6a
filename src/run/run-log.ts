import { randomUUID } from 'node:crypto';
import type { LoadedProject } from '../config/load-project.js';
import { redactUrlCredentials } from '../diagnostics/redact-url-credentials.js';
import { cdpTable } from '../model/relations.js';
import type { Row, Warehouse } from '../warehouse/warehouse.js';

/** `blocked`: the build ran but a gate held every sync (docs/identity-gate.md). */
export type RunStatus = 'running' | 'success' | 'failed' | 'rejected' | 'blocked';

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
