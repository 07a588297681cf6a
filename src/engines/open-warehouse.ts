import { isAbsolute, join } from 'node:path';
import type { WarehouseConfig } from '../config/schema.js';
import { RunError } from '../diagnostics/diagnostic.js';
import { DuckDBWarehouse } from './duckdb/warehouse.js';
import { loadDriver } from './load-driver.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/** Opens the configured warehouse. Engine clients other than DuckDB load only when configured. */
export async function openWarehouse(config: WarehouseConfig, projectDir: string): Promise<Warehouse> {
  switch (config.type) {
    case 'duckdb': {
      const path = config.path === ':memory:' || isAbsolute(config.path) ? config.path : join(projectDir, config.path);
      try {
        return await DuckDBWarehouse.open({ path, threads: config.threads });
      } catch (error) {
        throw duckdbOpenError(config.path, error);
      }
    }
    case 'bigquery': {
      const { BigQueryWarehouse } = await loadDriver('@google-cloud/bigquery', () => import('./bigquery/warehouse.js'));
      return BigQueryWarehouse.open(config);
    }
    case 'snowflake': {
      const { SnowflakeWarehouse } = await loadDriver('snowflake-sdk', () => import('./snowflake/warehouse.js'));
      return SnowflakeWarehouse.open(config);
    }
  }
}


/** The configured warehouse in a few words, for `cdp debug`: engine, and its file, project or account. */
export function warehouseLabel(config: WarehouseConfig): string {
  switch (config.type) {
    case 'duckdb':
      return `duckdb ${config.path}`;
    case 'bigquery':
      return `bigquery project ${config.projectId}${config.location ? ` in ${config.location}` : ''}`;
    case 'snowflake':
      return `snowflake ${config.account} ${config.database}`;
  }
}

/** DuckDB's words for a file another process has open; "lock" alone also matches "block" in a corruption message. */
export function isDuckDBFileInUse(error: unknown): boolean {
  return /could not set lock|conflicting lock/i.test(error instanceof Error ? error.message : String(error));
}

/** A DuckDB file that would not open, as the error a user can act on: in use, damaged, or unreachable. */
export function duckdbOpenError(path: string, error: unknown): RunError {
  const message = error instanceof Error ? error.message : String(error);
  if (isDuckDBFileInUse(error)) return new RunError('lock-held', `the DuckDB file ${path} is in use by another process`, 'wait for the other cdp run to finish, or stop it');
  const damaged = /corrupt|not a valid DuckDB database/i.test(message);
  return new RunError(
    'warehouse-unreachable',
    `cannot open DuckDB file ${path}: ${message}`,
    damaged ? 'the file is damaged or is not a DuckDB database: restore it from a copy, or point warehouse.path at a new file and run cdp build' : 'check the path and its permissions',
  );
}
