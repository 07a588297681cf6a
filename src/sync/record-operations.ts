import type { SyncConfig } from '../config/schema.js';
import type { AccountChange, FieldValue } from '../destinations/destination.js';
import type { DiffRecord } from './diff-record.js';
import type { SyncShape } from './sync-shape.js';

export type WriteOperation = 'upsert' | 'update' | 'clear';

/** The write one record needs: only what changes; `null` clears a field. */
export interface RecordWrite {
  readonly kind: 'upsert' | 'update';
  readonly operation: WriteOperation;
  readonly fields: Readonly<Record<string, FieldValue>>;
  /** Field indexes whose new text becomes state once confirmed. */
  readonly sentFields: ReadonlySet<number>;
  /** Segment indexes synced as boolean fields, with the value sent. */
  readonly sentSegments: ReadonlyMap<number, boolean>;
  /** The contact's account association changes (`account: { sync }`); its field index is in `sentFields`. */
  readonly account?: AccountChange;
}

/** What the engine does for one diff record. */
export interface RecordOperations {
  readonly record: DiffRecord;
  readonly write?: RecordWrite;
  /** Segment indexes (list/campaign targets) to add the record to, or remove it from. */
  readonly add: readonly number[];
  readonly remove: readonly number[];
  /** The record left and nothing is to be sent: its state row is dropped at the end of the sync. */
  readonly forget: boolean;
}

export interface OperationOptions {
  readonly mode: SyncConfig['mode'];
  readonly fullResync: boolean;
}

/**
 * Turns a diff record into operations (the Grouparoo split: the core decides what changes, the
 * destination only sends it). In scope: write the changed fields (an entering record is always
 * written, so that it exists and cdp learns its id), then membership entries and exits. Leaving: every
 * mode removes the memberships cdp added (lists, campaigns, segment fields set to false); mirror mode also
 * clears the fields cdp set; then the record is no longer synced.
 */
export function operationsFor(shape: SyncShape, record: DiffRecord, options: OperationOptions): RecordOperations {
  const fields: Record<string, FieldValue> = {};
  const sentFields = new Set<number>();
  const sentSegments = new Map<number, boolean>();
  let account: AccountChange | undefined;
  const add: number[] = [];
  const remove: number[] = [];

  if (record.op === 'leave') {
    // Every mode takes back the memberships cdp added (consent withdrawn, out of the audience, ...);
    // mirror also clears the fields cdp set. Until that is confirmed the state row stays, so it is retried.
    if (record.destinationId === null) return { record, add, remove, forget: true };
    const mirror = options.mode === 'mirror';
    shape.fields.forEach((f, i) => {
      if (mirror && record.stored[i] !== null) {
        if (f.association) account = { from: record.stored[i] ?? null, to: null };
        else fields[f.name] = null;
        sentFields.add(i);
      }
    });
    shape.segments.forEach((s, j) => {
      if (!record.member[j]) return;
      if (s.field !== undefined) {
        fields[s.field] = false;
        sentSegments.set(j, false);
      } else remove.push(j);
    });
    const write = sentFields.size + sentSegments.size > 0 ? { kind: 'update' as const, operation: 'clear' as const, fields, sentFields, sentSegments, ...(account ? { account } : {}) } : undefined;
    return { record, ...(write ? { write } : {}), add, remove, forget: !write && remove.length === 0 };
  }

  shape.fields.forEach((f, i) => {
    if (!record.changed[i]) return;
    if (f.association) account = { from: record.stored[i] ?? null, to: record.texts[i] ?? null };
    else fields[f.name] = record.values[i] ?? null;
    sentFields.add(i);
  });
  shape.segments.forEach((s, j) => {
    const change = record.add[j] ? true : record.remove[j] ? false : undefined;
    if (change === undefined) return;
    if (s.field !== undefined) {
      fields[s.field] = change;
      sentSegments.set(j, change);
    } else (change ? add : remove).push(j);
  });
  const needsWrite = record.op === 'enter' || options.fullResync || sentFields.size + sentSegments.size > 0;
  const kind = options.mode === 'update' ? ('update' as const) : ('upsert' as const);
  return { record, ...(needsWrite ? { write: { kind, operation: kind, fields, sentFields, sentSegments, ...(account ? { account } : {}) } } : {}), add, remove, forget: false };
}

/** The record's state once `ops.write` is confirmed: sent values replace stored ones. */
export function confirmedTexts(shape: SyncShape, ops: RecordOperations): (string | null)[] {
  return shape.fields.map((_, i) => (ops.write?.sentFields.has(i) ? ops.record.texts[i] : ops.record.stored[i]));
}

export function confirmedMembers(shape: SyncShape, ops: RecordOperations): boolean[] {
  return shape.segments.map((_, j) => ops.write?.sentSegments.get(j) ?? ops.record.member[j]);
}
