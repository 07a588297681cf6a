import type { Declared, LoadedProject } from '../../config/load-project.js';
import type { SyncConfig } from '../../config/schema.js';
import type { ProjectSyncResult, SyncProjectOptions } from '../../sync/sync-project.js';
import { selectSyncs } from '../../sync/sync-project.js';
import { progressFactory } from '../../sync/sync-progress.js';
import { resultLine } from '../../sync/sync-summary.js';
import { syncTuning } from '../../sync/sync-tuning.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { formatIdentityGate } from '../../identity/identity-gate.js';
import { gateLine } from '../../sync/removal-gates.js';

/**
 * Loads the project for commands that sync: the named syncs (all when none), and only their
 * destinations' `${VAR}`s are required.
 */
export async function loadSyncProject(ctx: CommandContext, names: readonly string[], columns = false): Promise<{ project: LoadedProject; syncs: Declared<SyncConfig>[] }> {
  const first = await ctx.project({ warehouse: true, columns });
  const syncs = selectSyncs(first, names);
  const destinations = [...new Set(syncs.map((s) => s.destination))];
  if (destinations.length === 0 || first.missingEnv.length === 0) return { project: first, syncs };
  const project = await ctx.project({ warehouse: true, destinations });
  return { project, syncs: selectSyncs(project, names) };
}

export function syncOptions(ctx: CommandContext, syncs: readonly Declared<SyncConfig>[], fullResync: boolean, accept: GateAcceptance = {}): SyncProjectOptions {
  return {
    syncs,
    fullResync,
    acceptIdentityChange: Boolean(accept.acceptIdentityChange) || Boolean(accept.force),
    acceptRemovals: Boolean(accept.acceptRemovals) || Boolean(accept.force),
    tuning: syncTuning(ctx.io.env),
    progress: progressFactory({ interactive: ctx.reporter.interactive, line: (l) => ctx.reporter.info(l) }),
    onSyncDone: (s) => ctx.reporter.info(resultLine(s)),
    notice: (line) => ctx.reporter.info(line),
    onSyncFailed: (sync, e) => ctx.reporter.problem(`${sync}: failed: ${e.message}`),
  };
}

/** Per-sync counts for the `runs` table (`cdp history`). */
export function syncCounts(result: ProjectSyncResult): Record<string, Record<string, number>> {
  return Object.fromEntries(
    result.syncs.map((s) => [
      s.sync,
      {
        ...s.sent,
        rejected: s.rejected,
        records: s.diff.records,
        requests: s.requests,
        retries: s.retries,
        rate_limited: s.rateLimited,
        seconds: s.seconds,
        collided_keys: s.match_keys.collided_keys,
        refused_keys: s.match_keys.refused_keys,
      },
    ]),
  );
}

export function names(arg: string | string[] | undefined): string[] {
  return arg === undefined ? [] : Array.isArray(arg) ? arg : [arg];
}

export const acceptIdentityChangeOption = {
  flags: '--accept-identity-change',
  description: 'send even though the newest build tripped the identity quality gate (records the acceptance)',
} as const;

export const acceptRemovalsOption = {
  flags: '--accept-removals',
  description: 'send even though removal gates (max_removals_pct, max_audience_removals_pct, max_field_clears_pct) are exceeded',
} as const;

export const forceOption = { flags: '--force', description: 'pass every gate knowingly: --accept-identity-change and --accept-removals' } as const;

/** The gate flags of `cdp sync` and `cdp run`, as commander parses them. */
export interface GateAcceptance {
  readonly acceptIdentityChange?: unknown;
  readonly acceptRemovals?: unknown;
  readonly force?: unknown;
}

/** The run's status and exit code once the syncs are done (or were held by the identity gate or a removal gate). */
export function syncOutcome(ctx: CommandContext, result: ProjectSyncResult, runId: string): { status: 'success' | 'rejected' | 'blocked'; exitCode: ExitCode } {
  const gate = result.identityGate;
  if (!gate.open) {
    for (const held of gate.held) for (const line of formatIdentityGate(held)) ctx.reporter.problem(line);
    ctx.reporter.problem(`nothing was sent (run ${runId}); look at the change with \`cdp report\` and \`cdp inspect\`, then fix identity: in the config or accept it with --accept-identity-change`);
    return { status: 'blocked', exitCode: ExitCode.gateHeld };
  }
  for (const accepted of gate.accepted) ctx.reporter.info(`identity gate: the change of build ${accepted.runId} is accepted by run ${runId}`);
  const removals = result.removal_gates;
  if (!removals.open) {
    for (const held of removals.held) ctx.reporter.problem(`gate ${gateLine(held)}`);
    ctx.reporter.problem(
      `nothing was sent to any destination (run ${runId}); check the build (a broken trait or source empties audiences and zeroes fields), then fix it, raise the limit in the connector file, or pass it knowingly with --accept-removals`,
    );
    return { status: 'blocked', exitCode: ExitCode.gateHeld };
  }
  for (const accepted of removals.accepted) ctx.reporter.info(`gate accepted (--accept-removals): ${gateLine(accepted)}`);
  if (result.rejected > 0) {
    ctx.reporter.problem(`${result.rejected} record${result.rejected === 1 ? ' was' : 's were'} rejected; see sync_log (run ${runId}); they are retried next run`);
    return { status: 'rejected', exitCode: ExitCode.rejected };
  }
  return { status: 'success', exitCode: ExitCode.ok };
}
