import type { Declared, LoadedProject } from '../../config/load-project.js';
import type { SyncConfig } from '../../config/schema.js';
import type { StageContext } from '../../model/stage-context.js';
import { pullCounts, pullLine, pullProject, selectDestinations } from '../../pull/pull-project.js';
import { pulledDriftReaders } from '../../pull/pulled-drift-reader.js';
import { buildProject } from '../../run/build-project.js';
import type { RunOutcome } from '../../run/with-run.js';
import { syncProject } from '../../sync/sync-project.js';
import { noProgress } from '../../sync/sync-progress.js';
import { syncTuning } from '../../sync/sync-tuning.js';
import type { CommandContext } from '../context.js';
import type { ExitCode } from '../exit-codes.js';
import { printBuildSummary } from '../print-build-summary.js';
import { syncCounts, syncOptions, syncOutcome } from './sync-command-support.js';

export interface RunResult {
  readonly result: { readonly runId: string; readonly build: Awaited<ReturnType<typeof buildProject>> } & Record<string, unknown>;
  readonly exitCode: ExitCode;
}

/** One `cdp run`: pull (when asked), build, sync. `watching` keeps the per-stage and per-sync lines out (a watch prints one line per cycle). */
export async function runOnce(
  ctx: CommandContext,
  project: LoadedProject,
  syncs: readonly Declared<SyncConfig>[],
  options: Readonly<Record<string, unknown>>,
  stage: StageContext,
  watching: boolean,
): Promise<RunOutcome<RunResult>> {
  const pulling = Boolean(options.pull) || project.config.pull;
  const info = (line: string) => (watching ? ctx.reporter.verbose(line) : ctx.reporter.info(line));
  const pulls = pulling ? await pullProject(stage, selectDestinations(project, []), syncTuning(ctx.io.env), ctx.io.env, (s) => info(pullLine(project.config.schema, s))) : [];
  const build = await buildProject({ ...stage, fullRefresh: Boolean(options.fullRefresh) });
  if (!watching) printBuildSummary(ctx.reporter, build);
  // Drift checks of the objects just pulled read the pulled tables instead of the CRM (docs/drift.md).
  const pulledDrift = pulledDriftReaders(stage.warehouse, project, pulls);
  const sending = { ...syncOptions(ctx, syncs, Boolean(options.fullResync), options), pulledDrift };
  const synced = await syncProject(stage, watching ? { ...sending, progress: noProgress, onSyncDone: () => undefined } : sending);
  const { status, exitCode } = syncOutcome(ctx, synced, stage.runId);
  return {
    status,
    counts: { ...(pulling ? { pulls: pullCounts(pulls) } : {}), build, syncs: syncCounts(synced), identity_gate: synced.identityGate, removal_gates: synced.removal_gates },
    result: { result: { runId: stage.runId, ...(pulling ? { pulls } : {}), build, ...synced }, exitCode },
  };
}
