import { withRun } from '../../run/with-run.js';
import type { CliCommand } from '../command.js';
import { runOnce } from './run-once.js';
import { acceptIdentityChangeOption, acceptRemovalsOption, forceOption, loadSyncProject } from './sync-command-support.js';
import { parseEvery, watchRuns } from './watch-runs.js';

export const runCommand: CliCommand = {
  name: 'run',
  description: 'build, then sync: the command for cron and CI (exit 3 if records were rejected, 4 if a gate held every sync before sending); --every loops it',
  options: [
    { flags: '--full-refresh', description: 'rebuild identity from scratch instead of incrementally' },
    { flags: '--full-resync', description: 're-send every record in scope, not only what changed' },
    { flags: '--pull', description: 'pull CRM records into the warehouse first (also `pull: true` in cdp.config.yaml)' },
    { flags: '--every <duration>', description: 'watch mode: run again every <duration> (e.g. 30s, 5m) until SIGINT/SIGTERM; one line (or JSON object) per cycle' },
    acceptIdentityChangeOption,
    acceptRemovalsOption,
    forceOption,
  ],
  async run(ctx, _args, options) {
    const everyMs = options.every === undefined ? undefined : parseEvery(String(options.every));
    // It builds, so source columns are checked first, as `cdp build` does.
    const { project, syncs } = await loadSyncProject(ctx, [], true);
    if (everyMs !== undefined) return watchRuns(ctx, project, syncs, options, everyMs);
    const outcome = await withRun(ctx, project, 'run', (stage) => runOnce(ctx, project, syncs, options, stage, false));
    ctx.reporter.summary({ command: 'run', ...outcome.result });
    return outcome.exitCode;
  },
};
