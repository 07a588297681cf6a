import { join, resolve } from 'node:path';
import { ProjectError, error } from '../../diagnostics/diagnostic.js';
import { generateSample } from '../../sample/generate-sample.js';
import type { CliCommand } from '../command.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';

export const generateCommand: CliCommand = {
  name: 'generate',
  description: 'write deterministic sample customer data (events, orders, CRM exports, consents, ground truth)',
  options: [
    { flags: '--people <n>', description: 'how many people', defaultValue: '2000' },
    { flags: '--seed <n>', description: 'random seed: the same seed gives the same files', defaultValue: '42' },
    { flags: '--events-per-person <n>', description: 'mean web and app events per person', defaultValue: '20' },
    { flags: '--out <dir>', description: 'output folder, relative to the project', defaultValue: 'data' },
    { flags: '--format <format>', description: 'csv | parquet', defaultValue: 'csv' },
  ],
  async run(ctx, _args, options) {
    await writeSampleData(ctx, resolve(ctx.dir, String(options.out)), {
      people: positive(options.people, '--people'),
      seed: positive(options.seed, '--seed', true),
      eventsPerPerson: positive(options.eventsPerPerson, '--events-per-person'),
      format: options.format === 'parquet' ? 'parquet' : 'csv',
    });
    return ExitCode.ok;
  },
};

export async function writeSampleData(
  ctx: CommandContext,
  outDir: string,
  options: { people: number; seed: number; eventsPerPerson: number; format: 'csv' | 'parquet' },
): Promise<void> {
  const summary = await generateSample({ ...options, asOf: ctx.asOf, outDir });
  const rows = Object.values(summary.tables).reduce((n, t) => n + t.rows, 0);
  ctx.reporter.info(`wrote ${rows.toLocaleString('en-US')} rows for ${options.people} people into ${join(outDir)} in ${summary.seconds.toFixed(1)}s`);
  for (const [table, t] of Object.entries(summary.tables)) ctx.reporter.verbose(`  ${table}: ${t.rows} rows`);
  ctx.reporter.summary({ command: 'generate', ...summary });
}

function positive(value: unknown, flag: string, allowZero = false): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new ProjectError([error('invalid-option', `${flag} '${String(value)}' must be a whole number${allowZero ? '' : ' above 0'}`)]);
  }
  return n;
}
