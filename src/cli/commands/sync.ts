import { requireSyncableBuild } from '../../run/build-status.js';
import { withRun } from '../../run/with-run.js';
import { syncProject } from '../../sync/sync-project.js';
import type { CliCommand } from '../command.js';
import { acceptIdentityChangeOption, acceptRemovalsOption, forceOption, loadSyncProject, names, syncCounts, syncOptions, syncOutcome } from './sync-command-support.js';

export const syncCommand: CliCommand = {
  name: 'sync',
  description: 'push what changed since the last confirmed sync to each destination (exit 3 if records were rejected, 4 if a gate held every sync before sending)',
  arguments: [{ spec: '[syncs...]', description: 'syncs to run (default: all)' }],
  options: [{ flags: '--full-resync', description: 're-send every record in scope, not only what changed' }, acceptIdentityChangeOption, acceptRemovalsOption, forceOption],
  async run(ctx, args, options) {
    const { project, syncs } = await loadSyncProject(ctx, names(args[0]));
    const outcome = await withRun(ctx, project, 'sync', async (stage) => {
      await requireSyncableBuild(stage.warehouse, project);
      const result = await syncProject(stage, syncOptions(ctx, syncs, Boolean(options.fullResync), options));
      const { status, exitCode } = syncOutcome(ctx, result, stage.runId);
      return { status, counts: { syncs: syncCounts(result), identity_gate: result.identityGate, removal_gates: result.removal_gates }, result: { result: { runId: stage.runId, ...result }, exitCode } };
    });
    if (syncs.length === 0) ctx.reporter.info('no syncs: add one in connectors/');
    ctx.reporter.summary({ command: 'sync', ...outcome.result });
    return outcome.exitCode;
  },
};
