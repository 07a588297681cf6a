import type { SqlType, TableRef } from '../../src/dialect/dialect.js';
import type { Value, Warehouse } from '../../src/warehouse/warehouse.js';

export type ColumnSpec = readonly (readonly [name: string, type: SqlType])[];

/** Test set-up: (re)creates `table` with cdp's logical column types and appends `rows` through insertRows. */
export async function loadTable(warehouse: Warehouse, table: TableRef, columns: ColumnSpec, rows: readonly (readonly Value[])[]): Promise<void> {
  const d = warehouse.dialect;
  await warehouse.execute(d.createSchema(table.schema));
  const defs = columns.map(([name, type]) => `${d.quoteIdentifier(name)} ${d.typeName(type)}`).join(', ');
  await warehouse.execute(`create or replace table ${d.table(table)} (${defs})`);
  if (rows.length > 0) await warehouse.insertRows(table, columns.map(([name]) => name), rows);
}
