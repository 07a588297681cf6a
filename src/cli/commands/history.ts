import { ProjectError, error } from '../../diagnostics/diagnostic.js';
import { suggestion } from '../../diagnostics/did-you-mean.js';
import { recentRuns } from '../../run/run-log.js';
import type { BuildSummary } from '../../run/build-project.js';
import { readRejections } from '../../sync/sync-rejections.js';
import type { Row } from '../../warehouse/warehouse.js';
import type { CliCommand } from '../command.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { printBuildSummary } from '../print-build-summary.js';

export const historyCommand: CliCommand = {
  name: 'history',
  description: 'recent runs with their counts and failures; with a run id, that run in detail',
  arguments: [{ spec: '[run_id]', description: 'show this run in detail (see the list for ids)' }],
  options: [{ flags: '-n, --limit <n>', description: 'how many runs', defaultValue: '20' }],
  async run(ctx, args, options) {
    const limit = runLimit(options.limit);
    const project = await ctx.project({ warehouse: true });
    const warehouse = await ctx.readOnlyWarehouse(project);
    try {
      const wanted = typeof args[0] === 'string' ? args[0] : undefined;
      if (wanted !== undefined) {
        const runs = await recentRuns(warehouse, project, 10_000);
        const run = runs.find((r) => r.run_id === wanted);
        if (!run) {
          throw new ProjectError([error('unknown-run', `there is no run '${wanted}'`, {}, suggestion(wanted, runs.map((r) => String(r.run_id))) ?? 'cdp history lists the run ids')]);
        }
        const rejected = (await readRejections(warehouse, project, { syncs: [], runId: wanted, limit: 100_000 })).rejections.length;
        printRun(ctx, run, rejected);
        ctx.reporter.summary({ run: { ...run, counts: parseCounts(run.counts), rejected_records: rejected } });
        return ExitCode.ok;
      }
      const runs = await recentRuns(warehouse, project, limit);
      if (runs.length === 0) ctx.reporter.info('no runs yet');
      for (const run of runs) {
        const counts = parseCounts(run.counts);
        ctx.reporter.info(`${run.run_id}  ${String(run.command).padEnd(5)}  ${String(run.status).padEnd(8)}  ${String(run.started_at).slice(0, 19)}  ${took(run).padStart(6)}  ${describeCounts(counts)}${run.error ? `  error: ${String(run.error)}` : ''}`);
      }
      ctx.reporter.summary({ runs: runs.map((r) => ({ ...r, counts: parseCounts(r.counts) })) });
      return ExitCode.ok;
    } finally {
      await warehouse.close();
    }
  },
};

/** `--limit` as a whole number above 0; anything else is a usage error (exit 2), never SQL. */
function runLimit(value: unknown): number {
  const text = String(value ?? '20').trim();
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new ProjectError([error('invalid-option', `--limit '${text}' must be a whole number above 0`, {}, 'e.g. --limit 50')]);
  return n;
}

function parseCounts(counts: unknown): unknown {
  if (typeof counts !== 'string') return null;
  try {
    return JSON.parse(counts) as unknown;
  } catch {
    return null;
  }
}

function took(run: Row): string {
  return run.finished_at ? `${((Date.parse(String(run.finished_at)) - Date.parse(String(run.started_at))) / 1000).toFixed(1)}s` : '';
}

/** One run: when, how it ended, and what each part of it did (the build's summary, each sync's counts). */
function printRun(ctx: CommandContext, run: Row, rejected: number): void {
  const r = ctx.reporter;
  r.info(`run ${String(run.run_id)}: ${String(run.command)}, ${String(run.status)}`);
  r.info(`  started   ${String(run.started_at)}`);
  r.info(`  finished  ${run.finished_at ? `${String(run.finished_at)} (${took(run)})` : '(not finished: running, or the process died)'}`);
  if (run.error) r.info(`  error     ${String(run.error)}`);
  const counts = parseCounts(run.counts);
  if (typeof counts !== 'object' || counts === null) return;
  const c = counts as Record<string, unknown>;
  const build = (run.command === 'build' ? c : c.build) as BuildSummary | undefined;
  if (build && typeof build.models === 'number' && typeof build.seconds === 'object') {
    r.info('');
    printBuildSummary(r, { ...build, badRows: build.badRows ?? [] });
  }
  const pulls = c.pulls as Record<string, unknown> | undefined;
  if (pulls) r.info(`\npulls: ${JSON.stringify(pulls)}`);
  const syncs = c.syncs as Record<string, Record<string, number>> | undefined;
  if (syncs && Object.keys(syncs).length > 0) {
    r.info('\nsyncs:');
    for (const [name, s] of Object.entries(syncs)) {
      const parts = Object.entries(s).map(([k, v]) => `${k} ${k === 'seconds' ? `${Number(v).toFixed(1)}s` : v}`);
      r.info(`  ${name}: ${parts.join(', ')}`);
    }
  }
  if (rejected > 0) r.info(`\n${rejected} rejected record${rejected === 1 ? '' : 's'}: cdp rejections --run ${String(run.run_id)}`);
}

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
