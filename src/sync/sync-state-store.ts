import type { SyncConfig } from '../config/schema.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { secretScrubber, type Scrubber } from '../diagnostics/secret-scrubber.js';
import type { SerialQueue } from './serial-queue.js';
import type { SyncShape } from './sync-shape.js';
import {
  addLogColumnsSql,
  addStateColumnsSql,
  createLogTableSql,
  createStateTableSql,
  forgetKeysSql,
  forgetLeaversSql,
  insertLogRowsSql,
  setMembershipSql,
  writeStateRowsSql,
  type LogRow,
  type StateRow,
} from './state-sql.js';

/** What one confirmed batch changes in state, committed as one warehouse transaction. */
export interface StateChange {
  readonly rows?: readonly StateRow[];
  readonly membership?: { readonly segment: number; readonly member: boolean; readonly keys: readonly string[] };
  readonly forget?: readonly string[];
  readonly rejected?: readonly LogRow[];
}

/**
 * `sync_state_<sync>` and `sync_log` for one sync of one run. Every call goes through the run's
 * serial queue, so commits never interleave with each other or with diff reads.
 */
export class SyncStateStore {
  private readonly pending: { readonly change: StateChange; readonly resolve: () => void; readonly reject: (error: unknown) => void }[] = [];
  private flushing = false;

  constructor(
    private readonly warehouse: Warehouse,
    private readonly shape: SyncShape,
    private readonly runId: string,
    private readonly queue: SerialQueue,
    /** Scrubs the destination's secrets from what goes into sync_log (docs/tables.md). */
    private readonly scrub: Scrubber = secretScrubber([]),
  ) {}

  /** Creates the state and log tables, and state columns for fields or segments added since. */
  static async ensureTables(warehouse: Warehouse, shape: SyncShape): Promise<ReadonlySet<string>> {
    const d = warehouse.dialect;
    await warehouse.execute(d.createSchema(shape.tables.state.schema));
    await warehouse.execute(createStateTableSql(shape, d), { label: `create ${shape.tables.state.name}` });
    await warehouse.execute(createLogTableSql(d, shape.tables.log), { label: 'create sync_log' });
    const logColumns = new Set((await warehouse.columns(shape.tables.log)).map((c) => c.name.toLowerCase()));
    for (const sql of addLogColumnsSql(d, shape.tables.log, logColumns)) await warehouse.execute(sql, { label: 'extend sync_log' });
    const existing = new Set((await warehouse.columns(shape.tables.state)).map((c) => c.name.toLowerCase()));
    const added = addStateColumnsSql(shape, d, existing);
    for (const sql of added) await warehouse.execute(sql, { label: `extend ${shape.tables.state.name}` });
    return new Set((await warehouse.columns(shape.tables.state)).map((c) => c.name.toLowerCase()));
  }

  /**
   * Commits one confirmed batch. Batches confirmed while an earlier commit is running are grouped
   * into the next transaction (group commit), in the order they were confirmed; each caller's
   * promise settles when its batch is durable.
   */
  commit(change: StateChange): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ change, resolve, reject });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0);
        const now = new Date();
        const statements = group.flatMap((g) => this.statements(g.change, now));
        try {
          if (statements.length > 0) await this.queue.run(() => this.warehouse.transaction(statements, { label: `commit ${this.shape.sync.sync}` }));
          for (const g of group) g.resolve();
        } catch (error) {
          for (const g of group) g.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private statements(change: StateChange, now: Date): string[] {
    const d = this.warehouse.dialect;
    return [
      ...forgetKeysSql(this.shape, d, change.forget ?? []),
      ...writeStateRowsSql(this.shape, d, change.rows ?? [], now),
      ...(change.membership ? setMembershipSql(this.shape, d, change.membership.segment, change.membership.member, change.membership.keys) : []),
      ...insertLogRowsSql(d, this.shape.tables.log, this.runId, this.shape.sync.sync, change.rejected ?? [], now, this.scrub),
    ];
  }

  /** Drops the state of records that left (see forgetLeaversSql); returns nothing, counts come from the diff. */
  async forgetLeavers(mode: SyncConfig['mode']): Promise<void> {
    const d = this.warehouse.dialect;
    const sql = forgetLeaversSql(this.shape, d, mode, d.scratchTable(this.shape.tables.diff));
    await this.queue.run(() => this.warehouse.execute(sql, { label: `forget leavers of ${this.shape.sync.sync}` }));
  }
}
