import type { Dialect, SqlType, TableRef } from '../dialect/dialect.js';

/** A value read out of a warehouse, normalised: big integers that fit become numbers, timestamps ISO strings. */
export type Value = string | number | boolean | null;
export type Row = Readonly<Record<string, Value>>;

export interface ColumnInfo {
  readonly name: string;
  /** The engine's own type name, upper-cased (for messages). */
  readonly type: string;
  /** The portable type, mapped by the engine (src/engines/<engine>/column-types.ts); undefined for types cdp does not map. */
  readonly sqlType: SqlType | undefined;
}

/** Running totals of a warehouse's job statistics (docs/commands.md#cost-per-stage). */
export interface JobBytes {
  readonly processed: number | null;
  readonly billed: number | null;
}

/** Labels a statement so an error can say which step of which model failed. */
export interface StatementOptions {
  readonly label?: string;
}

/**
 * The only code that talks to a database. One class per engine; everything else sends SQL text
 * written by a Dialect. Column names in results are lower-case on every engine.
 */
export interface Warehouse {
  readonly dialect: Dialect;
  /** Runs one statement and discards its result. */
  execute(sql: string, options?: StatementOptions): Promise<void>;
  query(sql: string, options?: StatementOptions): Promise<Row[]>;
  /** Reads a result in chunks, so a large diff never has to fit in memory. */
  stream(sql: string, options?: StatementOptions & { readonly chunkRows?: number }): AsyncIterable<readonly Row[]>;
  /** Runs the statements as one atomic unit: all of them take effect or none. */
  transaction(statements: readonly string[], options?: StatementOptions): Promise<void>;
  /** Appends rows to an existing table (state commits, logs). Values are written as literals. */
  insertRows(table: TableRef, columns: readonly string[], rows: readonly (readonly Value[])[]): Promise<void>;
  tableExists(table: TableRef): Promise<boolean>;
  /** Whether a table or a view of that name exists. */
  relationKind(table: TableRef): Promise<'table' | 'view' | undefined>;
  columns(table: TableRef): Promise<ColumnInfo[]>;
  /**
   * Bytes processed and billed by every statement so far, from the engine's job statistics (BigQuery);
   * absent on engines that report neither. A figure the engine never reported is null.
   */
  jobBytes?(): JobBytes;
  /** A second session on the same engine, with its own connection: the run lock's heartbeat uses it so it never waits behind a long statement. */
  session(): Promise<Warehouse>;
  close(): Promise<void>;
}

/** A statement the warehouse rejected, with what cdp was doing at the time. */
export class WarehouseError extends Error {
  constructor(
    message: string,
    readonly label: string | undefined,
    readonly sql: string,
  ) {
    super(label ? `${label}: ${message}` : message);
    this.name = 'WarehouseError';
  }
}
