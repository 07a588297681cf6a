import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { locate, type LoadedProject, type Origin } from '../config/load-project.js';
import { RunError, error, type Diagnostic } from '../diagnostics/diagnostic.js';
import type { WarehouseError } from '../warehouse/warehouse.js';

/** A statement the warehouse refused because of SQL the user wrote, located in the user's file (exit 1). */
export class UserSqlError extends RunError {
  constructor(
    readonly diagnostic: Diagnostic,
    readonly sql: string,
  ) {
    super(diagnostic.code, diagnostic.message, diagnostic.hint);
    this.name = 'UserSqlError';
  }
}

/**
 * Which model, source, trait or segment a warehouse error comes from, and the line of its SQL that
 * names what the warehouse complained about (a column, a function). Undefined when the error cannot be
 * tied to the user's SQL (then it is reported as the warehouse said it).
 */
export function locateUserSqlError(project: LoadedProject, failure: WarehouseError): UserSqlError | undefined {
  const label = failure.label ?? '';
  const reason = failure.message.slice(label ? label.length + 2 : 0).split('\n')[0].trim();
  // Only the first line names the culprit; later lines hold the engine's own suggestions.
  const names = namesIn(reason);
  const candidate = /Candidate bindings: "([^"]+)"/.exec(failure.message)?.[1];
  const hint = `${candidate ? `did you mean '${candidate}'? ` : ''}--verbose prints the statement the warehouse ran`;
  const found = (kind: string, item: { name: string; origin: Origin }, key: string) => {
    const at = lineOf(project, item.origin, key, names);
    const d = error('user-sql', `${kind} '${item.name}' failed in the warehouse: ${reason}`, at, hint);
    return new UserSqlError(d, failure.sql);
  };
  const model = /^model (\S+)$/.exec(label);
  if (model) {
    const m = project.models.find((x) => x.name === model[1]);
    return m ? found('model', m, 'sql') : undefined;
  }
  const source = /^source (\S+)$/.exec(label);
  if (source) {
    const s = project.sources.find((x) => x.name === source[1]);
    return s ? found('source', s, s.path !== undefined ? 'path' : s.table !== undefined ? 'table' : 'model') : undefined;
  }
  if (names.length === 0) return undefined;
  const mentions = (text: string | undefined) => text !== undefined && names.some((n) => new RegExp(`\\b${escape(n)}\\b`, 'i').test(text));
  if (/profiles|trait/.test(label)) {
    for (const trait of project.traits) {
      const key = (['sql', 'where', 'column'] as const).find((k) => mentions(trait[k]));
      if (key) return found('trait', trait, key);
    }
  }
  if (/segment/.test(label)) {
    const segment = project.segments.find((s) => mentions(s.where));
    if (segment) return found('segment', segment, 'where');
  }
  return undefined;
}

/** Names an engine quotes in its message: DuckDB "amout" / nonexistent_fn, BigQuery `Unrecognized name: x`, Snowflake 'X'. */
function namesIn(message: string): string[] {
  const found = [
    ...[...message.matchAll(/"([A-Za-z_][A-Za-z0-9_]*)"/g)].map((m) => m[1]),
    ...[...message.matchAll(/(?:with name|Unrecognized name:|Function not found:|invalid identifier) '?([A-Za-z_][A-Za-z0-9_]*)'?/gi)].map((m) => m[1]),
  ];
  return [...new Set(found)].filter((n) => !/^(cdp|main|source_.*)$/i.test(n));
}

/** The line (and column) in the file where the item's `key` value first names one of `names`; else the value's start. */
function lineOf(project: LoadedProject, origin: Origin, key: string, names: readonly string[]): ReturnType<typeof locate> {
  const start = locate(origin, key);
  if (!start.file || !start.line || names.length === 0) return start;
  try {
    const lines = readFileSync(join(project.dir, start.file), 'utf8').split('\n');
    const indent = (line: string) => /^ */.exec(line)?.[0].length ?? 0;
    const keyIndent = indent(lines[start.line - 1] ?? '');
    for (let i = start.line - 1; i < lines.length; i++) {
      // The value goes on while lines are blank or indented deeper than its key (a block scalar).
      if (i > start.line - 1 && lines[i].trim() !== '' && indent(lines[i]) <= keyIndent) break;
      for (const name of names) {
        const m = new RegExp(`\\b${escape(name)}\\b`, 'i').exec(i === start.line - 1 ? lines[i].slice((start.col ?? 1) - 1) : lines[i]);
        if (m) return { file: start.file, line: i + 1, col: m.index + 1 + (i === start.line - 1 ? (start.col ?? 1) - 1 : 0) };
      }
    }
  } catch {
    return start;
  }
  return start;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
