import type { Declared, LoadedProject } from '../../config/load-project.js';
import type { SyncConfig } from '../../config/schema.js';
import type { ProjectSyncResult, SyncProjectOptions } from '../../sync/sync-project.js';
import { selectSyncs } from '../../sync/sync-project.js';
import { progressFactory } from '../../sync/sync-progress.js';
import { resultLine } from '../../sync/sync-summary.js';
import { syncTuning } from '../../sync/sync-tuning.js';
import type { CommandContext } from '../context.js';

/**
 * Loads the project for commands that sync: the named syncs (all when none), and only their
 * destinations' `${VAR}`s are required.
 */
export async function loadSyncProject(ctx: CommandContext, names: readonly string[]): Promise<{ project: LoadedProject; syncs: Declared<SyncConfig>[] }> {
  const first = await ctx.project({ warehouse: true });
  const syncs = selectSyncs(first, names);
  const destinations = [...new Set(syncs.map((s) => s.destination))];
  if (destinations.length === 0 || first.missingEnv.length === 0) return { project: first, syncs };
  const project = await ctx.project({ warehouse: true, destinations });
  return { project, syncs: selectSyncs(project, names) };
}

export function syncOptions(ctx: CommandContext, syncs: readonly Declared<SyncConfig>[], fullResync: boolean): SyncProjectOptions {
  return {
    syncs,
    fullResync,
    tuning: syncTuning(ctx.io.env),
    progress: progressFactory({ interactive: ctx.reporter.interactive, line: (l) => ctx.reporter.info(l) }),
    onSyncDone: (s) => ctx.reporter.info(resultLine(s)),
    onSyncFailed: (sync, e) => ctx.reporter.problem(`${sync}: failed: ${e.message}`),
  };
}

/** Per-sync counts for the `runs` table (`cdp history`). */
export function syncCounts(result: ProjectSyncResult): Record<string, Record<string, number>> {
  return Object.fromEntries(
    result.syncs.map((s) => [
      s.sync,
      { ...s.sent, rejected: s.rejected, records: s.diff.records, requests: s.requests, retries: s.retries, rate_limited: s.rateLimited },
    ]),
  );
}

export function names(arg: string | string[] | undefined): string[] {
  return arg === undefined ? [] : Array.isArray(arg) ? arg : [arg];
}
