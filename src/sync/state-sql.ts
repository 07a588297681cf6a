import type { SyncConfig } from '../config/schema.js';
import type { Dialect, SqlType, TableRef } from '../dialect/dialect.js';
import type { SyncShape } from './sync-shape.js';

/** A record's last confirmed state (one row of `sync_state_<sync>`). */
export interface StateRow {
  readonly key: string;
  readonly destinationId: string;
  readonly profileId: string | null;
  /** Per shape field: the text last confirmed, or null when cdp has not set it. */
  readonly texts: readonly (string | null)[];
  /** Per shape segment: the membership last confirmed. */
  readonly members: readonly boolean[];
}

/** A record the destination rejected (one row of `sync_log`). */
export interface LogRow {
  readonly key: string;
  readonly profileId: string | null;
  readonly operation: string;
  readonly code: string;
  readonly message: string;
  /** What was sent for this record (fields, or the membership), as JSON; secrets are scrubbed before it is stored. */
  readonly payload?: string;
}

const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The state table's columns and their types, in order. */
export function stateColumns(shape: SyncShape): readonly { readonly name: string; readonly type: SqlType }[] {
  return [
    { name: 'match_key', type: 'string' },
    { name: 'destination_id', type: 'string' },
    { name: 'profile_id', type: 'string' },
    { name: 'synced_at', type: 'timestamp' },
    ...shape.fields.map((f) => ({ name: f.column, type: 'string' as const })),
    ...shape.segments.map((s) => ({ name: s.column, type: 'boolean' as const })),
  ];
}

export function createStateTableSql(shape: SyncShape, d: Dialect): string {
  const columns = stateColumns(shape).map((c) => `${d.quoteIdentifier(c.name)} ${d.typeName(c.type)}`);
  return `create table if not exists ${d.table(shape.tables.state)} (${columns.join(', ')})`;
}

/** Columns a sync gained since its state table was created (a new field or segment). */
export function addStateColumnsSql(shape: SyncShape, d: Dialect, existing: ReadonlySet<string>): string[] {
  return stateColumns(shape)
    .filter((c) => !existing.has(c.name.toLowerCase()))
    .map((c) => d.addColumn(shape.tables.state, c.name, c.type));
}

const inList = (d: Dialect, keys: readonly string[]) => keys.map((k) => d.literal(k)).join(', ');

/** Replaces the rows of these keys (delete, then insert), so a batch's commit is idempotent. */
export function writeStateRowsSql(shape: SyncShape, d: Dialect, rows: readonly StateRow[], now: Date): string[] {
  if (rows.length === 0) return [];
  const table = d.table(shape.tables.state);
  const names = stateColumns(shape).map((c) => d.quoteIdentifier(c.name)).join(', ');
  const at = d.timestampLiteral(now);
  return chunks(rows).flatMap((chunk) => [
    `delete from ${table} where match_key in (${inList(d, chunk.map((r) => r.key))})`,
    `insert into ${table} (${names}) values\n${chunk
      .map((r) => `(${[d.literal(r.key), d.literal(r.destinationId), d.literal(r.profileId), at, ...r.texts.map((t) => d.literal(t)), ...r.members.map((m) => d.literal(m))].join(', ')})`)
      .join(',\n')}`,
  ]);
}

export function setMembershipSql(shape: SyncShape, d: Dialect, segment: number, member: boolean, keys: readonly string[]): string[] {
  const column = d.quoteIdentifier(shape.segments[segment].column);
  return chunks(keys).map((chunk) => `update ${d.table(shape.tables.state)} set ${column} = ${d.literal(member)} where match_key in (${inList(d, chunk)})`);
}

export function forgetKeysSql(shape: SyncShape, d: Dialect, keys: readonly string[]): string[] {
  return chunks(keys).map((chunk) => `delete from ${d.table(shape.tables.state)} where match_key in (${inList(d, chunk)})`);
}

/**
 * Drops the state of records that left the sync once nothing cdp must take back remains on them: no
 * membership cdp added (every mode) and, in mirror mode, no field cdp set. A removal that was refused
 * keeps its row, so the next run retries it (docs/guarantees.md).
 */
export function forgetLeaversSql(shape: SyncShape, d: Dialect, mode: SyncConfig['mode'], diff: string): string {
  const leaving = `match_key in (select match_key from ${diff} where op = 'leave')`;
  // A row is kept until what cdp must take back is confirmed gone: memberships in every mode, fields in mirror.
  const nothingLeft = [
    ...(mode === 'mirror' ? shape.fields.map((f) => `${d.quoteIdentifier(f.column)} is null`) : []),
    ...shape.segments.map((s) => `not coalesce(${d.quoteIdentifier(s.column)}, false)`),
  ];
  const condition = nothingLeft.length > 0 ? `${leaving} and ${nothingLeft.join(' and ')}` : leaving;
  return `delete from ${d.table(shape.tables.state)} where ${condition}`;
}

export const LOG_COLUMNS = ['run_id', 'sync', 'key', 'profile_id', 'operation', 'code', 'message', 'at', 'payload'] as const;

export function createLogTableSql(d: Dialect, table: TableRef): string {
  const s = d.typeName('string');
  const types: Record<(typeof LOG_COLUMNS)[number], string> = {
    run_id: s,
    sync: s,
    key: s,
    profile_id: s,
    operation: s,
    code: s,
    message: s,
    at: d.typeName('timestamp'),
    payload: s,
  };
  return `create table if not exists ${d.table(table)} (${LOG_COLUMNS.map((c) => `${d.quoteIdentifier(c)} ${types[c]}`).join(', ')})`;
}

/** `sync_log` tables written before the payload column existed get it (null for their old rows). */
export function addLogColumnsSql(d: Dialect, table: TableRef, existing: ReadonlySet<string>): string[] {
  return existing.has('payload') ? [] : [d.addColumn(table, 'payload', 'string')];
}

export function insertLogRowsSql(d: Dialect, table: TableRef, runId: string, sync: string, rows: readonly LogRow[], now: Date, scrub: (text: string) => string = (t) => t): string[] {
  const names = LOG_COLUMNS.map((c) => d.quoteIdentifier(c)).join(', ');
  const at = d.timestampLiteral(now);
  return chunks(rows).map(
    (chunk) =>
      `insert into ${d.table(table)} (${names}) values\n${chunk
        .map((r) => `(${[d.literal(runId), d.literal(sync), d.literal(r.key), d.literal(r.profileId), d.literal(r.operation), d.literal(r.code), d.literal(scrub(r.message).slice(0, 2000)), at, d.literal(r.payload === undefined ? null : scrub(r.payload))].join(', ')})`)
        .join(',\n')}`,
  );
}
