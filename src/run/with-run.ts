import type { LoadedProject } from '../config/load-project.js';
import type { StageContext } from '../model/stage-context.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { RunLock } from './run-lock.js';
import { RunLog, type RunStatus } from './run-log.js';

/** What a run needs from the command that starts it (the CLI's context provides it). */
export interface RunHost {
  warehouse(project: LoadedProject): Promise<Warehouse>;
  readonly asOf: Date;
  readonly reporter: { verbose(line: string): void };
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
    const died = await RunLog.markDied(warehouse, project, log.runId);
    if (died > 0) ctx.reporter.verbose(`${died} earlier run(s) that never finished are now marked died`);
    try {
      const outcome = await work({
        project,
        warehouse,
        runId: log.runId,
        asOf: ctx.asOf,
        fullRefresh: false,
        log: (line) => ctx.reporter.verbose(line),
      });
      await log.finish(outcome.status, outcome.counts);
      return outcome.result;
    } catch (error) {
      await log.finish('failed', null, error instanceof Error ? error.message : String(error)).catch(() => undefined);
      throw error;
    } finally {
      await lock.release().catch(() => undefined);
    }
  } finally {
    await warehouse.close();
  }
}
