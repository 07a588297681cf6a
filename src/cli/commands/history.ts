import { recentRuns } from '../../run/run-log.js';
import type { CliCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';

export const historyCommand: CliCommand = {
  name: 'history',
  description: 'recent runs with their counts and failures',
  options: [{ flags: '-n, --limit <n>', description: 'how many runs', defaultValue: '20' }],
  async run(ctx, _args, options) {
    const project = await ctx.project({ warehouse: true });
    const warehouse = await ctx.readOnlyWarehouse(project);
    try {
      const runs = await recentRuns(warehouse, project, Number(options.limit) || 20);
      if (runs.length === 0) ctx.reporter.info('no runs yet');
      for (const run of runs) {
        const counts: unknown = typeof run.counts === 'string' ? JSON.parse(run.counts) : null;
        const took = run.finished_at ? `${((Date.parse(String(run.finished_at)) - Date.parse(String(run.started_at))) / 1000).toFixed(1)}s` : '';
        ctx.reporter.info(`${run.run_id}  ${String(run.command).padEnd(5)}  ${String(run.status).padEnd(8)}  ${String(run.started_at).slice(0, 19)}  ${took.padStart(6)}  ${describeCounts(counts)}${run.error ? `  error: ${String(run.error)}` : ''}`);
      }
      ctx.reporter.summary({ runs: runs.map((r) => ({ ...r, counts: typeof r.counts === 'string' ? JSON.parse(r.counts) : null })) });
      return ExitCode.ok;
    } finally {
      await warehouse.close();
    }
  },
};

/** One line of what a run did: profiles and segment moves, and per sync what it changed. */
function describeCounts(counts: unknown): string {
  if (typeof counts !== 'object' || counts === null) return '';
  const c = counts as Record<string, unknown>;
  const build = (c.build ?? c) as Record<string, unknown>;
  const parts: string[] = [];
  const profiles = build.profiles as { profiles?: number; segments?: { entered: number; exited: number }[] } | undefined;
  if (profiles?.profiles !== undefined) {
    const moved = (profiles.segments ?? []).reduce((n, s) => n + s.entered + s.exited, 0);
    parts.push(`${profiles.profiles} profiles, ${moved} segment moves`);
  } else if (typeof build.models === 'number') {
    parts.push(`${build.models} models`);
  }
  const syncs = c.syncs as Record<string, Record<string, number>> | undefined;
  for (const [name, s] of Object.entries(syncs ?? {})) {
    parts.push(`${name}: +${s.created ?? 0} ~${s.updated ?? 0} members +${s.added ?? 0}/-${s.removed ?? 0}${s.rejected ? `, ${s.rejected} rejected` : ''}`);
  }
  return parts.join('; ');
}
