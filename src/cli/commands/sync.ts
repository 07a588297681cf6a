import { requireSyncableBuild } from '../../run/build-status.js';
import { withRun } from '../../run/with-run.js';
import { syncProject } from '../../sync/sync-project.js';
import type { CliCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { loadSyncProject, names, syncCounts, syncOptions } from './sync-command-support.js';

export const syncCommand: CliCommand = {
  name: 'sync',
  description: 'push what changed since the last confirmed sync to each destination (exit 3 if records were rejected)',
  arguments: [{ spec: '[syncs...]', description: 'syncs to run (default: all)' }],
  options: [{ flags: '--full-resync', description: 're-send every record in scope, not only what changed' }],
  async run(ctx, args, options) {
    const { project, syncs } = await loadSyncProject(ctx, names(args[0]));
    const outcome = await withRun(ctx, project, 'sync', async (stage) => {
      await requireSyncableBuild(stage.warehouse, project);
      const result = await syncProject(stage, syncOptions(ctx, syncs, Boolean(options.fullResync)));
      return { status: result.rejected > 0 ? ('rejected' as const) : ('success' as const), counts: { syncs: syncCounts(result) }, result: { runId: stage.runId, ...result } };
    });
    if (syncs.length === 0) ctx.reporter.info('no syncs: add one in connectors/');
    if (outcome.rejected > 0) ctx.reporter.problem(`${outcome.rejected} record${outcome.rejected === 1 ? ' was' : 's were'} rejected; see sync_log (run ${outcome.runId}); they are retried next run`);
    ctx.reporter.summary({ command: 'sync', ...outcome });
    return outcome.rejected > 0 ? ExitCode.rejected : ExitCode.ok;
  },
};
