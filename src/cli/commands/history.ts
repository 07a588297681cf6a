import { recentRuns } from '../../run/run-log.js';
import type { CliCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';

export const historyCommand: CliCommand = {
  name: 'history',
  description: 'recent runs with their counts and failures',
  options: [{ flags: '-n, --limit <n>', description: 'how many runs', defaultValue: '20' }],
  async run(ctx, _args, options) {
    const project = await ctx.project({ warehouse: true });
    const warehouse = await ctx.warehouse(project);
    try {
      const runs = await recentRuns(warehouse, project, Number(options.limit) || 20);
      if (runs.length === 0) ctx.reporter.info('no runs yet');
      for (const run of runs) {
        const counts = typeof run.counts === 'string' ? run.counts : '';
        ctx.reporter.info(`${run.run_id}  ${String(run.command).padEnd(6)}  ${String(run.status).padEnd(8)}  ${run.started_at}  ${counts}${run.error ? `  error: ${run.error}` : ''}`);
      }
      ctx.reporter.summary({ runs: runs.map((r) => ({ ...r, counts: typeof r.counts === 'string' ? JSON.parse(r.counts) : null })) });
      return ExitCode.ok;
    } finally {
      await warehouse.close();
    }
  },
};
