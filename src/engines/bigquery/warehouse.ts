import { BigQuery, type Job, type Query } from '@google-cloud/bigquery';
import { bigquerySqlType } from './column-types.js';
import type { TableRef } from '../../dialect/dialect.js';
import { bigqueryDialect } from './dialect.js';
import { bigqueryFailure, isNotFound } from './failure.js';
import { bigqueryClientOptions, type BigQueryConfig } from './options.js';
import { bigqueryRow } from './value.js';
import { assertDmlOnly } from '../../warehouse/dml-only.js';
import { appendRows } from '../../warehouse/insert-batches.js';
import type { ColumnInfo, JobBytes, Row, StatementOptions, Value, Warehouse } from '../../warehouse/warehouse.js';

/**
 * BigQuery through `@google-cloud/bigquery`: every statement is a query job in the configured
 * project and location; results are read page by page. cdp's schema is a dataset (`create schema`
 * makes it, in the job's location). Rows are appended with DML INSERT jobs, never the streaming
 * API, whose buffer would block the UPDATE/DELETE/MERGE that follow.
 */
export class BigQueryWarehouse implements Warehouse {
  readonly dialect = bigqueryDialect;
  private bytes: JobBytes = { processed: null, billed: null };

  private constructor(
    private readonly client: BigQuery,
    private readonly config: BigQueryConfig,
  ) {}

  /** Creates the client; nothing is sent until the first statement (credentials are checked then). */
  static async open(config: BigQueryConfig): Promise<BigQueryWarehouse> {
    return new BigQueryWarehouse(new BigQuery(bigqueryClientOptions(config)), config);
  }

  async execute(sql: string, options?: StatementOptions): Promise<void> {
    await this.guard(sql, options, async () => {
      const job = await this.startJob(sql);
      await job.promise();
      this.countBytes(job);
    });
  }

  async query(sql: string, options?: StatementOptions): Promise<Row[]> {
    return this.guard(sql, options, async () => {
      const job = await this.startJob(sql);
      const [rows] = await job.getQueryResults({ wrapIntegers: true });
      this.countBytes(job);
      return rows.map(bigqueryRow);
    });
  }

  jobBytes(): JobBytes {
    return this.bytes;
  }

  /** Another warehouse on the same client: every BigQuery request is its own HTTPS call anyway. */
  async session(): Promise<Warehouse> {
    return new BigQueryWarehouse(this.client, this.config);
  }

  /** Adds a finished job's bytes (docs/commands.md#cost-per-stage) to the running totals. */
  private countBytes(job: Job): void {
    const { processed, billed } = jobStatisticsBytes(job.metadata?.statistics);
    this.bytes = {
      processed: processed === null ? this.bytes.processed : (this.bytes.processed ?? 0) + processed,
      billed: billed === null ? this.bytes.billed : (this.bytes.billed ?? 0) + billed,
    };
  }

  /** One page of the job's result at a time (at most `chunkRows` rows), so memory stays bounded. */
  async *stream(sql: string, options?: StatementOptions & { readonly chunkRows?: number }): AsyncIterable<readonly Row[]> {
    const maxResults = options?.chunkRows ?? 10_000;
    const job = await this.guard(sql, options, () => this.startJob(sql));
    let pageToken: string | undefined;
    do {
      const token = pageToken;
      const page = await this.guard(sql, options, () => job.getQueryResults({ autoPaginate: false, maxResults, pageToken: token, wrapIntegers: true }));
      const rows = page[0].map(bigqueryRow);
      if (rows.length > 0) yield rows;
      pageToken = nextPageToken(page.length > 1 ? page[1] : undefined);
    } while (pageToken !== undefined);
  }

  /**
   * One script job: `BEGIN TRANSACTION; …; COMMIT TRANSACTION;`. If any statement fails the script
   * stops and BigQuery rolls the transaction back. DML only (and temp tables): BigQuery does not
   * allow DDL on permanent tables in a transaction, so such statements are refused before sending.
   */
  async transaction(statements: readonly string[], options?: StatementOptions): Promise<void> {
    if (statements.length === 0) return;
    assertDmlOnly('BigQuery', statements, options?.label, { allowTempTables: true });
    const body = statements.map((s) => `${s.trim().replace(/;+$/, '')};`).join('\n');
    await this.execute(`${this.dialect.beginTransaction()};\n${body}\n${this.dialect.commitTransaction()};`, options);
  }

  async insertRows(table: TableRef, columns: readonly string[], rows: readonly (readonly Value[])[]): Promise<void> {
    await appendRows(this, table, columns, rows);
  }

  async tableExists(table: TableRef): Promise<boolean> {
    return (await this.relationKind(table)) !== undefined;
  }

  async relationKind(table: TableRef): Promise<'table' | 'view' | undefined> {
    const rows = await this.metadata(
      `select table_type from ${this.informationSchema(table.schema, 'TABLES')} where table_name = ${this.dialect.stringLiteral(table.name)}`,
    );
    if (rows.length === 0) return undefined;
    return /VIEW$/.test(String(rows[0].table_type)) ? 'view' : 'table';
  }

  async columns(table: TableRef): Promise<ColumnInfo[]> {
    const rows = await this.metadata(
      `select column_name, data_type from ${this.informationSchema(table.schema, 'COLUMNS')} where table_name = ${this.dialect.stringLiteral(table.name)} order by ordinal_position`,
    );
    return rows.map((r) => {
      const type = String(r.data_type).toUpperCase();
      return { name: String(r.column_name), type, sqlType: bigquerySqlType(type) };
    });
  }

  /** Nothing to release: every request is its own HTTPS call. */
  async close(): Promise<void> {}

  /** `dataset.INFORMATION_SCHEMA.X`: the dataset's own views (no region-wide scan, no other datasets). */
  private informationSchema(dataset: string, view: 'TABLES' | 'COLUMNS'): string {
    return `${this.dialect.quoteIdentifier(dataset)}.INFORMATION_SCHEMA.${view}`;
  }

  /** A metadata query; a dataset that does not exist has no tables (BigQuery answers notFound). */
  private async metadata(sql: string): Promise<Row[]> {
    try {
      const job = await this.startJob(sql);
      const [rows] = await job.getQueryResults({ wrapIntegers: true });
      return rows.map(bigqueryRow);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw bigqueryFailure(error, this.config, 'read table metadata', sql);
    }
  }

  private async startJob(sql: string): Promise<Job> {
    const request: Query = {
      query: sql,
      useLegacySql: false,
      labels: { app: 'cdp' },
      ...(this.config.location !== undefined ? { location: this.config.location } : {}),
      ...(this.config.dataset !== undefined ? { defaultDataset: { projectId: this.config.projectId, datasetId: this.config.dataset } } : {}),
    };
    const [job] = await this.client.createQueryJob(request);
    return job;
  }

  private async guard<T>(sql: string, options: StatementOptions | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw bigqueryFailure(error, this.config, options?.label, sql);
    }
  }
}

function nextPageToken(next: unknown): string | undefined {
  if (typeof next !== 'object' || next === null || !('pageToken' in next)) return undefined;
  return typeof next.pageToken === 'string' && next.pageToken !== '' ? next.pageToken : undefined;
}

/**
 * `totalBytesProcessed` and `totalBytesBilled` of a job's `statistics` (the service puts them under
 * `statistics.query`, and the totals also at the top level); null when the job does not report one
 * (the bqemulator never reports bytes billed: test/conformance/EMULATOR_GAPS.md).
 */
export function jobStatisticsBytes(statistics: unknown): JobBytes {
  if (typeof statistics !== 'object' || statistics === null) return { processed: null, billed: null };
  const query: object = 'query' in statistics && typeof statistics.query === 'object' && statistics.query !== null ? statistics.query : statistics;
  const read = (key: 'totalBytesProcessed' | 'totalBytesBilled'): number | null => {
    const value: unknown = key in query ? (query as Record<string, unknown>)[key] : key in statistics ? (statistics as Record<string, unknown>)[key] : undefined;
    if (value === undefined || value === null || value === '') return null;
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  };
  return { processed: read('totalBytesProcessed'), billed: read('totalBytesBilled') };
}
