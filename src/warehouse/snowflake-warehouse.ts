import type { WarehouseConfig } from '../config/schema.js';
import { RunError } from '../diagnostics/diagnostic.js';
import type { Warehouse } from './warehouse.js';

export class SnowflakeWarehouse {
  static async open(_config: Extract<WarehouseConfig, { type: 'snowflake' }>): Promise<Warehouse> {
    throw new RunError('unsupported', 'Snowflake support is not built yet', 'use type: duckdb for now');
  }
}
