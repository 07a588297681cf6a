import { pullCounts, pullLine, pullProject, selectDestinations } from '../../pull/pull-project.js';
import { withRun } from '../../run/with-run.js';
import { syncTuning } from '../../sync/sync-tuning.js';
import type { CliCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { names } from './sync-command-support.js';

export const pullCommand: CliCommand = {
  name: 'pull',
  description: 'copy CRM records (HubSpot contacts and companies; Salesforce Contact, Lead, Account) into warehouse tables, incrementally',
  arguments: [{ spec: '[destinations...]', description: 'destinations to pull from (default: all)' }],
  async run(ctx, args) {
    const first = await ctx.project({ warehouse: true });
    const destinations = selectDestinations(first, names(args[0]));
    const project = destinations.length > 0 && first.missingEnv.length > 0 ? await ctx.project({ warehouse: true, destinations }) : first;
    const outcome = await withRun(ctx, project, 'pull', async (stage) => {
      const pulled = await pullProject(stage, destinations, syncTuning(ctx.io.env), ctx.io.env, (s) => ctx.reporter.info(pullLine(project.config.schema, s)));
      return { status: 'success' as const, counts: { pulls: pullCounts(pulled) }, result: { runId: stage.runId, pulls: pulled } };
    });
    if (destinations.length === 0) ctx.reporter.info('no destinations: add one to cdp.config.yaml');
    ctx.reporter.summary({ command: 'pull', ...outcome });
    return ExitCode.ok;
  },
};
