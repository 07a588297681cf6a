import { filterValue, type Dialect, type Filtered, type SqlType, type TableRef } from './dialect.js';

/** The parts most engines write alike; each dialect spreads this and overrides what differs. */
export const ansiParts = {
  stringLiteral(value: string): string {
    return `'${value.replaceAll("'", "''")}'`;
  },
  countDistinct(expr: string, f?: Filtered): string {
    return `count(distinct ${filterValue(expr, f)})`;
  },
  aggregate(fn: 'sum' | 'avg' | 'min' | 'max', expr: string, f?: Filtered): string {
    return `${fn}(${filterValue(expr, f)})`;
  },
  createTableAs(this: Dialect, target: TableRef, select: string): string {
    return `create or replace table ${this.table(target)} as\n${select}`;
  },
  createViewAs(this: Dialect, target: TableRef, select: string): string {
    return `create or replace view ${this.table(target)} as\n${select}`;
  },
  dropTable(this: Dialect, target: TableRef): string {
    return `drop table if exists ${this.table(target)}`;
  },
  scratchTable(this: Dialect, ref: TableRef): string {
    return this.table(ref);
  },
  dropScratchTable(this: Dialect, target: TableRef): string {
    return `drop table if exists ${this.scratchTable(target)}`;
  },
  dropView(this: Dialect, target: TableRef): string {
    return `drop view if exists ${this.table(target)}`;
  },
  createSchema(this: Dialect, schema: string): string {
    return `create schema if not exists ${this.quoteIdentifier(schema)}`;
  },
  addColumn(this: Dialect, target: TableRef, column: string, type: SqlType): string {
    return `alter table ${this.table(target)} add column ${this.quoteIdentifier(column)} ${this.typeName(type)}`;
  },
  cast(this: Dialect, expr: string, type: SqlType): string {
    return `cast(${expr} as ${this.typeName(type)})`;
  },
  tryCast(this: Dialect, expr: string, type: SqlType): string {
    return `try_cast(${expr} as ${this.typeName(type)})`;
  },
  table(this: Dialect, ref: TableRef): string {
    return `${this.quoteIdentifier(ref.schema)}.${this.quoteIdentifier(ref.name)}`;
  },
  literal(this: Dialect, value: string | number | boolean | null): string {
    if (value === null) return 'null';
    if (typeof value === 'boolean') return value ? 'true' : 'false';
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as a SQL literal`);
      return String(value);
    }
    return this.stringLiteral(value);
  },
  beginTransaction: (): string => 'begin transaction',
  commitTransaction: (): string => 'commit',
  rollbackTransaction: (): string => 'rollback',
  unorderedSession: (): { readonly enter: readonly string[]; readonly exit: readonly string[] } => ({ enter: [], exit: [] }),
};

/** `2026-01-02 03:04:05.678` in UTC: the form all three engines parse. */
export function utcTimestampText(instant: Date): string {
  return instant.toISOString().replace('T', ' ').replace('Z', '');
}
