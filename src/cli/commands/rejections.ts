import { ProjectError, error } from '../../diagnostics/diagnostic.js';
import { suggestion } from '../../diagnostics/did-you-mean.js';
import { readRejections } from '../../sync/sync-rejections.js';
import type { CliCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { names } from './sync-command-support.js';

export const rejectionsCommand: CliCommand = {
  name: 'rejections',
  description: 'records a destination refused: code, message and the payload that was sent (default: the newest run with rejections)',
  arguments: [{ spec: '[syncs...]', description: 'only these syncs (default: all)' }],
  options: [
    { flags: '--run <id>', description: 'the run to show (see cdp history)' },
    { flags: '-n, --limit <n>', description: 'at most this many records', defaultValue: '100' },
  ],
  async run(ctx, args, options) {
    const project = await ctx.project({ warehouse: true });
    const syncs = names(args[0]);
    const known = project.syncs.map((s) => s.sync);
    const unknown = syncs.filter((s) => !known.includes(s));
    if (unknown.length > 0) throw new ProjectError(unknown.map((s) => error('unknown-sync', `there is no sync '${s}'`, {}, suggestion(s, known))));
    const limit = Number(options.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new ProjectError([error('invalid-option', `--limit '${String(options.limit)}' is not a whole number above 0`, {}, 'e.g. --limit 50')]);
    const warehouse = await ctx.readOnlyWarehouse(project);
    try {
      const { runId, rejections } = await readRejections(warehouse, project, { syncs, runId: options.run as string | undefined, limit });
      const r = ctx.reporter;
      if (rejections.length === 0) r.info(runId ? `no rejected records in run ${runId}` : 'no rejected records');
      else r.info(`${rejections.length} rejected record${rejections.length === 1 ? '' : 's'} in run ${runId}${rejections.length === limit ? ` (first ${limit}; --limit shows more)` : ''}:`);
      for (const x of rejections) {
        r.info(`  ${x.sync}  ${x.key}  ${x.operation}  ${x.code}: ${x.message}`);
        r.info(`    sent: ${x.payload === null ? '(not kept: rejected before payloads were recorded)' : JSON.stringify(x.payload)}`);
      }
      r.summary({ runId, rejections });
      return ExitCode.ok;
    } finally {
      await warehouse.close();
    }
  },
};
