/** A problem found in the user's project or run, as data: collected, then reported together. */
export interface Diagnostic {
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
  readonly hint?: string;
}

export function error(code: string, message: string, where: Location = {}, hint?: string): Diagnostic {
  return { code, severity: 'error', message, ...where, ...(hint ? { hint } : {}) };
}

export function warning(code: string, message: string, where: Location = {}, hint?: string): Diagnostic {
  return { code, severity: 'warning', message, ...where, ...(hint ? { hint } : {}) };
}

export interface Location {
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
}

/** `file:line:col CODE message (hint)` — the one format every command prints. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}:${d.col ?? 1}` : ''} ` : '';
  const level = d.severity === 'warning' ? 'warning ' : '';
  return `${where}${level}${d.code} ${d.message}${d.hint ? ` (${d.hint})` : ''}`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Thrown once, after collecting, when a command cannot go on because of the user's input (exit 2). */
export class ProjectError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'ProjectError';
  }
}

/** A failure of the run itself (warehouse, destination, lock): exit 1, with what to check. */
export class RunError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'RunError';
  }
}
