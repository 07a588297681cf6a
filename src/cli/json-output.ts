import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { toSnakeCase } from '../run/snake-case-keys.js';

export { toSnakeCase };

/**
 * The one shape of `--json` output, for every command (docs/json-output.md). Bump the version when a
 * key is renamed or removed; adding keys keeps it.
 */
export const JSON_OUTPUT_VERSION = 1;

export interface JsonError {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

/** What a command prints with `--json` on success (exit 0, 3 or 4) and on failure (exit 1 or 2). */
export type JsonOutput =
  | ({ readonly version: number; readonly command: string; readonly ok: boolean; readonly exit_code: number } & Readonly<Record<string, unknown>>)
  | {
      readonly version: number;
      readonly command: string;
      readonly ok: false;
      readonly exit_code: number;
      readonly error: JsonError;
      readonly diagnostics: readonly Diagnostic[];
    };

export function successOutput(command: string, exitCode: number, data: unknown): JsonOutput {
  const body = toSnakeCase(data);
  const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : { result: body };
  const rest = Object.fromEntries(Object.entries(fields).filter(([k]) => !['version', 'command', 'ok', 'exit_code'].includes(k)));
  return { version: JSON_OUTPUT_VERSION, command, ok: exitCode === 0, exit_code: exitCode, ...rest };
}

export function failureOutput(command: string, exitCode: number, error: JsonError, diagnostics: readonly Diagnostic[] = []): JsonOutput {
  return {
    version: JSON_OUTPUT_VERSION,
    command,
    ok: false,
    exit_code: exitCode,
    error: toSnakeCase(error) as JsonError,
    diagnostics: toSnakeCase(diagnostics) as Diagnostic[],
  };
}

export function formatJsonOutput(output: JsonOutput): string {
  return `${JSON.stringify(output, null, 2)}\n`;
}
