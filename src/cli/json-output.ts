import type { Diagnostic } from '../diagnostics/diagnostic.js';

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

/**
 * Keys whose object value is a map keyed by the user's names (fields, traits, columns, syncs, …):
 * those keys are printed as written; only the values below them are converted.
 */
const namedMaps = new Set(['field_updates', 'fields', 'traits', 'inputs', 'columns', 'syncs', 'payload', 'env', 'tables', 'ownership', 'pulls', 'seconds']);

/** camelCase keys become snake_case, recursively; names chosen by the user (see namedMaps) are kept. */
export function toSnakeCase(value: unknown, keepKeys = false): unknown {
  if (Array.isArray(value)) return value.map((v) => toSnakeCase(v));
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const name = keepKeys ? key : snakeKey(key);
    out[name] = toSnakeCase(v, !keepKeys && namedMaps.has(name) && isPlainObject(v));
  }
  return out;
}

/** `rateLimited` → `rate_limited`; keys that do not start lower-case (Salesforce `FirstName`) stay. */
function snakeKey(key: string): string {
  return /^[a-z][a-zA-Z0-9]*$/.test(key) ? key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase() : key;
}

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
