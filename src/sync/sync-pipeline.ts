import type { RecordRef, RecordResult, SyncTarget, WriteRecord } from '../destinations/destination.js';
import { deliver } from './deliver.js';
import { KeyBatcher } from './key-batcher.js';
import type { PacedTransport } from './paced-transport.js';
import { confirmedMembers, confirmedTexts, type RecordOperations, type RecordWrite } from './record-operations.js';
import type { LogRow, StateRow } from './state-sql.js';
import type { SyncShape } from './sync-shape.js';
import type { SyncStateStore } from './sync-state-store.js';
import { TaskPool } from './task-pool.js';

/** What was confirmed or refused, by kind. */
export interface PipelineCounts {
  readonly created: number;
  readonly updated: number;
  readonly cleared: number;
  /** Update mode: records the destination does not have. */
  readonly skipped: number;
  /** Records cdp knew whose destination record is gone (state dropped; the next run recreates them). */
  readonly gone: number;
  readonly added: number;
  readonly removed: number;
  /** Distinct records with at least one refused operation (they are in sync_log). */
  readonly rejected: number;
}

export interface PipelineParts {
  readonly shape: SyncShape;
  readonly target: SyncTarget;
  readonly transport: PacedTransport;
  readonly store: SyncStateStore;
  /**
   * Batches in progress at once (sent, or confirmed and committing). Twice the destination's
   * request concurrency, so that commits never hold requests back; the transport still caps requests.
   */
  readonly concurrency: number;
  readonly onProgress: (records: number) => void;
}

interface Writing {
  readonly ops: RecordOperations;
  readonly write: RecordWrite;
}

interface MemberOp {
  readonly key: string;
  readonly id: string;
  readonly profileId: string | null;
}

type Kind = RecordWrite['kind'];

/**
 * Sends planned records: writes in batches of the destination's size (never one key twice in a
 * batch), then each confirmed record's membership changes, several requests in flight. Every
 * confirmed batch is committed to state (and refusals to sync_log) before its slot is freed.
 */
export class SyncPipeline {
  private readonly pool: TaskPool;
  private readonly writes: Readonly<Record<Kind, KeyBatcher<Writing>>>;
  private readonly members = new Map<string, KeyBatcher<MemberOp>>();
  private readonly ready: { readonly segment: number; readonly add: boolean; readonly ops: readonly MemberOp[] }[] = [];
  private readonly rejectedKeys = new Set<string>();
  /** Keys this sync's next diff must look at again: refused, skipped as unknown, or forgotten as gone (sync-position.ts). */
  private readonly unsettledKeys = new Set<string>();
  private readonly counters = { created: 0, updated: 0, cleared: 0, skipped: 0, gone: 0, added: 0, removed: 0 };

  constructor(private readonly parts: PipelineParts) {
    this.pool = new TaskPool(parts.concurrency);
    const batcher = () => new KeyBatcher<Writing>(parts.target.batchSize, (w) => w.ops.record.key.toLowerCase());
    this.writes = { upsert: batcher(), update: batcher() };
  }

  get counts(): PipelineCounts {
    return { ...this.counters, rejected: this.rejectedKeys.size };
  }

  get unsettled(): readonly string[] {
    return [...this.rejectedKeys, ...this.unsettledKeys];
  }

  async push(ops: RecordOperations): Promise<void> {
    if (ops.write) {
      const kind = ops.write.kind;
      for (const batch of this.writes[kind].add({ ops, write: ops.write })) await this.pool.run(() => this.sendWrites(kind, batch));
    } else {
      if (ops.record.destinationId !== null) this.queueMembers(ops, ops.record.destinationId);
      this.parts.onProgress(1);
    }
    await this.dispatchMembers(false);
  }

  /** Sends everything still buffered and waits for it; rethrows the first failure. */
  async finish(): Promise<void> {
    for (const kind of ['upsert', 'update'] as const) {
      for (const batch of this.writes[kind].flush()) await this.pool.run(() => this.sendWrites(kind, batch));
    }
    await this.pool.drain();
    await this.dispatchMembers(true);
    await this.pool.drain();
  }

  /** After a failure: lets running batches finish and commit, without sending more. */
  async settle(): Promise<void> {
    await this.pool.settle();
  }

  private async sendWrites(kind: Kind, batch: readonly Writing[]): Promise<void> {
    const { target, transport, shape, store } = this.parts;
    const records = batch.map(
      (w): WriteRecord => ({ key: w.ops.record.key, ...(w.ops.record.destinationId !== null ? { id: w.ops.record.destinationId } : {}), fields: w.write.fields, ...(w.write.account ? { account: w.write.account } : {}) }),
    );
    const results = await deliver(transport, records, (rs) => (kind === 'upsert' ? target.upsert(rs) : target.update(rs)));
    const rows: StateRow[] = [];
    const forget: string[] = [];
    const rejected: LogRow[] = [];
    const follow: { readonly ops: RecordOperations; readonly id: string }[] = [];
    batch.forEach(({ ops, write }, i) => {
      const result = results[i];
      const { record } = ops;
      if (result.ok) {
        rows.push({ key: record.key, destinationId: result.id, profileId: record.profileId, texts: confirmedTexts(shape, ops), members: confirmedMembers(shape, ops) });
        // The destination's word wins (a full resync into an emptied CRM creates what cdp thought existed).
        this.counters[record.op === 'leave' ? 'cleared' : (result.created ?? record.op === 'enter') ? 'created' : 'updated']++;
        follow.push({ ops, id: result.id });
      } else if (result.notFound) {
        this.unsettledKeys.add(record.key);
        if (record.op === 'enter') this.counters.skipped++;
        else {
          forget.push(record.key);
          this.counters.gone++;
        }
      } else {
        rejected.push(this.logRow(ops, write.operation, result, records[i]));
        if (record.destinationId !== null) follow.push({ ops, id: record.destinationId });
      }
    });
    await store.commit({ rows, forget, rejected });
    for (const { ops, id } of follow) this.queueMembers(ops, id);
    this.parts.onProgress(batch.length);
  }

  private queueMembers(ops: RecordOperations, id: string): void {
    const op: MemberOp = { key: ops.record.key, id, profileId: ops.record.profileId };
    const queue = (segment: number, add: boolean) => {
      const name = `${segment}:${add}`;
      let batcher = this.members.get(name);
      if (!batcher) {
        batcher = new KeyBatcher<MemberOp>(this.parts.target.membershipBatchSize, (o) => o.key.toLowerCase());
        this.members.set(name, batcher);
      }
      for (const ops of batcher.add(op)) this.ready.push({ segment, add, ops });
    };
    for (const j of ops.add) queue(j, true);
    for (const j of ops.remove) queue(j, false);
  }

  private async dispatchMembers(all: boolean): Promise<void> {
    if (all) {
      for (const [name, batcher] of this.members) {
        const [segment, add] = name.split(':');
        for (const ops of batcher.flush()) this.ready.push({ segment: Number(segment), add: add === 'true', ops });
      }
    }
    while (this.ready.length > 0) {
      const next = this.ready.shift();
      if (next) await this.pool.run(() => this.sendMembers(next.segment, next.add, next.ops));
    }
  }

  private async sendMembers(segment: number, add: boolean, ops: readonly MemberOp[]): Promise<void> {
    const { target, transport, shape, store } = this.parts;
    const name = shape.segments[segment].segment;
    const refs = ops.map((o): RecordRef => ({ key: o.key, id: o.id }));
    const results = await deliver(transport, refs, (rs) => (add ? target.addMembers(name, rs) : target.removeMembers(name, rs)));
    const keys: string[] = [];
    const forget: string[] = [];
    const rejected: LogRow[] = [];
    ops.forEach((op, i) => {
      const result = results[i];
      if (result.ok || (result.notFound && !add)) keys.push(op.key);
      else if (result.notFound) {
        this.unsettledKeys.add(op.key);
        forget.push(op.key);
        this.counters.gone++;
      } else {
        rejected.push({ key: op.key, profileId: op.profileId, operation: `${add ? 'add_member' : 'remove_member'}:${name}`, code: result.code, message: result.message, payload: JSON.stringify({ id: op.id, segment: name, member: add }) });
        this.rejectedKeys.add(op.key);
      }
    });
    this.counters[add ? 'added' : 'removed'] += keys.length;
    await store.commit({ membership: { segment, member: add, keys }, forget, rejected });
  }

  private logRow(ops: RecordOperations, operation: string, result: Extract<RecordResult, { ok: false }>, sent: WriteRecord): LogRow {
    this.rejectedKeys.add(ops.record.key);
    return { key: ops.record.key, profileId: ops.record.profileId, operation, code: result.code, message: result.message, payload: JSON.stringify({ [this.parts.shape.matchField]: sent.key, ...(sent.id !== undefined ? { id: sent.id } : {}), ...sent.fields }) };
  }
}
