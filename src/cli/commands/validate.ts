import type { CliCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';

export const validateCommand: CliCommand = {
  name: 'validate',
  description: 'check every project file; print all problems as file:line:col CODE message (hint)',
  async run(ctx) {
    const project = await ctx.project({ warehouse: true, destinations: 'used', missingEnv: 'warning', columns: true });
    const counts = {
      models: project.models.length,
      sources: project.sources.length,
      traits: project.traits.length,
      segments: project.segments.length,
      syncs: project.syncs.length,
    };
    ctx.reporter.info(
      `ok: ${counts.models} models, ${counts.sources} sources, ${counts.traits} traits, ${counts.segments} segments, ${counts.syncs} syncs`,
    );
    ctx.reporter.summary(counts);
    return ExitCode.ok;
  },
};
