import type { Dialect, SqlType, TableRef } from '../../dialect/dialect.js';
import type { SyncShape } from '../sync-shape.js';

/** One thing found changed in the CRM (a row of `sync_drift`). */
export interface DriftEvent {
  readonly key: string;
  readonly recordId: string;
  /** `edited` (restored), `kept` (left to the CRM), `deleted`, `merged` (state moved to `crmValue`, the survivor). */
  readonly kind: 'edited' | 'kept' | 'deleted' | 'merged';
  readonly field: string | null;
  readonly crmValue: string | null;
  readonly warehouseValue: string | null;
}

export interface DriftTables {
  readonly drift: TableRef;
  readonly holds: TableRef;
  readonly marks: TableRef;
}

export function driftTables(shape: SyncShape): DriftTables {
  const schema = shape.tables.state.schema;
  return { drift: { schema, name: 'sync_drift' }, holds: { schema, name: 'sync_drift_holds' }, marks: { schema, name: 'sync_drift_marks' } };
}

const DRIFT_COLUMNS: readonly (readonly [string, SqlType])[] = [
  ['run_id', 'string'],
  ['sync', 'string'],
  ['key', 'string'],
  ['record_id', 'string'],
  ['kind', 'string'],
  ['field', 'string'],
  ['crm_value', 'string'],
  ['warehouse_value', 'string'],
  ['at', 'timestamp'],
];

function create(d: Dialect, table: TableRef, columns: readonly (readonly [string, SqlType])[]): string {
  return `create table if not exists ${d.table(table)} (${columns.map(([n, t]) => `${d.quoteIdentifier(n)} ${d.typeName(t)}`).join(', ')})`;
}

/**
 * `sync_drift` (every drift event, per run), `sync_drift_holds` (fields a person took over, per record:
 * cdp leaves them alone) and `sync_drift_marks` (when each sync last read the CRM, epoch ms).
 */
export function createDriftTablesSql(d: Dialect, t: DriftTables): string[] {
  return [
    create(d, t.drift, DRIFT_COLUMNS),
    create(d, t.holds, [['sync', 'string'], ['match_key', 'string'], ['field', 'string'], ['run_id', 'string']]),
    create(d, t.marks, [['sync', 'string'], ['checked_ms', 'integer']]),
  ];
}

const CHUNK = 500;
function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

export function insertDriftEventsSql(d: Dialect, table: TableRef, runId: string, sync: string, events: readonly DriftEvent[], now: Date): string[] {
  const names = DRIFT_COLUMNS.map(([n]) => d.quoteIdentifier(n)).join(', ');
  return chunks(events).map(
    (chunk) =>
      `insert into ${d.table(table)} (${names}) values\n${chunk
        .map((e) => `(${[runId, sync, e.key, e.recordId, e.kind, e.field, e.crmValue, e.warehouseValue].map((v) => d.literal(v)).join(', ')}, ${d.timestampLiteral(now)})`)
        .join(',\n')}`,
  );
}

export function setMarkSql(d: Dialect, table: TableRef, sync: string, checkedMs: number): string[] {
  return [`delete from ${d.table(table)} where sync = ${d.literal(sync)}`, `insert into ${d.table(table)} (sync, checked_ms) values (${d.literal(sync)}, ${checkedMs})`];
}

/** Per record: move the state to another destination id and forget memberships (re-sent to the survivor). */
export function repointSql(shape: SyncShape, d: Dialect, key: string, id: string): string {
  const members = shape.segments.map((s) => `, ${d.quoteIdentifier(s.column)} = null`).join('');
  return `update ${d.table(shape.tables.state)} set destination_id = ${d.literal(id)}${members} where match_key = ${d.literal(key)}`;
}

/** Forgets what cdp confirmed for these fields, so the diff sends the warehouse value again. */
export function restoreSql(shape: SyncShape, d: Dialect, column: string, keys: readonly string[]): string[] {
  return chunks(keys).map((chunk) => `update ${d.table(shape.tables.state)} set ${d.quoteIdentifier(column)} = null where match_key in (${chunk.map((k) => d.literal(k)).join(', ')})`);
}

export function insertHoldsSql(d: Dialect, table: TableRef, runId: string, sync: string, holds: readonly { readonly key: string; readonly field: string }[]): string[] {
  return chunks(holds).map(
    (chunk) => `insert into ${d.table(table)} (sync, match_key, field, run_id) values\n${chunk.map((h) => `(${[sync, h.key, h.field, runId].map((v) => d.literal(v)).join(', ')})`).join(',\n')}`,
  );
}

export function dropHoldsSql(d: Dialect, table: TableRef, sync: string, keys: readonly string[]): string[] {
  return chunks(keys).map((chunk) => `delete from ${d.table(table)} where sync = ${d.literal(sync)} and match_key in (${chunk.map((k) => d.literal(k)).join(', ')})`);
}

/**
 * Fields a person took over are not sent: their change flags are switched off in the materialised diff,
 * and records left with nothing to send drop out of it.
 */
export function applyHoldsSql(shape: SyncShape, d: Dialect, diff: string, holds: TableRef): string[] {
  const sync = d.literal(shape.sync.sync);
  const updates = shape.fields.map(
    (f, i) => `update ${diff} set c${i} = false where match_key in (select match_key from ${d.table(holds)} where sync = ${sync} and field = ${d.literal(f.name)})`,
  );
  const flags = [...shape.fields.map((_, i) => `c${i}`), ...shape.segments.flatMap((_, j) => [`a${j}`, `r${j}`])];
  const anything = flags.length === 0 ? 'false' : flags.map((c) => `coalesce(${c}, false)`).join(' or ');
  return [...updates, `delete from ${diff} where op = 'change' and not (${anything})`];
}
