import { createHash } from 'node:crypto';
import type { Dialect } from '../dialect/dialect.js';
import { createProfileChangesSql, profileChangesTable, syncPositionTables } from '../model/profile-changes.js';
import type { Row, Warehouse } from '../warehouse/warehouse.js';
import type { DiffScope } from './diff-sql.js';
import type { SyncShape } from './sync-shape.js';

/**
 * Where a sync's last diff stopped in `profile_changes` (docs/incremental.md#syncs). A sync that finished
 * stores the last build its diff saw, the fingerprint of its whole diff SQL and the keys it left unconfirmed;
 * the next diff then reads only what changed after it.
 */
export interface SyncPosition {
  /** The last build logged now: stored when this sync finishes. Undefined when nothing was ever logged. */
  readonly head: number | undefined;
  readonly fingerprint: string;
  /** Set when this diff may be limited to the profiles changed since the stored position. */
  readonly scope: DiffScope | undefined;
}

/**
 * What the diff is valid against: its whole SQL (every field, segment, rule and state column) and, with
 * `on_collision: skip` and `match: { id_type }`, the values identity shared between people (diff-sql.ts's
 * `compileSharedKeys`), which decide the key of profiles that did not change.
 */
export function diffFingerprint(wholeDiffSql: string, shared: readonly Row[]): string {
  return createHash('sha256').update(JSON.stringify([wholeDiffSql, shared.map((r) => [String(r.k), Number(r.n_other)])])).digest('hex').slice(0, 16);
}

/**
 * The stored position, kept only when it still describes this diff: the same fingerprint, its build still
 * in the log, and no build since that changed every profile. Otherwise it is forgotten before anything
 * else happens, so a sync that fails after a whole diff never comes back to an old position.
 */
export async function readPosition(warehouse: Warehouse, shape: SyncShape, fingerprint: string, wanted: boolean): Promise<SyncPosition> {
  const d = warehouse.dialect;
  const schema = shape.tables.state.schema;
  for (const sql of createProfileChangesSql(d, schema)) await warehouse.execute(sql, { label: 'create sync position tables' });
  const { positions } = syncPositionTables(schema);
  const log = d.table(profileChangesTable(schema));
  const [stored] = await warehouse.query(`select build, fingerprint from ${d.table(positions)} where sync = ${d.literal(shape.sync.sync)}`, { label: `position ${shape.sync.sync}` });
  const since = stored && stored.build !== null ? Number(stored.build) : -1;
  const [log0] = await warehouse.query(
    `select max(build) as head, sum(case when build = ${since} then 1 else 0 end) as here, sum(case when build > ${since} and all_profiles then 1 else 0 end) as everything from ${log}`,
    { label: `position ${shape.sync.sync}` },
  );
  const head = log0?.head === null || log0?.head === undefined ? undefined : Number(log0.head);
  const valid = wanted && stored !== undefined && String(stored.fingerprint) === fingerprint && Number(log0?.here ?? 0) > 0 && Number(log0?.everything ?? 0) === 0;
  if (!valid && stored !== undefined) await warehouse.transaction(forgetPositionSql(d, shape), { label: `position ${shape.sync.sync}` });
  return { head, fingerprint, scope: valid ? { since } : undefined };
}

/** Forgets a sync's position and pending keys: its next diff is a whole one. */
export function forgetPositionSql(d: Dialect, shape: SyncShape): string[] {
  const { positions, pending } = syncPositionTables(shape.tables.state.schema);
  const sync = d.literal(shape.sync.sync);
  return [`delete from ${d.table(positions)} where sync = ${sync}`, `delete from ${d.table(pending)} where sync = ${sync}`];
}

/** After the sync finished: its position is the head it diffed against, with the keys it left unconfirmed. */
export function savePositionSql(d: Dialect, shape: SyncShape, position: SyncPosition, runId: string, unsettled: readonly string[]): string[] {
  if (position.head === undefined) return forgetPositionSql(d, shape);
  const { positions, pending } = syncPositionTables(shape.tables.state.schema);
  const sync = d.literal(shape.sync.sync);
  const keys = [...new Set(unsettled)];
  const chunks = Array.from({ length: Math.ceil(keys.length / 500) }, (_, i) => keys.slice(i * 500, (i + 1) * 500));
  return [
    ...forgetPositionSql(d, shape),
    `insert into ${d.table(positions)} (sync, build, fingerprint, run_id) values (${sync}, ${position.head}, ${d.literal(position.fingerprint)}, ${d.literal(runId)})`,
    ...chunks.map((c) => `insert into ${d.table(pending)} (sync, match_key) values ${c.map((k) => `(${sync}, ${d.literal(k)})`).join(', ')}`),
  ];
}
