import type { Dialect, TableRef } from '../dialect/dialect.js';

/**
 * `profile_changes`: which profiles each build changed, so a sync diffs only those (docs/incremental.md#syncs).
 * Columns: `build` (a number that grows with every statement that logs), `profile_id`, `all_profiles`. A row with
 * `all_profiles` true and no profile says "every profile may have changed": a full profiles build, or `cdp forget`.
 * Every writer of `profiles`, `identifiers` or `segment_members` logs in the transaction that changes them, or
 * before it, so the log never misses a change a sync can see.
 */
export function profileChangesTable(schema: string): TableRef {
  return { schema, name: 'profile_changes' };
}

/** Where each sync's last diff stopped in the log (`sync_positions`) and the keys it left unconfirmed (`sync_pending`). */
export function syncPositionTables(schema: string): { readonly positions: TableRef; readonly pending: TableRef } {
  return { positions: { schema, name: 'sync_positions' }, pending: { schema, name: 'sync_pending' } };
}

export function createProfileChangesSql(d: Dialect, schema: string): string[] {
  const { positions, pending } = syncPositionTables(schema);
  const s = d.typeName('string');
  const n = d.typeName('integer');
  return [
    `create table if not exists ${d.table(profileChangesTable(schema))} (build ${n}, profile_id ${s}, all_profiles ${d.typeName('boolean')})`,
    `create table if not exists ${d.table(positions)} (sync ${s}, build ${n}, fingerprint ${s}, run_id ${s})`,
    `create table if not exists ${d.table(pending)} (sync ${s}, match_key ${s})`,
  ];
}

/** The next build number: one past the last logged. */
function nextBuild(d: Dialect, log: string): string {
  return `(select coalesce(max(l.build), 0) + 1 as build from ${log} l)`;
}

/** Logs the profiles `select` returns (one column, `profile_id`; NULLs and repeats are dropped). */
export function logProfilesSql(d: Dialect, schema: string, select: string): string {
  const log = d.table(profileChangesTable(schema));
  return `insert into ${log} (build, profile_id, all_profiles)
select n.build, x.profile_id, false
from ${nextBuild(d, log)} n
cross join (select distinct c.profile_id from (${select}) c where c.profile_id is not null) x`;
}

/** Logs that every profile may have changed: syncs diff everything once more. */
export function logEverythingSql(d: Dialect, schema: string): string {
  const log = d.table(profileChangesTable(schema));
  return `insert into ${log} (build, profile_id, all_profiles) select n.build, ${d.cast('null', 'string')}, true from ${nextBuild(d, log)} n`;
}

/**
 * Forgets what no sync of the project needs: rows before the oldest position of `syncs`, or, when none
 * has a position, every row but the last build's (it keeps the numbering going).
 */
export function pruneProfileChangesSql(d: Dialect, schema: string, syncs: readonly string[]): string {
  const log = d.table(profileChangesTable(schema));
  const { positions } = syncPositionTables(schema);
  const oldest = syncs.length > 0 ? `(select min(p.build) from ${d.table(positions)} p where p.sync in (${syncs.map((s) => d.literal(s)).join(', ')}))` : 'null';
  return `delete from ${log} where build < coalesce(${oldest}, (select max(l.build) from ${log} l))`;
}

/**
 * The keys (`profile_id`) whose rows differ between two tables of one shape: a key with a row in one and not the
 * same row in the other. Rows are compared whole (`rowFingerprint`), so a column added or dropped changes every row.
 */
export function changedKeysSql(d: Dialect, key: string, before: TableRef, after: TableRef): string {
  const hashed = (t: TableRef) => `(select x.${d.quoteIdentifier(key)} as k, ${d.rowFingerprint('x')} as h from ${d.table(t)} x)`;
  return `select coalesce(n.k, o.k) as profile_id
from ${hashed(after)} n
full outer join ${hashed(before)} o on o.k = n.k and o.h = n.h
where n.k is null or o.k is null`;
}
