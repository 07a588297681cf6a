import { forgetPositionSql } from '../sync-position.js';
import { logEverythingSql } from '../../model/profile-changes.js';
import type { Transport } from '../../destinations/destination.js';
import type { DriftQuery, DriftRead, DriftReader } from '../../destinations/drift-reader.js';
import type { Warehouse } from '../../warehouse/warehouse.js';
import { forgetKeysSql } from '../state-sql.js';
import type { SyncShape } from '../sync-shape.js';
import {
  createDriftTablesSql,
  dropHoldsSql,
  driftTables,
  insertDriftEventsSql,
  insertHoldsSql,
  repointSql,
  restoreSql,
  setMarkSql,
  type DriftEvent,
} from './drift-sql.js';
import { driftRepairs, type DriftStateRow } from './drift-repairs.js';

/** What a drift check found and did, for the run summary and `--json`. */
export interface DriftSummary {
  /** Fields restored to the warehouse value after someone else changed them. */
  readonly edited: number;
  /** Fields left as a person set them (ownership crm / if_empty), reported once per record and field. */
  readonly kept: number;
  /** Records deleted in the CRM: re-created by this run (upsert, mirror) or no longer synced (update). */
  readonly deleted: number;
  /** Records merged into another in the CRM: cdp now writes to the survivor. */
  readonly merged: number;
  /** Requests the check sent (reads). */
  readonly requests: number;
  /** Where the changes were read: the CRM itself, or the tables this run's pull wrote. */
  readonly from?: 'crm' | 'pull';
  readonly seconds: number;
}

/**
 * Edits of the CRM made within this long before the last check are read again: HubSpot's search is
 * eventually consistent (the lag is UNCONFIRMED; connectors hold back minutes to an hour) and
 * Salesforce SOQL literals are whole seconds. Reading a record again is harmless: an unchanged one
 * compares equal. `CDP_DRIFT_OVERLAP_MS` overrides it.
 */
export function driftOverlapMs(): number {
  const raw = Number(process.env.CDP_DRIFT_OVERLAP_MS);
  return Number.isFinite(raw) && raw >= 0 ? raw : 120_000;
}

/** A DriftReader with its transport bound: what a check reads through. */
export interface BoundDriftReader {
  read(query: DriftQuery): Promise<DriftRead>;
  missing(object: string, ids: readonly string[]): ReturnType<DriftReader['missing']>;
}

/** Binds a destination's reader to the transport that paces its requests. */
export function bindDriftReader(reader: DriftReader, transport: Transport): BoundDriftReader {
  return { read: (query) => reader.read(query, transport), missing: (object, ids) => reader.missing(object, ids, transport) };
}

export interface DriftCheckParts {
  readonly warehouse: Warehouse;
  readonly shape: SyncShape;
  /** The destination's reads (bound to its transport), or the tables this run's pull wrote. */
  readonly reader: BoundDriftReader;
  readonly requests: () => number;
  readonly runId: string;
}

/**
 * Before the diff: reads what changed in the CRM since the sync's last check (modified records,
 * deleted and merged ones, the live count), decides the repairs (drift-repairs.ts) and applies them to
 * `sync_state_<sync>` in one transaction with the `sync_drift` rows. The diff that follows then sends
 * exactly the repairs. The mark moves only when the sync finishes (`markDriftChecked`).
 */
export async function checkDrift(parts: DriftCheckParts): Promise<DriftSummary> {
  const started = performance.now();
  const before = parts.requests();
  const { warehouse, shape } = parts;
  const d = warehouse.dialect;
  const tables = driftTables(shape);
  for (const sql of createDriftTablesSql(d, tables)) await warehouse.execute(sql, { label: 'create drift tables' });
  const sync = d.literal(shape.sync.sync);
  const mark = await warehouse.query(`select max(checked_ms) as ms from ${d.table(tables.marks)} where sync = ${sync}`);
  const known = Number((await warehouse.query(`select count(*) as n from ${d.table(shape.tables.state)} where destination_id is not null`))[0].n);
  const idle = { edited: 0, kept: 0, deleted: 0, merged: 0 };
  if (known === 0) return { ...idle, requests: 0, seconds: elapsed(started) };
  const lastMs = mark[0]?.ms === null || mark[0]?.ms === undefined ? 0 : Number(mark[0].ms);
  const since = new Date(Math.max(0, lastMs - driftOverlapMs()));

  const read: DriftRead = await parts.reader.read({ object: shape.sync.object, matchField: shape.matchField, fields: shape.fields.filter((f) => !f.association).map((f) => f.name), since });
  const goneIds = new Set(read.gone.map((g) => g.id));
  // Fewer live records than cdp has confirmed: something vanished without a trace (a purge, an emptied sandbox).
  const extra = read.liveTotal < known - read.gone.filter((g) => g.mergedInto === undefined).length ? await parts.reader.missing(shape.sync.object, (await allIds(warehouse, shape)).filter((id) => !goneIds.has(id))) : { missing: [], survivors: new Map<string, string>() };

  const ids = new Set<string>([...read.changed.flatMap((c) => [c.id, ...c.mergedIds]), ...goneIds, ...extra.missing, ...extra.survivors.keys()]);
  const rows = await stateRows(warehouse, shape, [...ids]);
  const held = await warehouse.query(`select match_key, field from ${d.table(tables.holds)} where sync = ${sync}`);
  const repairs = driftRepairs(shape, rows, read, extra, new Set(held.map((h) => `${String(h.match_key)}\u0000${String(h.field)}`)));

  const now = new Date();
  const statements = [
    ...repairs.repoint.map((r) => repointSql(shape, d, r.key, r.id)),
    ...[...repairs.restore].flatMap(([column, keys]) => restoreSql(shape, d, column, keys)),
    ...dropHoldsSql(d, tables.holds, shape.sync.sync, repairs.forget),
    ...forgetKeysSql(shape, d, repairs.forget),
    ...insertHoldsSql(d, tables.holds, parts.runId, shape.sync.sync, repairs.holds),
    ...insertDriftEventsSql(d, tables.drift, parts.runId, shape.sync.sync, repairs.events, now),
  ];
  // A repaired state row must be diffed whatever changed in the warehouse: the next diff is a whole one. A repaired
  // account record (merged, deleted) changes the association of its people: person syncs diff whole once too.
  const everyone = shape.entity.kind === 'account' ? [logEverythingSql(d, shape.tables.state.schema)] : [];
  if (statements.length > 0) await warehouse.transaction([...statements, ...forgetPositionSql(d, shape), ...everyone], { label: `drift ${shape.sync.sync}` });
  return { ...count(repairs.events), requests: parts.requests() - before, seconds: elapsed(started) };
}

/** Records that the sync finished at `at`: the next check reads changes from then (less the overlap). */
export async function markDriftChecked(warehouse: Warehouse, shape: SyncShape, at: Date): Promise<void> {
  const d = warehouse.dialect;
  const tables = driftTables(shape);
  // The tables exist: checkDrift created them before the diff.
  await warehouse.transaction(setMarkSql(d, tables.marks, shape.sync.sync, at.getTime()), { label: `drift mark ${shape.sync.sync}` });
}

function count(events: readonly DriftEvent[]): { edited: number; kept: number; deleted: number; merged: number } {
  const n = (kind: DriftEvent['kind']) => events.filter((e) => e.kind === kind).length;
  return { edited: n('edited'), kept: n('kept'), deleted: n('deleted'), merged: n('merged') };
}

async function allIds(warehouse: Warehouse, shape: SyncShape): Promise<string[]> {
  const rows = await warehouse.query(`select distinct destination_id from ${warehouse.dialect.table(shape.tables.state)} where destination_id is not null`);
  return rows.map((r) => String(r.destination_id));
}

async function stateRows(warehouse: Warehouse, shape: SyncShape, ids: readonly string[]): Promise<DriftStateRow[]> {
  const d = warehouse.dialect;
  const out: DriftStateRow[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await warehouse.query(
      `select match_key, destination_id${shape.fields.map((f) => `, ${d.quoteIdentifier(f.column)}`).join('')} from ${d.table(shape.tables.state)} where destination_id in (${chunk.map((id) => d.literal(id)).join(', ')})`,
      { label: `drift state ${shape.sync.sync}` },
    );
    for (const r of rows) out.push({ key: String(r.match_key), id: String(r.destination_id), texts: shape.fields.map((f) => (r[f.column] === null || r[f.column] === undefined ? null : String(r[f.column]))) });
  }
  return out;
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started) / 1000;
}
