import ms from 'ms';
import { successOutput } from '../json-output.js';
import type { Declared, LoadedProject } from '../../config/load-project.js';
import type { SyncConfig } from '../../config/schema.js';
import { error as diagnostic, formatDiagnostic, ProjectError, RunError } from '../../diagnostics/diagnostic.js';
import type { StageStats } from '../../run/stage-stats.js';
import { watchLoop, type CycleEnd } from '../../run/watch-loop.js';
import { recordRun, withLock, type RunHost } from '../../run/with-run.js';
import { WarehouseError } from '../../warehouse/warehouse.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { runOnce, type RunResult } from './run-once.js';

/** What a watch prints per cycle: one line, or with --json one JSON object per line (docs/watch.md#cycle-reports). */
export interface CycleReport {
  readonly cycle: number;
  readonly run_id: string | null;
  readonly status: 'success' | 'rejected' | 'blocked' | 'failed';
  readonly exit_code: number;
  readonly started_at: string;
  readonly seconds: number;
  readonly stages: readonly StageStats[];
  /** Per sync: what was sent (created, updated, …), rejected, the diff's record count and the sync's own seconds. */
  readonly syncs: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly error: string | null;
  /** The wait before the next cycle (null: the loop ends after this cycle). */
  readonly next_in_seconds: number | null;
}

/**
 * `cdp run --every <duration>`: one run lock held (and heartbeated) over every cycle, one `runs` row
 * per cycle, SIGINT/SIGTERM stop after the current cycle's commit. Exit 0 when stopped; a fatal
 * cycle (lock lost) ends the loop with its error (docs/watch.md).
 */
export async function watchRuns(
  ctx: CommandContext,
  project: LoadedProject,
  syncs: readonly Declared<SyncConfig>[],
  options: Readonly<Record<string, unknown>>,
  everyMs: number,
): Promise<number> {
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      // A second signal: stop now. A lock left behind by this dead process is taken over by the next run on this machine.
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      process.kill(process.pid, signal);
      return;
    }
    ctx.reporter.problem(`${signal}: stopping after the current cycle (send it again to stop at once)`);
    stop.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    await withLock(ctx, project, (session) =>
      watchLoop({
        everyMs,
        stop: stop.signal,
        wake: session.lock.lostSignal,
        cycle: async (n, next) => {
          const startedAt = new Date();
          const host: RunHost = { warehouse: (p) => ctx.warehouse(p), asOf: ctx.options.asOf === undefined ? startedAt : ctx.asOf, reporter: ctx.reporter };
          let runId: string | null = null;
          let result: RunResult | undefined;
          let failure: unknown;
          try {
            result = await recordRun(host, project, session, 'run', (stage) => {
              runId = stage.runId;
              return runOnce(ctx, project, syncs, options, stage, true);
            });
          } catch (error) {
            failure = error;
          }
          const end: CycleEnd = failure === undefined ? { kind: 'done' } : fatal(failure) ? { kind: 'fatal', error: failure } : { kind: 'failed' };
          const later = end.kind === 'fatal' || stop.signal.aborted ? null : next(end);
          report(ctx, {
            cycle: n,
            run_id: runId,
            status: result ? statusOf(result.exitCode) : 'failed',
            exit_code: result ? result.exitCode : exitCodeOf(failure),
            started_at: startedAt.toISOString(),
            seconds: Math.round(Date.now() - startedAt.getTime()) / 1000,
            stages: result?.result.build.stages ?? [],
            syncs: syncCountsOf(result),
            error: failure === undefined ? null : errorText(failure),
            next_in_seconds: later === null ? null : later / 1000,
          });
          return end;
        },
      }),
    );
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  return ExitCode.ok;
}

/** `30s`, `5m`, `1h` (the `ms` package's format); at least one second. */
export function parseEvery(text: string): number {
  const value = ms(text as ms.StringValue) as number | undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1000) {
    throw new ProjectError([diagnostic('invalid-option', `--every '${text}' is not a duration of at least 1 second`, {}, 'use a number and a unit, e.g. 30s, 5m or 1h')]);
  }
  return value;
}

/** Errors that a retry cannot fix end the loop: the lock was taken over, or the project/options are invalid. */
function fatal(error: unknown): boolean {
  return error instanceof ProjectError || (error instanceof RunError && error.code === 'lock-lost');
}

function exitCodeOf(error: unknown): number {
  return error instanceof ProjectError ? ExitCode.invalid : ExitCode.runFailed;
}

function statusOf(exitCode: ExitCode): CycleReport['status'] {
  return exitCode === ExitCode.rejected ? 'rejected' : exitCode === ExitCode.gateHeld ? 'blocked' : 'success';
}

function errorText(error: unknown): string {
  if (error instanceof ProjectError) return error.diagnostics.map(formatDiagnostic).join('; ');
  if (error instanceof RunError) return `${error.code}: ${error.message}${error.hint ? ` (${error.hint})` : ''}`;
  if (error instanceof WarehouseError) return `warehouse: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function syncCountsOf(result: RunResult | undefined): CycleReport['syncs'] {
  const syncs = result?.result.syncs;
  if (!Array.isArray(syncs)) return {};
  return Object.fromEntries(
    (syncs as { sync: string; sent: Record<string, number>; rejected: number; diff: { records: number }; seconds: number }[]).map((s) => [
      s.sync,
      { ...s.sent, rejected: s.rejected, records: s.diff.records, seconds: s.seconds },
    ]),
  );
}

function report(ctx: CommandContext, r: CycleReport): void {
  if (ctx.options.json) {
    // One versioned, snake_case object per line (docs/json-output.md); a watch prints no final summary.
    ctx.io.stdout(`${JSON.stringify(successOutput('run', r.exit_code, r))}\n`);
    // Once cycles are reported, they are the whole --json output: no summary object follows.
    ctx.reporter.markPrinted();
    if (r.error !== null) ctx.reporter.problem(`cycle ${r.cycle} failed: error ${r.error}`);
    return;
  }
  const line = `cycle ${r.cycle} ${r.status}${r.run_id ? ` (run ${r.run_id})` : ''} in ${r.seconds.toFixed(1)}s: ${r.error ?? `${stagesText(r.stages)}; ${syncsText(r.syncs)}`}${r.next_in_seconds === null ? '' : `; next in ${ms(r.next_in_seconds * 1000)}`}`;
  if (r.status === 'failed') ctx.reporter.problem(line);
  else ctx.reporter.info(line);
}

function stagesText(stages: readonly StageStats[]): string {
  const n = (v: number) => v.toLocaleString('en-US');
  return stages.map((s) => `${s.stage} ${s.rowsRead === null ? '' : `read ${n(s.rowsRead)} `}wrote ${n(s.rowsWritten)}`).join(', ');
}

function syncsText(syncs: CycleReport['syncs']): string {
  const entries = Object.entries(syncs);
  if (entries.length === 0) return 'no syncs';
  return entries
    .map(([name, c]) => {
      const changed = Object.entries(c).filter(([k, v]) => k !== 'records' && k !== 'seconds' && v > 0);
      return `${name} ${changed.length === 0 ? 'unchanged' : changed.map(([k, v]) => `${k} ${v}`).join(' ')}`;
    })
    .join(', ');
}
