import type { CommandContext } from './context.js';

/** One CLI command: its flags, and what it does. Returns the exit code. */
export interface CliCommand {
  readonly name: string;
  readonly description: string;
  readonly arguments?: readonly { readonly spec: string; readonly description: string }[];
  readonly options?: readonly { readonly flags: string; readonly description: string; readonly defaultValue?: string | boolean }[];
  run(ctx: CommandContext, args: readonly (string | string[] | undefined)[], options: Readonly<Record<string, unknown>>): Promise<number>;
}
