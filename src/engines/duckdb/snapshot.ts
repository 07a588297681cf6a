import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { WarehouseConfig } from '../../config/schema.js';
import { RunError } from '../../diagnostics/diagnostic.js';
import type { Warehouse } from '../../warehouse/warehouse.js';
import { DuckDBWarehouse } from './warehouse.js';

/**
 * A copy of a DuckDB file (and its WAL) that a run holds open, opened as a warehouse and deleted when
 * closed: read-only commands read it instead of waiting (docs/commands.md#read-only-commands).
 */
export async function openSnapshot(path: string, config: Extract<WarehouseConfig, { type: 'duckdb' }>): Promise<Warehouse> {
  let last: unknown;
  // A copy taken while the run checkpoints can be torn; a second copy a moment later is not.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'cdp-snapshot-'));
    const copy = join(dir, basename(path));
    try {
      await copyFile(path, copy);
      if (existsSync(`${path}.wal`)) await copyFile(`${path}.wal`, `${copy}.wal`).catch(() => undefined);
      const warehouse = await DuckDBWarehouse.open({ path: copy, threads: config.threads });
      return new SnapshotWarehouse(warehouse, dir);
    } catch (error) {
      last = error;
      await rm(dir, { recursive: true, force: true });
    }
  }
  const message = last instanceof Error ? last.message : String(last);
  throw new RunError('snapshot-failed', `a run has ${config.path} open and a copy of it could not be read: ${message}`, 'run the command again when the run has finished');
}

/** A DuckDB copy that is deleted when closed. */
class SnapshotWarehouse implements Warehouse {
  readonly dialect;
  constructor(
    private readonly inner: DuckDBWarehouse,
    private readonly dir: string,
  ) {
    this.dialect = inner.dialect;
  }
  execute: Warehouse['execute'] = (sql, options) => this.inner.execute(sql, options);
  query: Warehouse['query'] = (sql, options) => this.inner.query(sql, options);
  stream: Warehouse['stream'] = (sql, options) => this.inner.stream(sql, options);
  transaction: Warehouse['transaction'] = (statements, options) => this.inner.transaction(statements, options);
  insertRows: Warehouse['insertRows'] = (table, columns, rows) => this.inner.insertRows(table, columns, rows);
  tableExists: Warehouse['tableExists'] = (table) => this.inner.tableExists(table);
  relationKind: Warehouse['relationKind'] = (table) => this.inner.relationKind(table);
  columns: Warehouse['columns'] = (table) => this.inner.columns(table);
  session: Warehouse['session'] = () => this.inner.session();
  async close(): Promise<void> {
    await this.inner.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
