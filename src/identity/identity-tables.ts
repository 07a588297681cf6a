import type { Dialect, SqlType, TableRef } from '../dialect/dialect.js';

/** The tables identity resolution keeps in the project's schema, and the names of its scratch tables. */
export interface IdentityTables {
  readonly schema: string;
  /** Dictionary: every valid identifier value ever seen, with a dense key that never changes. */
  readonly nodes: TableRef;
  /** Current links (a < b, node keys), one row per source, with provenance. */
  readonly edges: TableRef;
  /** node_key -> comp: connected components of `edges` (comp is a member's node key). */
  readonly graph: TableRef;
  /** comp -> number of nodes, kept with `graph` so merges pick the largest side without counting. */
  readonly sizes: TableRef;
  /** What the guards kept out this run: blocklisted values, hubs, window and limit drops. */
  readonly review: TableRef;
  /**
   * The nodes whose value the blocklist blocks (`node_key`, `blocked_by`), for the blocklist whose fingerprint `state`
   * holds as `blocklist`: nodes are made only for values it does not block, so a build tests the blocklist on new values
   * alone (blocked-nodes-sql.ts).
   */
  readonly blocked: TableRef;
  /** name/value pairs; `status` is `ok` only after a run finished, so a crashed run forces a rebuild. */
  readonly state: TableRef;
  readonly identifiers: TableRef;
  /**
   * The identifiers the last publish wrote or deleted (new, gone, moved to another profile or seen again), with their
   * profile before and after; the publish's number is `publishes` in `state`. A profiles build that last read the one
   * before takes its changed identifiers from here instead of comparing every identifier
   * (docs/incremental.md#which-profiles-a-build-recomputes).
   */
  readonly moves: TableRef;
  readonly aliases: TableRef;
  readonly events: TableRef;
  /**
   * Per append source: up to when its rows are kept grouped (`since`), what they were grouped by (`fingerprint`)
   * and how many groups the kept table held when last compacted (`compacted`). See observation-sql.ts.
   */
  readonly settled: TableRef;
  /** An append source's kept row groups: normalised identifiers, rows, first/last seen, evidence. */
  settledRows(source: string): TableRef;
  /**
   * Per source read from files: the files' stamp its kept row groups were made from, what they were grouped by
   * (`fingerprint`), the latest row time then (`max_seen`) and the build's as-of. See observation-sql.ts.
   */
  readonly files: TableRef;
  /** A source read from files: its row groups, kept while its files do not change. */
  fileGroups(source: string): TableRef;
  scratch(name: string): TableRef;
}

export function identityTables(schema: string): IdentityTables {
  const t = (name: string): TableRef => ({ schema, name });
  return {
    schema,
    nodes: t('_identity_nodes'),
    edges: t('_identity_edges'),
    graph: t('_identity_graph'),
    sizes: t('_identity_sizes'),
    review: t('_identity_review'),
    blocked: t('_identity_blocked'),
    state: t('_identity_state'),
    identifiers: t('identifiers'),
    moves: t('_identity_moves'),
    aliases: t('profile_aliases'),
    events: t('profile_events'),
    settled: t('_identity_settled'),
    settledRows: (source) => t(`_identity_settled_${source}`),
    files: t('_identity_files'),
    fileGroups: (source) => t(`_identity_files_${source}`),
    scratch: (name) => t(`_identity_tmp_${name}`),
  };
}

type Columns = readonly (readonly [string, SqlType])[];

export const TABLE_COLUMNS = {
  nodes: [['node_key', 'integer'], ['id_type', 'string'], ['id_value', 'string']],
  edges: [
    ['a', 'integer'], ['b', 'integer'], ['src', 'string'], ['first_seen', 'timestamp'], ['last_seen', 'timestamp'],
    ['n_rows', 'integer'], ['evidence', 'string'],
  ],
  graph: [['node_key', 'integer'], ['comp', 'integer']],
  sizes: [['comp', 'integer'], ['n', 'integer']],
  review: [
    ['reason', 'string'], ['id_type', 'string'], ['id_value', 'string'], ['other_type', 'string'], ['other_value', 'string'],
    ['src', 'string'], ['n_rows', 'integer'], ['first_seen', 'timestamp'], ['last_seen', 'timestamp'], ['detail', 'string'],
  ],
  blocked: [['node_key', 'integer'], ['blocked_by', 'string']],
  state: [['name', 'string'], ['value', 'string']],
  identifiers: [['id_type', 'string'], ['id_value', 'string'], ['profile_id', 'string'], ['first_seen', 'timestamp'], ['last_seen', 'timestamp']],
  moves: [['id_type', 'string'], ['id_value', 'string'], ['profile_id', 'string'], ['previous_profile_id', 'string']],
  aliases: [['old_profile_id', 'string'], ['profile_id', 'string'], ['run_id', 'string']],
  events: [['run_id', 'string'], ['kind', 'string'], ['from_profile_id', 'string'], ['to_profile_id', 'string']],
  settled: [['source', 'string'], ['fingerprint', 'string'], ['since', 'timestamp'], ['compacted', 'integer']],
  files: [['source', 'string'], ['fingerprint', 'string'], ['stamp', 'string'], ['max_seen', 'timestamp'], ['as_of', 'timestamp']],
} as const satisfies Record<string, Columns>;

export type PersistentTable = keyof typeof TABLE_COLUMNS;

export function createTableSql(d: Dialect, table: TableRef, columns: Columns): string {
  return `create table if not exists ${d.table(table)} (${columns.map(([name, type]) => `${name} ${d.typeName(type)}`).join(', ')})`;
}

/** `create table if not exists` for every table identity keeps. */
export function createIdentityTables(d: Dialect, t: IdentityTables): string[] {
  return (Object.keys(TABLE_COLUMNS) as PersistentTable[]).map((k) => createTableSql(d, t[k], TABLE_COLUMNS[k]));
}

/** A typed empty column list for CTAS: `cast(null as bigint) as a, ...`. */
export function nullColumns(d: Dialect, columns: Columns): string {
  return columns.map(([name, type]) => `cast(null as ${d.typeName(type)}) as ${name}`).join(', ');
}
