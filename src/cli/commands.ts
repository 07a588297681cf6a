import type { CliCommand } from './command.js';
import { buildCommand } from './commands/build.js';
import { debugCommand } from './commands/debug.js';
import { compileCommand } from './commands/compile.js';
import { forgetCommand } from './commands/forget.js';
import { generateCommand } from './commands/generate.js';
import { historyCommand } from './commands/history.js';
import { initCommand } from './commands/init.js';
import { inspectCommand } from './commands/inspect.js';
import { lsCommand } from './commands/ls.js';
import { planCommand } from './commands/plan.js';
import { pullCommand } from './commands/pull.js';
import { rejectionsCommand } from './commands/rejections.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { sandboxCommand } from './commands/sandbox.js';
import { syncCommand } from './commands/sync.js';
import { validateCommand } from './commands/validate.js';

/** Every command, in the order `cdp --help` lists them. */
export const commands: readonly CliCommand[] = [
  initCommand,
  validateCommand,
  compileCommand,
  buildCommand,
  planCommand,
  syncCommand,
  runCommand,
  pullCommand,
  inspectCommand,
  lsCommand,
  forgetCommand,
  historyCommand,
  debugCommand,
  rejectionsCommand,
  reportCommand,
  sandboxCommand,
  generateCommand,
];
