import type { WarehouseConfig } from '../config/schema.js';
import { RunError } from '../diagnostics/diagnostic.js';
import type { Warehouse } from './warehouse.js';

export class BigQueryWarehouse {
  static async open(_config: Extract<WarehouseConfig, { type: 'bigquery' }>): Promise<Warehouse> {
    throw new RunError('unsupported', 'BigQuery support is not built yet', 'use type: duckdb for now');
  }
}
