import type { LoadedProject } from '../config/load-project.js';
import type { StageContext } from '../model/stage-context.js';
import { WarehouseError, type Warehouse } from '../warehouse/warehouse.js';
import { RunLock } from './run-lock.js';
import { RunLog, type RunStatus } from './run-log.js';
import { writeRunResults } from './run-results.js';
import { locateUserSqlError } from './user-sql-error.js';

/** What a run needs from the command that starts it (the CLI's context provides it). */
export interface RunHost {
  warehouse(project: LoadedProject): Promise<Warehouse>;
  readonly asOf: Date;
  readonly reporter: { verbose(line: string): void; step(line: string): void };
}

/**
 * Opens the warehouse, takes the run lock, records the run in `runs`, and always releases both,
 * so every command that changes the warehouse is logged and never interleaves with another.
 */
export async function withRun<T>(
  ctx: RunHost,
  project: LoadedProject,
  command: string,
  work: (stage: StageContext) => Promise<{ status: Exclude<RunStatus, 'running' | 'failed'>; counts: unknown; result: T }>,
): Promise<T> {
  const warehouse = await ctx.warehouse(project);
  try {
    const lock = await RunLock.acquire(warehouse, project);
    const log = await RunLog.start(warehouse, project, command);
    // target/run_results.json: the run's outcome as a file (docs/json-output.md); never fails the run.
    const results = (status: string, counts: unknown, error: string | null) =>
      writeRunResults(project, { runId: log.runId, command, status, startedAt: log.startedAt, finishedAt: new Date(), counts, error }).then(
        (path) => ctx.reporter.verbose(`wrote ${path}`),
        (e: unknown) => ctx.reporter.verbose(`could not write target/run_results.json: ${e instanceof Error ? e.message : String(e)}`),
      );
    try {
      const outcome = await work({
        project,
        warehouse,
        runId: log.runId,
        asOf: ctx.asOf,
        fullRefresh: false,
        log: (line) => ctx.reporter.step(line),
      });
      await log.finish(outcome.status, outcome.counts);
      await results(outcome.status, outcome.counts, null);
      return outcome.result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await log.finish('failed', null, message).catch(() => undefined);
      await results('failed', null, message);
      // SQL the user wrote is reported at its file and line, naming the model, trait or segment.
      throw (error instanceof WarehouseError ? locateUserSqlError(project, error) : undefined) ?? error;
    } finally {
      await lock.release().catch(() => undefined);
    }
  } finally {
    await warehouse.close();
  }
}
