import type { Dialect, TableRef } from '../dialect/dialect.js';
import type { Value, Warehouse } from './warehouse.js';

export interface InsertBatchLimits {
  /** Rows per statement (Snowflake allows 16,384 rows in one VALUES list). */
  readonly maxRows?: number;
  /** UTF-8 bytes per statement: BigQuery and Snowflake reject statement texts over 1 MB. */
  readonly maxBytes?: number;
}

/**
 * `insert into t (a, b) values (...), (...)` statements with literals written by the dialect, cut so
 * that none exceeds the engine's statement-size limit however long the strings are. A single row
 * larger than the limit still gets a statement of its own (the engine then says what is wrong).
 */
export function insertBatches(
  dialect: Dialect,
  table: TableRef,
  columns: readonly string[],
  rows: readonly (readonly Value[])[],
  limits: InsertBatchLimits = {},
): string[] {
  const maxRows = limits.maxRows ?? 500;
  const maxBytes = limits.maxBytes ?? 900_000;
  const head = `insert into ${dialect.table(table)} (${columns.map((c) => dialect.quoteIdentifier(c)).join(', ')}) values\n`;
  const headBytes = Buffer.byteLength(head);
  const statements: string[] = [];
  let tuples: string[] = [];
  let bytes = headBytes;
  for (const row of rows) {
    if (row.length !== columns.length) {
      throw new Error(`insert into ${table.schema}.${table.name}: a row has ${row.length} values for ${columns.length} columns`);
    }
    const tuple = `(${row.map((v) => dialect.literal(v)).join(', ')})`;
    const size = Buffer.byteLength(tuple) + 2;
    if (tuples.length > 0 && (tuples.length >= maxRows || bytes + size > maxBytes)) {
      statements.push(head + tuples.join(',\n'));
      tuples = [];
      bytes = headBytes;
    }
    tuples.push(tuple);
    bytes += size;
  }
  if (tuples.length > 0) statements.push(head + tuples.join(',\n'));
  return statements;
}

/** Appends rows with `insertBatches` statements, one after another: every engine's `insertRows`. */
export async function appendRows(
  warehouse: Warehouse,
  table: TableRef,
  columns: readonly string[],
  rows: readonly (readonly Value[])[],
  limits: InsertBatchLimits = {},
): Promise<void> {
  for (const sql of insertBatches(warehouse.dialect, table, columns, rows, limits)) {
    await warehouse.execute(sql, { label: `insert into ${table.schema}.${table.name}` });
  }
}
