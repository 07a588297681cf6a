import { isAbsolute, join } from 'node:path';
import type { WarehouseConfig } from '../config/schema.js';
import { duckdbOpenError } from './duckdb/failure.js';
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
