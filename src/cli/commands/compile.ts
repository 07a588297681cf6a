import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { locate } from '../../config/load-project.js';
import { ProjectError, error } from '../../diagnostics/diagnostic.js';
import { suggestion } from '../../diagnostics/did-you-mean.js';
import { dialectNames, dialects } from '../../engines/dialects.js';
import type { DialectName } from '../../dialect/dialect.js';
import { describePlan, printPlan, stepSqlText } from '../../model/print-plan.js';
import { compilePlan } from '../../run/compile-plan.js';
import type { CliCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';

export const compileCommand: CliCommand = {
  name: 'compile',
  description: 'write the compiled SQL plan to target/ without touching a warehouse',
  options: [{ flags: '--dialect <dialect>', description: `duckdb | bigquery | snowflake (default: the configured warehouse)` }],
  async run(ctx, _args, options) {
    const project = await ctx.project();
    const name = (options.dialect as string | undefined) ?? project.config.warehouse.type;
    if (!dialectNames.includes(name as DialectName)) {
      throw new ProjectError([error('invalid-option', `unknown dialect '${name}'`, {}, suggestion(name, dialectNames) ?? `use one of ${dialectNames.join(', ')}`)]);
    }
    const dialect = dialects[name as DialectName];
    const fileSources = dialect.capabilities.readsFiles ? [] : project.sources.filter((s) => s.path !== undefined);
    if (fileSources.length > 0) {
      throw new ProjectError(
        fileSources.map((s) => error('unsupported', `source '${s.name}' reads files (path:), which ${name} cannot`, locate(s.origin, 'path'), `load the files into a ${name} table and use table:`)),
      );
    }
    const plan = compilePlan(project, dialect, ctx.asOf);
    const out = join(project.dir, 'target', name);
    await rm(out, { recursive: true, force: true });
    await mkdir(out, { recursive: true });
    // One file per step (a session's steps each get their own), and the typed plan as JSON.
    const printed = printPlan(plan, dialect);
    let n = 0;
    for (const step of printed) {
      n += 1;
      const file = `${String(n).padStart(3, '0')}_${step.id.replace(/[^A-Za-z0-9_.-]/g, '_')}.sql`;
      await writeFile(join(out, file), stepSqlText(step));
    }
    await writeFile(join(out, 'plan.json'), `${JSON.stringify(describePlan(plan), null, 2)}\n`);
    ctx.reporter.info(`compiled ${printed.length} steps for ${name} into target/${name}/`);
    ctx.reporter.summary({ dialect: name, steps: printed.length, dir: `target/${name}` });
    return ExitCode.ok;
  },
};
