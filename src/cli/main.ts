import { Command, CommanderError, Option } from 'commander';
import { formatDiagnostic, ProjectError, RunError } from '../diagnostics/diagnostic.js';
import { redactUrlCredentials } from '../diagnostics/redact-url-credentials.js';
import { WarehouseError } from '../warehouse/warehouse.js';
import { commands } from './commands.js';
import { CommandContext } from './context.js';
import { ExitCode } from './exit-codes.js';
import { processIO, type CliIO, type GlobalOptions } from './io.js';
import { packageVersion } from './package-info.js';

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
    .option('--verbose', 'print every step and statement label')
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
      exitCode = await runGuarded(io, options, (ctx) => command.run(ctx, positional, options));
    });
  }

  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.invalid;
    }
    throw error;
  }
  return exitCode;
}

async function runGuarded(cliIO: CliIO, options: GlobalOptions, run: (ctx: CommandContext) => Promise<number>): Promise<number> {
  // Last line of defence: a URL's password never reaches the terminal, whatever text carried it.
  const io: CliIO = { ...cliIO, stdout: (t) => cliIO.stdout(redactUrlCredentials(t)), stderr: (t) => cliIO.stderr(redactUrlCredentials(t)) };
  try {
    const ctx = new CommandContext(io, options);
    return await run(ctx);
  } catch (error) {
    if (error instanceof ProjectError) {
      for (const d of error.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
      const errors = error.diagnostics.filter((d) => d.severity === 'error').length;
      io.stderr(`${errors} error${errors === 1 ? '' : 's'}\n`);
      return ExitCode.invalid;
    }
    if (error instanceof RunError) {
      io.stderr(`error ${error.code}: ${error.message}${error.hint ? ` (${error.hint})` : ''}\n`);
      return ExitCode.runFailed;
    }
    if (error instanceof WarehouseError) {
      io.stderr(`error warehouse: ${error.message}\n`);
      if (options.verbose) io.stderr(`${error.sql}\n`);
      return ExitCode.runFailed;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`error: ${message}\n`);
    if (options.verbose && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return ExitCode.runFailed;
  }
}
