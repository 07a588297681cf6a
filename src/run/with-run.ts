import type { LoadedProject } from '../config/load-project.js';
import type { StageContext } from '../model/stage-context.js';
import { WarehouseError, type Warehouse } from '../warehouse/warehouse.js';
import { LockedWarehouse } from './locked-warehouse.js';
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

/** What one run's work returns: its status and counts for the `runs` table, and the command's result. */
export type RunOutcome<T> = { status: Exclude<RunStatus, 'running' | 'failed'>; counts: unknown; result: T };

/** The warehouse held under the run lock (see withLock). */
export interface LockedSession {
  /** Raw: for the `runs` log only, which a run may still write after losing the lock (its own row). */
  readonly warehouse: Warehouse;
  /** Every statement checks the lock first (LockedWarehouse). */
  readonly locked: Warehouse;
  readonly lock: RunLock;
}

/**
 * Opens the warehouse and takes the run lock for as long as `work` runs, refreshing its heartbeat
 * on a second session meanwhile; always stops the heartbeat, releases the lock and closes both
 * (docs/guarantees.md#runs-never-interleave). `cdp run --every` holds one lock over all its cycles.
 */
export async function withLock<T>(ctx: RunHost, project: LoadedProject, work: (session: LockedSession) => Promise<T>): Promise<T> {
  const warehouse = await ctx.warehouse(project);
  try {
    const lock = await RunLock.acquire(warehouse, project);
    try {
      const heartbeatSession = await warehouse.session();
      const stopHeartbeat = lock.keepAlive(heartbeatSession);
      try {
        return await work({ warehouse, locked: new LockedWarehouse(warehouse, lock), lock });
      } finally {
        await stopHeartbeat();
        await heartbeatSession.close().catch(() => undefined);
      }
    } finally {
      await lock.release().catch(() => undefined);
    }
  } finally {
    await warehouse.close();
  }
}

/**
 * Records one run in `runs` around `work`, inside a held lock (checked first): `running` first, then its outcome, or
 * `failed` with the error. Before a run is recorded as done, its lock is checked once more, so a run
 * that lost the lock never reports success.
 */
export async function recordRun<T>(ctx: RunHost, project: LoadedProject, session: LockedSession, command: string, work: (stage: StageContext) => Promise<RunOutcome<T>>): Promise<T> {
  // A watch's next cycle never starts on a lock taken over during the pause.
  await session.lock.verify();
  const log = await RunLog.start(session.warehouse, project, command);
  // Runs still `running` while this one holds the lock were killed (docs/tables.md#runs).
  const died = await RunLog.markDied(session.warehouse, project, log.runId);
  if (died > 0) ctx.reporter.verbose(`${died} earlier run(s) that never finished are now marked died`);
  // target/run_results.json: the run's outcome as a file (docs/json-output.md); never fails the run.
  const results = (status: string, counts: unknown, error: string | null) =>
    writeRunResults(project, { runId: log.runId, command, status, startedAt: log.startedAt, finishedAt: new Date(), counts, error }).then(
      (path) => ctx.reporter.verbose(`wrote ${path}`),
      (e: unknown) => ctx.reporter.verbose(`could not write target/run_results.json: ${e instanceof Error ? e.message : String(e)}`),
    );
  try {
    const outcome = await work({
      project,
      warehouse: session.locked,
      runId: log.runId,
      asOf: ctx.asOf,
      fullRefresh: false,
      log: (line) => ctx.reporter.step(line),
    });
    await session.lock.verify();
    await log.finish(outcome.status, outcome.counts);
    await results(outcome.status, outcome.counts, null);
    return outcome.result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await log.finish('failed', null, message).catch(() => undefined);
    await results('failed', null, message);
    // SQL the user wrote is reported at its file and line, naming the model, trait or segment.
    throw (error instanceof WarehouseError ? locateUserSqlError(project, error) : undefined) ?? error;
  }
}

/**
 * Opens the warehouse, takes the run lock, records the run in `runs`, and always releases both,
 * so every command that changes the warehouse is logged and never interleaves with another.
 */
export async function withRun<T>(ctx: RunHost, project: LoadedProject, command: string, work: (stage: StageContext) => Promise<RunOutcome<T>>): Promise<T> {
  return withLock(ctx, project, (session) => recordRun(ctx, project, session, command, work));
}
