import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import type { WarehouseConfig } from '../config/schema.js';
import { RunError } from '../diagnostics/diagnostic.js';
import { DuckDBWarehouse } from './duckdb/warehouse.js';
import { duckdbOpenError, isDuckDBFileInUse, openWarehouse } from './open-warehouse.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/** Where the read came from: the live database, or a copy taken because a run had the DuckDB file open. */
export type ReadSource = 'live' | 'snapshot';

/**
 * Opens the warehouse for a command that only reads (inspect, history, plan, rejections, report), so it
 * never waits on a run (docs/commands.md#read-only-commands). BigQuery and Snowflake serve readers
 * while a run writes. A DuckDB file can have one writing process and no other process at all, so
 * while a run holds it the reader opens a copy of the file (and its WAL): the state of the last
 * commit the run had written to disk when the copy was taken.
 */
export async function openForReading(config: WarehouseConfig, projectDir: string): Promise<{ warehouse: Warehouse; source: ReadSource }> {
  if (config.type !== 'duckdb' || config.path === ':memory:') return { warehouse: await openWarehouse(config, projectDir), source: 'live' };
  const path = isAbsolute(config.path) ? config.path : join(projectDir, config.path);
  if (!existsSync(path)) return { warehouse: await openWarehouse(config, projectDir), source: 'live' };
  try {
    return { warehouse: await DuckDBWarehouse.open({ path, threads: config.threads, readOnly: true }), source: 'live' };
  } catch (error) {
    // Only a file a run has open is read through a copy; a damaged one is reported as damaged.
    if (!isDuckDBFileInUse(error)) throw duckdbOpenError(config.path, error);
  }
  return { warehouse: await openSnapshot(path, config), source: 'snapshot' };
}

/**
 * For looking at what sources have (`cdp validate`): the warehouse read as above, or, for DuckDB before
 * the first build, an in-memory database (which can still describe files), so validating creates no file.
 */
export async function openForDescribing(config: WarehouseConfig, projectDir: string): Promise<Warehouse> {
  if (config.type === 'duckdb') {
    const path = config.path === ':memory:' || isAbsolute(config.path) ? config.path : join(projectDir, config.path);
    if (path === ':memory:' || !existsSync(path)) return DuckDBWarehouse.open({ path: ':memory:' });
  }
  return (await openForReading(config, projectDir)).warehouse;
}

async function openSnapshot(path: string, config: Extract<WarehouseConfig, { type: 'duckdb' }>): Promise<Warehouse> {
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
