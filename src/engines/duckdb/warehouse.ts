import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { duckdbSqlType } from './column-types.js';
import type { TableRef } from '../../dialect/dialect.js';
import { duckdbDialect } from './dialect.js';
import { appendRows } from '../../warehouse/insert-batches.js';
import { normalizeRow } from '../../warehouse/normalize-value.js';
import {
  WarehouseError,
  type ColumnInfo,
  type Row,
  type StatementOptions,
  type Value,
  type Warehouse,
} from '../../warehouse/warehouse.js';

export interface DuckDBWarehouseOptions {
  /** A file path, or ":memory:". */
  readonly path: string;
  readonly threads?: number;
  /** Open without writing (DuckDB's READ_ONLY access mode); several readers may share the file. */
  readonly readOnly?: boolean;
}

/** The embedded default: one DuckDB file, one connection, statements run in order. */
export class DuckDBWarehouse implements Warehouse {
  readonly dialect = duckdbDialect;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    /** False for a second session: closing it leaves the instance (and the first session) open. */
    private readonly ownsInstance = true,
  ) {}

  static async open(options: DuckDBWarehouseOptions): Promise<DuckDBWarehouse> {
    if (options.path !== ':memory:' && !options.readOnly) await makeDirectory(dirname(options.path));
    const config: Record<string, string> = {};
    if (options.readOnly) config.access_mode = 'READ_ONLY';
    if (options.threads) config.threads = String(options.threads);
    const instance = await DuckDBInstance.create(options.path, config);
    const connection = await instance.connect();
    // Timestamps without a zone are UTC, whatever the machine's zone: runs give the same answers everywhere.
    await connection.run(`set TimeZone = 'UTC'`);
    return new DuckDBWarehouse(instance, connection);
  }

  async execute(sql: string, options?: StatementOptions): Promise<void> {
    await this.guard(sql, options, () => this.connection.run(sql));
  }

  async query(sql: string, options?: StatementOptions): Promise<Row[]> {
    const reader = await this.guard(sql, options, () => this.connection.runAndReadAll(sql));
    return reader.getRowObjectsJS().map((row) => normalizeRow(row));
  }

  async *stream(sql: string, options?: StatementOptions & { readonly chunkRows?: number }): AsyncIterable<readonly Row[]> {
    const chunkRows = options?.chunkRows ?? 10_000;
    const result = await this.guard(sql, options, () => this.connection.stream(sql));
    let buffer: Row[] = [];
    for await (const rows of result.yieldRowObjectJs()) {
      for (const row of rows) buffer.push(normalizeRow(row));
      if (buffer.length >= chunkRows) {
        yield buffer;
        buffer = [];
      }
    }
    if (buffer.length > 0) yield buffer;
  }

  async transaction(statements: readonly string[], options?: StatementOptions): Promise<void> {
    await this.execute(this.dialect.beginTransaction(), options);
    try {
      for (const sql of statements) await this.execute(sql, options);
      await this.execute(this.dialect.commitTransaction(), options);
    } catch (error) {
      await this.connection.run(this.dialect.rollbackTransaction()).catch(() => undefined);
      throw error;
    }
  }

  async insertRows(table: TableRef, columns: readonly string[], rows: readonly (readonly Value[])[]): Promise<void> {
    await appendRows(this, table, columns, rows);
  }

  async tableExists(table: TableRef): Promise<boolean> {
    const rows = await this.query(
      `select 1 as found from information_schema.tables where table_schema = ${this.dialect.stringLiteral(table.schema)} and table_name = ${this.dialect.stringLiteral(table.name)}`,
    );
    return rows.length > 0;
  }

  async relationKind(table: TableRef): Promise<'table' | 'view' | undefined> {
    const rows = await this.query(
      `select table_type from information_schema.tables where table_schema = ${this.dialect.stringLiteral(table.schema)} and table_name = ${this.dialect.stringLiteral(table.name)}`,
    );
    if (rows.length === 0) return undefined;
    return rows[0].table_type === 'VIEW' ? 'view' : 'table';
  }

  async columns(table: TableRef): Promise<ColumnInfo[]> {
    const rows = await this.query(
      `select column_name, data_type from information_schema.columns where table_schema = ${this.dialect.stringLiteral(table.schema)} and table_name = ${this.dialect.stringLiteral(table.name)} order by ordinal_position`,
    );
    return rows.map((r) => {
      const type = String(r.data_type).toUpperCase();
      return { name: String(r.column_name), type, sqlType: duckdbSqlType(type) };
    });
  }

  /** Another connection to the same DuckDB instance (a file can be open in only one instance). */
  async session(): Promise<Warehouse> {
    const connection = await this.instance.connect();
    await connection.run(`set TimeZone = 'UTC'`);
    return new DuckDBWarehouse(this.instance, connection, false);
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    if (this.ownsInstance) this.instance.closeSync();
  }

  private async guard<T>(sql: string, options: StatementOptions | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new WarehouseError(error instanceof Error ? error.message : String(error), options?.label, sql);
    }
  }
}

/**
 * `mkdir -p`, one level at a time. Node's `mkdir(…, { recursive: true })` never returns for a folder
 * under `/proc` (it retries forever); creating each missing level itself fails at once instead.
 */
async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir) throw error;
    await makeDirectory(parent);
    await mkdir(dir).catch((again: unknown) => {
      if ((again as NodeJS.ErrnoException).code !== 'EEXIST') throw again;
    });
  }
}
