import type { TableRef } from '../dialect/dialect.js';
import type { ColumnInfo, JobBytes, Row, StatementOptions, Value, Warehouse } from '../warehouse/warehouse.js';
import type { RunLock } from './run-lock.js';

/**
 * The warehouse as a run sees it while it holds the run lock: every statement first checks that no
 * heartbeat has found the lock taken over, so a run that lost its lock stops at its next statement
 * instead of writing next to the run that took over (docs/guarantees.md#runs-never-interleave).
 */
export class LockedWarehouse implements Warehouse {
  readonly dialect: Warehouse['dialect'];
  readonly jobBytes?: () => JobBytes;

  constructor(
    private readonly inner: Warehouse,
    private readonly lock: Pick<RunLock, 'assertHeld'>,
  ) {
    this.dialect = inner.dialect;
    if (inner.jobBytes) this.jobBytes = () => inner.jobBytes?.() ?? { processed: null, billed: null };
  }

  async execute(sql: string, options?: StatementOptions): Promise<void> {
    this.lock.assertHeld();
    return this.inner.execute(sql, options);
  }

  async query(sql: string, options?: StatementOptions): Promise<Row[]> {
    this.lock.assertHeld();
    return this.inner.query(sql, options);
  }

  async *stream(sql: string, options?: StatementOptions & { readonly chunkRows?: number }): AsyncIterable<readonly Row[]> {
    this.lock.assertHeld();
    for await (const rows of this.inner.stream(sql, options)) {
      yield rows;
      this.lock.assertHeld();
    }
  }

  async transaction(statements: readonly string[], options?: StatementOptions): Promise<void> {
    this.lock.assertHeld();
    return this.inner.transaction(statements, options);
  }

  async insertRows(table: TableRef, columns: readonly string[], rows: readonly (readonly Value[])[]): Promise<void> {
    this.lock.assertHeld();
    return this.inner.insertRows(table, columns, rows);
  }

  async tableExists(table: TableRef): Promise<boolean> {
    return this.inner.tableExists(table);
  }

  async relationKind(table: TableRef): Promise<'table' | 'view' | undefined> {
    return this.inner.relationKind(table);
  }

  async columns(table: TableRef): Promise<ColumnInfo[]> {
    return this.inner.columns(table);
  }

  async session(): Promise<Warehouse> {
    return this.inner.session();
  }

  /** The run's warehouse is closed by whoever opened it (withLock), not by the run. */
  async close(): Promise<void> {}
}
