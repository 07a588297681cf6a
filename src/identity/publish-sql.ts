import type { Dialect } from '../dialect/dialect.js';
import type { IdentitySpec } from './identity-spec.js';
import type { IdentityTables } from './identity-tables.js';
import { logProfilesSql } from '../model/profile-changes.js';
import { applyChangedRowsSql, changedRowsSql } from '../model/changed-rows-sql.js';
import { reviewStatements } from './edge-sql.js';

/**
 * Step 9: what the run leaves behind. Internal tables are rewritten as soon as they are known (the
 * `status` row protects them: a run that dies before the end forces the next one to rebuild); the
 * public tables change together in one transaction at the very end.
 */
export function internalStatements(d: Dialect, spec: IdentitySpec, t: IdentityTables): readonly string[] {
  const s = (name: string) => d.scratchTable(t.scratch(name));
  const edges = edgeChanges(d, t);
  const review = reviewStatements(d, spec, t);
  return [
    ...edges.find,
    ...edges.apply,
    ...edges.cleanup,
    ...review.before,
    `delete from ${d.table(t.review)} where 1 = 1`,
    `insert into ${d.table(t.review)} (reason, id_type, id_value, other_type, other_value, src, n_rows, first_seen, last_seen, detail)
${review.select}
union all
select 'limit', na.id_type, na.id_value, nb.id_type, nb.id_value, e.src, e.n_rows, e.first_seen, e.last_seen, k.detail
from ${s('limit_drops')} k
join ${s('edges')} e on e.a = k.a and e.b = k.b
join ${d.table(t.nodes)} na on na.node_key = k.a
join ${d.table(t.nodes)} nb on nb.node_key = k.b`,
    ...review.cleanup,
  ];
}

/** `_identity_edges` changes only where this build's edges differ (most keep their counts and times). */
function edgeChanges(d: Dialect, t: IdentityTables) {
  return changedRowsSql(d, {
    target: t.edges,
    next: d.scratchTable(t.scratch('edges')),
    key: ['a', 'b', 'src'],
    values: ['first_seen', 'last_seen', 'n_rows', 'evidence'],
    changed: t.scratch('edges_changed'),
    gone: t.scratch('edges_gone'),
  });
}

/**
 * Scratch `identifiers_cmp`: this run's identifiers (`present`, with their node) beside the published ones, matched
 * by type and value in one full join that survivorship (retired profiles) and the next `identifiers` both read.
 * `node_key` is null for an identifier that went, which alone keeps its type and value (the others have them in
 * the nodes table: writing millions of them again cost more than the join); `was` is 0 for a new one.
 */
export function identifiersCmpSql(d: Dialect, t: IdentityTables): string {
  return d.createScratchTableAs(
    t.scratch('identifiers_cmp'),
    `select p.node_key, case when p.node_key is null then o.id_type end as id_type, case when p.node_key is null then o.id_value end as id_value, p.first_seen, p.last_seen,
  case when o.id_type is null then 0 else 1 end as was, o.profile_id as old_profile_id, o.first_seen as old_first_seen, o.last_seen as old_last_seen
from ${d.scratchTable(t.scratch('present'))} p
full outer join ${d.table(t.identifiers)} o on o.id_type = p.id_type and o.id_value = p.id_value`,
  );
}

/** Where the next `identifiers` differs from the published one: rows new or changed, and identifiers gone. */
function identifierChanges(d: Dialect, t: IdentityTables) {
  const changed = t.scratch('identifiers_changed');
  const gone = t.scratch('identifiers_gone');
  const key = ['id_type', 'id_value'];
  const values = ['profile_id', 'first_seen', 'last_seen'];
  return {
    find: [
      d.createScratchTableAs(
        changed,
        `select n.id_type, n.id_value, ${values.map((v) => `x.${v}`).join(', ')} from ${d.scratchTable(t.scratch('identifiers_next'))} x join ${d.table(t.nodes)} n on n.node_key = x.node_key where x.differs = 1`,
      ),
      d.createScratchTableAs(gone, `select ${key.join(', ')} from ${d.scratchTable(t.scratch('identifiers_cmp'))} where node_key is null`),
    ],
    // In (type, value) order: the profiles build looks up a few identifiers of one type many times a build.
    apply: applyChangedRowsSql(d, { target: t.identifiers, key, values, changed, gone, order: key }),
    cleanup: [d.dropScratchTable(changed), d.dropScratchTable(gone), d.dropScratchTable(t.scratch('identifiers_cmp'))],
    tables: { changed: d.scratchTable(changed), gone: d.scratchTable(gone) },
  };
}

/**
 * This run's `identifiers`: changed nodes take their new profile, the others keep theirs, and `differs` says whether
 * the published row is not this one; then which rows of the published table change (applied by `commitStatements`).
 * `identifiers` changes only where an identifier is new, went, moved profile or was seen again.
 */
export function identifiersNextSql(d: Dialect, t: IdentityTables): readonly string[] {
  const s = (name: string) => d.scratchTable(t.scratch(name));
  return [
    d.createScratchTableAs(
      t.scratch('identifiers_next'),
      `select node_key, profile_id, first_seen, last_seen,
  case when was = 0 or profile_id is distinct from old_profile_id or first_seen is distinct from old_first_seen or last_seen is distinct from old_last_seen then 1 else 0 end as differs
from (
  select c.node_key, coalesce(a.profile_id, c.old_profile_id) as profile_id, c.first_seen, c.last_seen, c.was, c.old_profile_id, c.old_first_seen, c.old_last_seen
  from ${s('identifiers_cmp')} c left join ${s('assign')} a on a.node_key = c.node_key
  where c.node_key is not null
) x`,
    ),
    ...identifierChanges(d, t).find,
  ];
}

/** Drops the scratch tables `identifiersNextSql` leaves for the commit. */
export function identifierScratchCleanup(d: Dialect, t: IdentityTables): readonly string[] {
  return identifierChanges(d, t).cleanup;
}

/** How many `identifiers` rows the commit inserts or deletes (one row, `n`). */
export function identifierChangesCountSql(d: Dialect, t: IdentityTables): string {
  const { changed, gone } = identifierChanges(d, t).tables;
  return `select (select count(*) from ${changed}) + (select count(*) from ${gone}) as n`;
}

/** The public tables and the status, changed atomically. */
export function commitStatements(d: Dialect, t: IdentityTables, runId: string): readonly string[] {
  const s = (name: string) => d.scratchTable(t.scratch(name));
  const run = d.stringLiteral(runId);
  const merges = `(select from_profile_id, to_profile_id from ${s('profile_changes')} where kind = 'merge')`;
  const { changed, gone } = identifierChanges(d, t).tables;
  const moves = d.table(t.moves);
  const state = d.table(t.state);
  return [
    // Before they change: every identifier this publish writes or deletes, with its profile before and after, numbered
    // with the publish (identity-tables.ts `moves`). The keys are unique (changed and gone are disjoint).
    `delete from ${moves} where 1 = 1`,
    `insert into ${moves} (id_type, id_value, profile_id, previous_profile_id)
select k.id_type, k.id_value, k.profile_id, o.profile_id
from (select id_type, id_value, profile_id from ${changed} union all select id_type, id_value, cast(null as ${d.typeName('string')}) from ${gone}) k
left join ${d.table(t.identifiers)} o on o.id_type = k.id_type and o.id_value = k.id_value`,
    // The profiles whose identifiers change, old and new (docs/incremental.md#syncs).
    logProfilesSql(d, t.schema, `select previous_profile_id as profile_id from ${moves} union all select profile_id from ${moves}`),
    `insert into ${state} (name, value) select 'publishes', '0' from (select 1 as one) x where not exists (select 1 from ${state} s where s.name = 'publishes')`,
    `update ${state} set value = ${d.cast(`${d.cast('value', 'integer')} + 1`, 'string')} where name = 'publishes'`,
    ...identifierChanges(d, t).apply,
    // Path compression: whatever pointed at an absorbed profile now points at its survivor.
    `update ${d.table(t.aliases)} x set profile_id = m.to_profile_id from ${merges} m where x.profile_id = m.from_profile_id`,
    `insert into ${d.table(t.aliases)} (old_profile_id, profile_id, run_id)
select from_profile_id, to_profile_id, ${run} from ${merges} m`,
    `insert into ${d.table(t.events)} (run_id, kind, from_profile_id, to_profile_id)
select ${run}, kind, from_profile_id, to_profile_id from ${s('profile_changes')}`,
    ...stateStatements(d, t, 'ok'),
    // How many profiles `identifiers` now holds: the next build's report compares with it without counting them.
    `delete from ${d.table(t.state)} where name = 'profiles'`,
    `insert into ${d.table(t.state)} (name, value) select 'profiles', ${d.cast('count(*)', 'string')} from ${s('profile_sizes')}`,
  ];
}

/**
 * How many distinct profiles `identifiers` holds before this build publishes (one row, `n`): the count stored by the
 * last publish (`stored`), or, when there is none (a state from before it was stored, or after `cdp forget`), counted
 * (`counted`). Two queries, so the count is only made when needed: DuckDB computes every subquery of a `coalesce`.
 */
export function previousProfilesSql(d: Dialect, t: IdentityTables): { readonly stored: string; readonly counted: string } {
  return {
    stored: `select cast(x.value as ${d.typeName('integer')}) as n from ${d.table(t.state)} x where x.name = 'profiles'`,
    counted: `select count(distinct profile_id) as n from ${d.table(t.identifiers)}`,
  };
}

export const STATE_VERSION = '1';

export function stateStatements(d: Dialect, t: IdentityTables, status: 'ok' | 'running'): readonly string[] {
  return [
    `delete from ${d.table(t.state)} where name in ('status', 'version')`,
    `insert into ${d.table(t.state)} (name, value) values ('status', ${d.stringLiteral(status)}), ('version', ${d.stringLiteral(STATE_VERSION)})`,
  ];
}
