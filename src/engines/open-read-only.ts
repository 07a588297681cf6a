import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { WarehouseConfig } from '../config/schema.js';
import { DuckDBWarehouse } from './duckdb/warehouse.js';
import { duckdbOpenError, isDuckDBFileInUse } from './duckdb/failure.js';
import { openSnapshot } from './duckdb/snapshot.js';
import { openWarehouse } from './open-warehouse.js';
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
