import { Command, CommanderError, Option } from 'commander';
import { formatDiagnostic, ProjectError, RunError } from '../diagnostics/diagnostic.js';
import { redactUrlCredentials } from '../diagnostics/redact-url-credentials.js';
import { WarehouseError } from '../warehouse/warehouse.js';
import { commands } from './commands.js';
import { CommandContext } from './context.js';
import { ExitCode } from './exit-codes.js';
import { processIO, type CliIO, type GlobalOptions, type Reporter } from './io.js';
import { packageVersion } from './package-info.js';
import { failureOutput, formatJsonOutput, type JsonError } from './json-output.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { UserSqlError } from '../run/user-sql-error.js';

/** Runs the cdp CLI on argv (as process.argv: node, script, ...args) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = new Command('cdp')
    .description('Warehouse-native customer data platform: identity, traits and segments in SQL; diff-based sync to CRMs')
    .version(packageVersion)
    .option('--project-dir <dir>', 'the project folder (holds cdp.config.yaml)')
    .option('--target <name>', 'use this targets: block of cdp.config.yaml as the warehouse (default: CDP_TARGET, else warehouse:)')
    .option('--as-of <timestamp>', 'reference time for relative windows (ISO 8601); default now')
    .option('--json', 'print one machine-readable summary on stdout')
    .addOption(new Option('--quiet', 'print only problems').conflicts('verbose'))
    .option('--verbose', 'print every step and statement label, with the time and how long the previous step took')
    .addOption(new Option('--log-format <format>', 'text, or json: every line for people becomes a JSON log record on stderr').choices(['text', 'json']).default('text'))
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  for (const command of commands) {
    const sub = program.command(command.name).description(command.description).exitOverride();
    for (const arg of command.arguments ?? []) sub.argument(arg.spec, arg.description);
    for (const option of command.options ?? []) sub.option(option.flags, option.description, option.defaultValue);
    sub.action(async (...args: unknown[]) => {
      const cmd = args.at(-1) as Command;
      const options = cmd.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
      const positional = args.slice(0, -2) as (string | string[] | undefined)[];
      exitCode = await runGuarded(io, options, command.name, (ctx) => command.run(ctx, positional, options));
    });
  }

  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.ok;
      if (argv.includes('--json')) {
        const command = argv.slice(2).find((a) => commands.some((c) => c.name === a)) ?? 'cdp';
        io.stdout(formatJsonOutput(failureOutput(command, ExitCode.invalid, { code: 'usage', message: error.message.replace(/^error: /, '') })));
      }
      return ExitCode.invalid;
    }
    throw error;
  }
  return exitCode;
}

async function runGuarded(cliIO: CliIO, options: GlobalOptions, command: string, run: (ctx: CommandContext) => Promise<number>): Promise<number> {
  // Last line of defence: a URL's password never reaches the terminal, whatever text carried it.
  const io: CliIO = { ...cliIO, stdout: (t) => cliIO.stdout(redactUrlCredentials(t)), stderr: (t) => cliIO.stderr(redactUrlCredentials(t)) };
  let ctx: CommandContext | undefined;
  try {
    ctx = new CommandContext(io, options, command);
    const code = await run(ctx);
    ctx.reporter.finish();
    ctx.reporter.printSummary(code);
    return code;
  } catch (error) {
    ctx?.reporter.finish();
    const failure = describeFailure(io, options, error, ctx?.reporter);
    if (options.json && !ctx?.reporter.summaryPrinted) {
      ctx?.reporter.markPrinted();
      io.stdout(formatJsonOutput(failureOutput(command, failure.exitCode, failure.error, failure.diagnostics)));
    }
    return failure.exitCode;
  }
}

/** Prints a command's failure for people (stderr) and returns it as data for --json. */
function describeFailure(io: CliIO, options: GlobalOptions, error: unknown, reporter?: Reporter): { exitCode: number; error: JsonError; diagnostics: readonly Diagnostic[] } {
  // Through the reporter when there is one, so --log-format json turns these into log records too.
  const line = (text: string) => (reporter ? reporter.problem(text) : io.stderr(`${text}\n`));
  const located = (list: readonly Diagnostic[]) => (reporter ? reporter.diagnostics(list) : list.forEach((d) => io.stderr(`${formatDiagnostic(d)}\n`)));
  if (error instanceof ProjectError) {
    located(error.diagnostics);
    const errors = error.diagnostics.filter((d) => d.severity === 'error');
    line(`${errors.length} error${errors.length === 1 ? '' : 's'}`);
    const first = errors[0];
    return {
      exitCode: ExitCode.invalid,
      error: { code: first?.code ?? 'invalid', message: `${errors.length} error${errors.length === 1 ? '' : 's'} in the project or the command line` },
      diagnostics: error.diagnostics,
    };
  }
  if (error instanceof UserSqlError) {
    located([error.diagnostic]);
    if (options.verbose) line(error.sql);
    return { exitCode: ExitCode.runFailed, error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) }, diagnostics: [error.diagnostic] };
  }
  if (error instanceof RunError) {
    line(`error ${error.code}: ${error.message}${error.hint ? ` (${error.hint})` : ''}`);
    return { exitCode: ExitCode.runFailed, error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) }, diagnostics: [] };
  }
  if (error instanceof WarehouseError) {
    line(`error warehouse: ${error.message}`);
    if (options.verbose) line(error.sql);
    return { exitCode: ExitCode.runFailed, error: { code: 'warehouse', message: error.message }, diagnostics: [] };
  }
  const message = error instanceof Error ? error.message : String(error);
  line(`error: ${message}`);
  if (options.verbose && error instanceof Error && error.stack) line(error.stack);
  return { exitCode: ExitCode.runFailed, error: { code: 'failed', message }, diagnostics: [] };
}
