import { RunError } from '../../diagnostics/diagnostic.js';

/** DuckDB's words for a file another process has open; "lock" alone also matches "block" in a corruption message. */
export function isDuckDBFileInUse(error: unknown): boolean {
  return /could not set lock|conflicting lock/i.test(error instanceof Error ? error.message : String(error));
}

/** A DuckDB file that would not open, as the error a user can act on: in use, damaged, or unreachable. */
export function duckdbOpenError(path: string, error: unknown): RunError {
  const message = error instanceof Error ? error.message : String(error);
  if (isDuckDBFileInUse(error)) return new RunError('lock-held', `the DuckDB file ${path} is in use by another process`, 'wait for the other cdp run to finish, or stop it');
  const damaged = /corrupt|not a valid DuckDB database/i.test(message);
  return new RunError(
    'warehouse-unreachable',
    `cannot open DuckDB file ${path}: ${message}`,
    damaged ? 'the file is damaged or is not a DuckDB database: restore it from a copy, or point warehouse.path at a new file and run cdp build' : 'check the path and its permissions',
  );
}
