/**
 * What SQL to write for one engine. Pure string building: no I/O, no engine clients.
 * Everything cdp compiles goes through these hooks, so one compiler serves every warehouse.
 */
export type DialectName = 'duckdb' | 'bigquery' | 'snowflake';

/** Logical column types cdp creates; each dialect names them. */
export type SqlType = 'string' | 'integer' | 'float' | 'boolean' | 'timestamp' | 'date';

export type TimeUnit = 'second' | 'minute' | 'hour' | 'day';

export interface TableRef {
  readonly schema: string;
  readonly name: string;
}

/** An aggregate over rows that pass `filter` (a SQL boolean expression, or undefined for all rows). */
export interface Filtered {
  readonly filter?: string;
}

export interface Dialect {
  readonly name: DialectName;
  /** Small capability flags; compilers branch on these, never on the dialect name. */
  readonly capabilities: {
    /** DuckDB can read CSV/Parquet/JSON files as sources. */
    readonly readsFiles: boolean;
    /** DDL can run inside a transaction (DuckDB). BigQuery forbids it; Snowflake commits DDL at once. */
    readonly transactionalDdl: boolean;
    /**
     * A common table expression read twice in one statement is computed once (DuckDB materialises it). BigQuery may
     * compute it once per reference, scanning (and billing) its tables again.
     */
    readonly sharedCtes: boolean;
    /**
     * Storage keeps each block's smallest and largest value per column (DuckDB's row groups), so a table written in
     * key order lets a lookup of a few keys skip the other blocks. BigQuery and Snowflake lay out storage themselves.
     */
    readonly zoneMaps: boolean;
  };

  quoteIdentifier(name: string): string;
  table(ref: TableRef): string;
  stringLiteral(value: string): string;
  literal(value: string | number | boolean | null): string;
  /** A timestamp literal for an instant (always UTC). */
  timestampLiteral(instant: Date): string;
  typeName(type: SqlType): string;
  cast(expr: string, type: SqlType): string;
  /** Cast that yields NULL instead of failing. */
  tryCast(expr: string, type: SqlType): string;

  /** `expr` minus `amount` units (timestamps). */
  timestampSub(expr: string, amount: number, unit: TimeUnit): string;
  /** Whether the string `expr` contains a match of the regular expression `pattern` (a SQL string expression). */
  regexpContains(expr: string, pattern: string): string;
  /** Replace every match of `pattern` in `expr`. */
  regexpReplace(expr: string, pattern: string, replacement: string): string;
  /** Lower-case hex MD5 of a string expression. */
  md5Hex(expr: string): string;
  /**
   * A fingerprint of a whole row of the relation aliased `alias`, every column and NULL included, as text: equal rows
   * give equal fingerprints, different rows differ but for a chance of 2^-64 or less (change detection: snapshot rows,
   * tails, tables compared in one build). It need not stay the same across engine versions: stored fingerprints that
   * all differ after an upgrade only make one build recompute more, never less.
   */
  rowFingerprint(alias: string): string;

  countIf(condition: string): string;
  /** count(distinct expr) over filtered rows. */
  countDistinct(expr: string, f?: Filtered): string;
  /** sum / avg / min / max of expr over filtered rows. */
  aggregate(fn: 'sum' | 'avg' | 'min' | 'max', expr: string, f?: Filtered): string;
  /**
   * The non-null `value` of the row that sorts first by `orderBy` (each item `expr asc|desc`, NULLs last):
   * a timestamp, then tie-breaks. Keeps one candidate per group, never an array of all values.
   */
  firstValue(value: string, orderBy: readonly string[], f?: Filtered): string;

  /** Statements that (re)create `target` from a select, atomically: readers see the old table or the new one. */
  createTableAs(target: TableRef, select: string): string;
  createViewAs(target: TableRef, select: string): string;
  /** How to refer to a scratch table (one run's intermediate step); on DuckDB it lives in memory. */
  scratchTable(ref: TableRef): string;
  createScratchTableAs(target: TableRef, select: string): string;
  dropScratchTable(target: TableRef): string;
  dropTable(target: TableRef): string;
  dropView(target: TableRef): string;
  createSchema(schema: string): string;
  /** Adds a nullable column to an existing table. */
  addColumn(target: TableRef, column: string, type: SqlType): string;
  /** Statements that replace `target` by `staging` (which is consumed). `targetExists` picks the cheapest form. */
  swapTables(staging: TableRef, target: TableRef, targetExists: boolean): readonly string[];
  /** Statements run as one atomic unit by Warehouse.transaction. */
  beginTransaction(): string;
  commitTransaction(): string;
  /** Undoes the open transaction after a failed statement. */
  rollbackTransaction(): string;
  /**
   * Session settings for bulk work on intermediate tables whose row order does not matter
   * (DuckDB then skips keeping insertion order), and the statements that restore the defaults.
   */
  unorderedSession(): { readonly enter: readonly string[]; readonly exit: readonly string[] };
  /** `from` clause reading a file (DuckDB only; others throw). */
  readFile(path: string, format: 'csv' | 'parquet' | 'json'): string;
  /** A query of how the engine would read one CSV file: one row of `CsvDialect` columns (DuckDB only; others throw). */
  sniffCsv(file: string): string;
  /** `from` clause reading CSV files with the dialect and columns given, nothing detected (DuckDB only; others throw). */
  readCsvAs(files: readonly string[], dialect: CsvDialect, columns: readonly (readonly [name: string, type: string])[]): string;
}

/** How a CSV file is written, as the engine detects it: the row `sniffCsv` returns. */
export interface CsvDialect {
  readonly delimiter: string;
  readonly quote: string;
  readonly escape: string;
  readonly newLine: string;
  readonly comment: string;
  readonly skipRows: number;
  readonly hasHeader: boolean;
  readonly dateFormat: string | null;
  readonly timestampFormat: string | null;
}

export class UnsupportedByDialect extends Error {
  constructor(dialect: DialectName, what: string) {
    super(`${what} is not supported on ${dialect}`);
    this.name = 'UnsupportedByDialect';
  }
}

export const filterValue = (expr: string, f?: Filtered): string =>
  f?.filter ? `case when ${f.filter} then ${expr} end` : expr;
