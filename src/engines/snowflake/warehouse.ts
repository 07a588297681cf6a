import type { Connection, RowStatement } from 'snowflake-sdk';
import { snowflakeSqlType } from './column-types.js';
import type { TableRef } from '../../dialect/dialect.js';
import { snowflakeDialect } from './dialect.js';
import { assertDmlOnly } from '../../warehouse/dml-only.js';
import { appendRows } from '../../warehouse/insert-batches.js';
import { snowflakeFailure } from './failure.js';
import { snowflakeConnectionOptions, type SnowflakeConfig } from './options.js';
import { loadSnowflakeSdk } from './sdk.js';
import { snowflakeRow } from './value.js';
import type { ColumnInfo, Row, StatementOptions, Value, Warehouse } from '../../warehouse/warehouse.js';

/**
 * Snowflake through `snowflake-sdk`: one session, one statement per request, in order. The session
 * runs in UTC, like DuckDB's, so TIMESTAMP_NTZ values and relative windows mean the same instants
 * everywhere. Column names come back upper-case (cdp quotes every name upper-case) and are
 * lower-cased like every engine's.
 */
export class SnowflakeWarehouse implements Warehouse {
  readonly dialect = snowflakeDialect;
  /** Statements queue here, so nothing of another caller lands between a transaction's BEGIN and COMMIT. */
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly connection: Connection,
    private readonly config: SnowflakeConfig,
  ) {}

  static async open(config: SnowflakeConfig): Promise<SnowflakeWarehouse> {
    const sdk = await loadSnowflakeSdk();
    const options = snowflakeConnectionOptions(config);
    let connection: Connection;
    try {
      connection = sdk.createConnection(options);
      await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
    } catch (error) {
      throw snowflakeFailure(error, config, 'connect to Snowflake', '');
    }
    const warehouse = new SnowflakeWarehouse(connection, config);
    try {
      await warehouse.execute(`alter session set TIMEZONE = 'UTC'`, { label: 'start Snowflake session' });
    } catch (error) {
      await warehouse.close();
      throw error;
    }
    return warehouse;
  }

  async execute(sql: string, options?: StatementOptions): Promise<void> {
    await this.exclusive(() => this.run(sql, options));
  }

  async query(sql: string, options?: StatementOptions): Promise<Row[]> {
    const { rows } = await this.exclusive(() => this.run(sql, options));
    return rows.map(snowflakeRow);
  }

  /** Rows as the driver streams them (it fetches result chunks as they are read), `chunkRows` at a time. */
  async *stream(sql: string, options?: StatementOptions & { readonly chunkRows?: number }): AsyncIterable<readonly Row[]> {
    const chunkRows = options?.chunkRows ?? 10_000;
    const { statement } = await this.exclusive(() => this.run(sql, options, true));
    let buffer: Row[] = [];
    try {
      for await (const row of statement.streamRows()) {
        buffer.push(snowflakeRow(row));
        if (buffer.length >= chunkRows) {
          yield buffer;
          buffer = [];
        }
      }
    } catch (error) {
      throw snowflakeFailure(error, this.config, options?.label, sql);
    }
    if (buffer.length > 0) yield buffer;
  }

  /**
   * BEGIN, the statements, COMMIT on this session; ROLLBACK when one fails. DML only: Snowflake
   * commits the open transaction at every DDL statement, so DDL is refused before anything runs.
   */
  async transaction(statements: readonly string[], options?: StatementOptions): Promise<void> {
    if (statements.length === 0) return;
    assertDmlOnly('Snowflake', statements, options?.label, { allowTempTables: false });
    await this.exclusive(async () => {
      await this.run(this.dialect.beginTransaction(), options);
      try {
        for (const sql of statements) await this.run(sql, options);
        await this.run(this.dialect.commitTransaction(), options);
      } catch (error) {
        await this.run(this.dialect.rollbackTransaction(), options).catch(() => undefined);
        throw error;
      }
    });
  }

  async insertRows(table: TableRef, columns: readonly string[], rows: readonly (readonly Value[])[]): Promise<void> {
    await appendRows(this, table, columns, rows);
  }

  async tableExists(table: TableRef): Promise<boolean> {
    return (await this.relationKind(table)) !== undefined;
  }

  async relationKind(table: TableRef): Promise<'table' | 'view' | undefined> {
    const rows = await this.query(`select table_type from ${this.informationSchema('tables')} where ${this.nameIs(table)}`, { label: 'read table metadata' });
    if (rows.length === 0) return undefined;
    return /VIEW$/.test(String(rows[0].table_type)) ? 'view' : 'table';
  }

  /** Lower-case names; NUMBER with its precision and scale (`NUMBER(38,0)` is an integer). */
  async columns(table: TableRef): Promise<ColumnInfo[]> {
    const rows = await this.query(
      `select column_name, data_type, numeric_precision, numeric_scale from ${this.informationSchema('columns')} where ${this.nameIs(table)} order by ordinal_position`,
      { label: 'read table metadata' },
    );
    return rows.map((r) => {
      const type = String(r.data_type).toUpperCase();
      const sized = type === 'NUMBER' && r.numeric_precision !== null ? `NUMBER(${r.numeric_precision},${r.numeric_scale ?? 0})` : type;
      return { name: String(r.column_name).toLowerCase(), type: sized, sqlType: snowflakeSqlType(sized) };
    });
  }

  /** A new Snowflake session with the same settings. */
  async session(): Promise<Warehouse> {
    return SnowflakeWarehouse.open(this.config);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.connection.destroy(() => resolve()));
  }

  private informationSchema(view: 'tables' | 'columns'): string {
    return `${this.dialect.quoteIdentifier(this.config.database)}.information_schema.${view}`;
  }

  /** cdp's names are stored upper-case (see snowflakeDialect.quoteIdentifier). */
  private nameIs(table: TableRef): string {
    const d = this.dialect;
    return `table_schema = ${d.stringLiteral(table.schema.toUpperCase())} and table_name = ${d.stringLiteral(table.name.toUpperCase())}`;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private run(sql: string, options: StatementOptions | undefined, streamResult = false): Promise<{ statement: RowStatement; rows: readonly unknown[] }> {
    return new Promise((resolve, reject) => {
      try {
        this.connection.execute({
          sqlText: sql,
          streamResult,
          complete: (error, statement, rows) =>
            error ? reject(snowflakeFailure(error, this.config, options?.label, sql)) : resolve({ statement, rows: rows ?? [] }),
        });
      } catch (error) {
        reject(snowflakeFailure(error, this.config, options?.label, sql));
      }
    });
  }
}
