/**
 * The engines every conformance test runs on: DuckDB (in memory) and, when installed, the
 * BigQuery and Snowflake emulators (see emulators.ts: skipped locally when missing, a failure
 * under CI=true). Each target is opened through `openWarehouse`, the production entry point, with
 * the same config a user would write, so the code under test is the code users run.
 */
import type { WarehouseConfig } from '../../src/config/schema.js';
import type { DialectName } from '../../src/dialect/dialect.js';
import { openWarehouse } from '../../src/engines/open-warehouse.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { emulatorGate, startBigQueryEmulator, startSnowflakeEmulator } from './emulators.js';

export interface WarehouseTarget {
  readonly name: DialectName;
  /** False when the emulator is not installed (the target's tests are then skipped). */
  readonly available: boolean;
  /** Starts a fresh, empty engine (for an emulator, a new process). */
  start(): Promise<RunningTarget>;
}

export interface RunningTarget {
  /** What a project's `warehouse:` key would say to reach this engine. */
  readonly config: WarehouseConfig;
  /** Opens a new Warehouse on the engine (a new session for Snowflake). */
  open(): Promise<Warehouse>;
  stop(): Promise<void>;
}

/** Snowflake database of the tests (never named like a schema: see EMULATOR_GAPS.md §4). */
export const SNOWFLAKE_TEST_DATABASE = 'CDP_TEST';

/** DuckDB plus the emulators that are installed; throws under CI=true when one is missing. */
export async function warehouseTargets(): Promise<readonly WarehouseTarget[]> {
  const gate = await emulatorGate('bigquery', 'snowflake');
  return [
    { name: 'duckdb', available: true, start: startDuckDB },
    { name: 'bigquery', available: gate.bigquery.ok, start: startBigQuery },
    { name: 'snowflake', available: gate.snowflake.ok, start: startSnowflake },
  ];
}

async function startDuckDB(): Promise<RunningTarget> {
  const config: WarehouseConfig = { type: 'duckdb', path: ':memory:' };
  return { config, open: () => openWarehouse(config, process.cwd()), stop: async () => {} };
}

async function startBigQuery(): Promise<RunningTarget> {
  const emulator = await startBigQueryEmulator();
  const config: WarehouseConfig = { type: 'bigquery', projectId: emulator.projectId, apiEndpoint: emulator.apiEndpoint, location: 'US' };
  return { config, open: () => openWarehouse(config, process.cwd()), stop: () => emulator.stop() };
}

async function startSnowflake(): Promise<RunningTarget> {
  const emulator = await startSnowflakeEmulator();
  const config: WarehouseConfig = {
    type: 'snowflake',
    account: emulator.account,
    username: emulator.username,
    password: emulator.password,
    warehouse: 'COMPUTE_WH',
    database: SNOWFLAKE_TEST_DATABASE,
    accessUrl: emulator.accessUrl,
  };
  return { config, open: () => openWarehouse(config, process.cwd()), stop: () => emulator.stop() };
}
