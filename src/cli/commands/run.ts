import { pullCounts, pullLine, pullProject, selectDestinations } from '../../pull/pull-project.js';
import { buildProject } from '../../run/build-project.js';
import { syncTuning } from '../../sync/sync-tuning.js';
import { withRun } from '../../run/with-run.js';
import { syncProject } from '../../sync/sync-project.js';
import type { CliCommand } from '../command.js';
import { printBuildSummary } from '../print-build-summary.js';
import { acceptIdentityChangeOption, loadSyncProject, syncCounts, syncOptions, syncOutcome } from './sync-command-support.js';

export const runCommand: CliCommand = {
  name: 'run',
  description: 'build, then sync: the command for cron and CI (exit 3 if records were rejected, 4 if the identity gate held the syncs)',
  options: [
    { flags: '--full-refresh', description: 'rebuild identity from scratch instead of incrementally' },
    { flags: '--full-resync', description: 're-send every record in scope, not only what changed' },
    { flags: '--pull', description: 'pull CRM records into the warehouse first (also `pull: true` in cdp.config.yaml)' },
    acceptIdentityChangeOption,
  ],
  async run(ctx, _args, options) {
    // It builds, so source columns are checked first, as `cdp build` does.
    const { project, syncs } = await loadSyncProject(ctx, [], true);
    const pulling = Boolean(options.pull) || project.config.pull;
    const outcome = await withRun(ctx, project, 'run', async (stage) => {
      const pulls = pulling ? await pullProject(stage, selectDestinations(project, []), syncTuning(ctx.io.env), ctx.io.env, (s) => ctx.reporter.info(pullLine(project.config.schema, s))) : [];
      const build = await buildProject({ ...stage, fullRefresh: Boolean(options.fullRefresh) });
      printBuildSummary(ctx.reporter, build);
      const synced = await syncProject(stage, syncOptions(ctx, syncs, Boolean(options.fullResync), Boolean(options.acceptIdentityChange)));
      const { status, exitCode } = syncOutcome(ctx, synced, stage.runId);
      return {
        status,
        counts: { ...(pulling ? { pulls: pullCounts(pulls) } : {}), build, syncs: syncCounts(synced), identity_gate: synced.identityGate },
        result: { result: { runId: stage.runId, ...(pulling ? { pulls } : {}), build, ...synced }, exitCode },
      };
    });
    ctx.reporter.summary({ command: 'run', ...outcome.result });
    return outcome.exitCode;
  },
};
