import { ProjectError, error } from '../../diagnostics/diagnostic.js';
import { suggestion } from '../../diagnostics/did-you-mean.js';
import { selectModels } from '../../model/compile-models.js';
import { buildProject } from '../../run/build-project.js';
import { withRun } from '../../run/with-run.js';
import type { CliCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { printBuildSummary } from '../print-build-summary.js';

export const buildCommand: CliCommand = {
  name: 'build',
  description: 'run models, identity resolution, traits and segments in the warehouse',
  options: [
    { flags: '-s, --select <models...>', description: "only these models ('name', 'name+' with downstream, '+name' with upstream)" },
    { flags: '--full-refresh', description: 'rebuild identity from scratch instead of incrementally' },
  ],
  async run(ctx, _args, options) {
    const project = await ctx.project({ warehouse: true, columns: true });
    const selectors = options.select as string[] | undefined;
    let selected: Set<string> | undefined;
    if (selectors) {
      const names = project.models.map((m) => m.name);
      const unknown = selectors.filter((s) => !names.includes(s.replace(/^\+|\+$/g, '')));
      if (unknown.length > 0) {
        throw new ProjectError(unknown.map((s) => error('unknown-model', `--select '${s}' matches no model`, {}, suggestion(s, names))));
      }
      selected = selectModels(project, selectors);
    }
    const summary = await withRun(ctx, project, 'build', async (stage) => {
      const result = await buildProject({ ...stage, fullRefresh: Boolean(options.fullRefresh) }, selected);
      return { status: 'success' as const, counts: result, result: { runId: stage.runId, ...result } };
    });
    printBuildSummary(ctx.reporter, summary);
    ctx.reporter.summary({ command: 'build', ...summary });
    return ExitCode.ok;
  },
};
