import type { TableRef } from '../dialect/dialect.js';
import type { StatementOptions, Warehouse } from './warehouse.js';

/**
 * Builds `select` into a staging table, then swaps it in for `target`: readers see the old table or
 * the new one, never half of one, and a failed build leaves the old table as it was. DuckDB swaps in
 * a transaction; BigQuery's COPY and Snowflake's SWAP WITH are atomic on their own (neither allows
 * DDL inside a transaction).
 */
export async function replaceTable(warehouse: Warehouse, target: TableRef, select: string, options: StatementOptions = {}): Promise<void> {
  const d = warehouse.dialect;
  const staging = { schema: target.schema, name: `${target.name}__new` };
  await warehouse.execute(d.createTableAs(staging, select), options);
  const statements = d.swapTables(staging, target, await warehouse.tableExists(target));
  if (d.capabilities.transactionalDdl) await warehouse.transaction(statements, options);
  else for (const sql of statements) await warehouse.execute(sql, options);
}
