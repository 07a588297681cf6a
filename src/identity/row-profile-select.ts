import type { LoadedProject } from '../config/load-project.js';
import type { SourceConfig } from '../config/schema.js';
import type { Dialect, TableRef } from '../dialect/dialect.js';
import { sourceRelation } from '../model/relations.js';
import { identitySpec } from './identity-spec.js';
import { identityTables } from './identity-tables.js';
import { normalizeSql, normalizerKey } from './normalize-sql.js';

/**
 * A SELECT over a source's rows that adds `_cdp_profile_id`: the profile of the row's strongest
 * identifier that is in `identifiers` (blocklisted values and hubs are not, so they never decide),
 * found through the same normalisation identity used. Rows without such an identifier get NULL.
 * Traits aggregate over this.
 */
export function rowProfileSelect(project: LoadedProject, dialect: Dialect, source: Pick<SourceConfig, 'name'>): string {
  return changedRowSelect(project, dialect, source, {});
}

/** What `changedRowSelect` adds to `rowProfileSelect` (docs/incremental.md). */
export interface ChangedRowOptions {
  /** The identifiers the last profiles build used (same columns as `identifiers`): adds `_cdp_previous_profile_id`. */
  readonly previous?: TableRef;
  /** Adds `_cdp_row_hash`, a hash of the whole source row. */
  readonly rowHash?: boolean;
  /** Only rows with an identifier (normalised) in this relation (SQL) of `id_type`, `id_value`. */
  readonly within?: string;
  /**
   * With `within`: rows are picked by their raw values through this map (`normalizer`, `raw`, `id_value`), which
   * must hold every raw value of the rows wanted, instead of normalising every row (docs/incremental.md#raw-identifier-values).
   */
  readonly rawIds?: TableRef;
  /**
   * With `rawIds`: each row also finds its profile through the map, a join per identifier column on the raw value,
   * instead of normalising the value. Cheaper when most rows of a source are read (each distinct value was
   * normalised once, when it entered the map); dearer for a few rows, whose joins would still build on the whole map.
   */
  readonly mapByRawIds?: boolean;
  /** Only rows that pass this condition on the source row, aliased `r`. */
  readonly where?: string;
}

/**
 * `rowProfileSelect` with what an incremental build compares, and restricted to the rows it needs: the
 * restrictions are on the source row alone, so the engine applies them before any join to `identifiers`.
 */
export function changedRowSelect(project: LoadedProject, dialect: Dialect, source: Pick<SourceConfig, 'name'>, options: ChangedRowOptions): string {
  const relation = dialect.table(sourceRelation(project, source));
  const columns = identifierColumns(project, source);
  const where = [...(options.within ? [identifierIn(dialect, columns, options.within, options.rawIds)] : []), ...(options.where ? [`(${options.where})`] : [])];
  // A restricted read is usually a few rows: where a statement computes a CTE once, the lookups take only the
  // identifiers those rows hold, instead of building each join on every identifier of the type.
  const restricted = where.length > 0 && dialect.capabilities.sharedCtes && !options.mapByRawIds;
  const values = normalisedValues(dialect, columns, options.mapByRawIds ? options.rawIds : undefined);
  const rowValues = restricted ? (j: number) => `select ${values.of(j)} from ${ROWS} r` : undefined;
  const current = profileLookup(dialect, columns, values.of, identityTables(identitySpec(project).schema).identifiers, 'i', rowValues);
  const before = options.previous ? profileLookup(dialect, columns, values.of, options.previous, 'o', rowValues) : undefined;
  const selected = [
    `${current.profile} as _cdp_profile_id`,
    ...(before ? [`${before.profile} as _cdp_previous_profile_id`] : []),
    ...(options.rowHash ? [`${dialect.rowFingerprint('r')} as _cdp_row_hash`] : []),
  ];
  // The restrictions read the source row alone; in their own subquery they run before the joins to identifiers.
  const picked = `select r.* from ${relation} r where ${where.join(' and ')}`;
  const joins = `${values.joins}${current.joins}${before?.joins ?? ''}`;
  if (restricted) return `with ${ROWS} as (${picked})\nselect r.*, ${selected.join(', ')}\nfrom ${ROWS} r${joins}`;
  return `select r.*, ${selected.join(', ')}\nfrom ${where.length ? `(${picked})` : relation} r${joins}`;
}

/**
 * `changedRowSelect`'s `_cdp_profile_id` and `_cdp_previous_profile_id` for an append source's kept identity row
 * groups (`groups`: `v0`.. in the source's `identifiers:` order, already normalised; observation-sql.ts) that hold
 * an identifier in `within`. A group stands for its rows: they have its identifiers, so they find its profiles, and
 * far fewer groups are read than rows.
 */
export function changedGroupSelect(project: LoadedProject, dialect: Dialect, source: Pick<SourceConfig, 'name'>, groups: string, options: { readonly previous: TableRef; readonly within: string }): string {
  const columns = identifierColumns(project, source);
  const value = (j: number) => `r.v${columns[j].k}`;
  const tests = columns.map((c, j) => `g.v${c.k} in (select w.id_value from ${options.within} w where w.id_type = ${dialect.stringLiteral(c.type.name)})`);
  const picked = `select g.* from ${groups} g where ${tests.length ? tests.join(' or ') : '1 = 0'}`;
  const rowValues = dialect.capabilities.sharedCtes ? (j: number) => `select ${value(j)} from ${ROWS} r` : undefined;
  const current = profileLookup(dialect, columns, value, identityTables(identitySpec(project).schema).identifiers, 'i', rowValues);
  const before = profileLookup(dialect, columns, value, options.previous, 'o', rowValues);
  const selected = `${current.profile} as _cdp_profile_id, ${before.profile} as _cdp_previous_profile_id`;
  if (rowValues) return `with ${ROWS} as (${picked})\nselect ${selected}\nfrom ${ROWS} r${current.joins}${before.joins}`;
  return `select ${selected}\nfrom (${picked}) r${current.joins}${before.joins}`;
}

/** The restricted rows' CTE (`changedRowSelect`). */
const ROWS = '_cdp_rows';

type IdentifierColumn = ReturnType<typeof identifierColumns>[number];

/** The source's identifier columns, strongest first; a type used twice (email, secondary email) keeps its column order. */
function identifierColumns(project: LoadedProject, source: Pick<SourceConfig, 'name'>) {
  const columns = identitySpec(project).sources.find((s) => s.name === source.name)?.identifiers ?? [];
  return columns
    .map((c, k) => ({ ...c, k }))
    .sort((a, b) => a.type.priority - b.type.priority || (a.type.name < b.type.name ? -1 : a.type.name > b.type.name ? 1 : 0) || a.k - b.k);
}

/**
 * Each identifier column's value as identity normalised it: the normalisation itself, or, with `rawIds`, the map's
 * entry for the raw value, found by a join (docs/incremental.md#raw-identifier-values). The map then must hold every
 * raw value of the rows read; a value it lacks maps to no profile.
 */
function normalisedValues(dialect: Dialect, columns: readonly IdentifierColumn[], rawIds: TableRef | undefined): { joins: string; of: (j: number) => string } {
  const column = (c: IdentifierColumn) => `r.${dialect.quoteIdentifier(c.column)}`;
  if (!rawIds) return { joins: '', of: (j) => normalizeSql(dialect, columns[j].type, column(columns[j])) };
  const joins = columns.map(
    (c, j) =>
      `\nleft join ${dialect.table(rawIds)} m${j} on m${j}.normalizer = ${dialect.stringLiteral(normalizerKey(dialect, c.type))} and m${j}.raw = ${dialect.cast(column(c), 'string')}`,
  );
  return { joins: joins.join(''), of: (j) => `m${j}.id_value` };
}

/**
 * Whether a source row (`r`) has an identifier, normalised as identity does, in `ids` (`id_type`, `id_value`). With
 * `rawIds`, the raw values that normalise to one of them are looked up in the map, and the row is tested by its raw
 * value: a hash probe instead of normalising every row.
 */
function identifierIn(dialect: Dialect, columns: readonly IdentifierColumn[], ids: string, rawIds: TableRef | undefined): string {
  if (columns.length === 0) return '1 = 0';
  const tests = columns.map((c) => {
    const column = `r.${dialect.quoteIdentifier(c.column)}`;
    const wanted = `select w.id_value from ${ids} w where w.id_type = ${dialect.stringLiteral(c.type.name)}`;
    if (!rawIds) return `${normalizeSql(dialect, c.type, column)} in (${wanted})`;
    return `${dialect.cast(column, 'string')} in (select m.raw from ${dialect.table(rawIds)} m where m.normalizer = ${dialect.stringLiteral(normalizerKey(dialect, c.type))} and m.id_value in (${wanted}))`;
  });
  return `(${tests.join(' or ')})`;
}

/**
 * Left joins of a source row (`r`) to `identifiers` by each identifier column's normalised value, and the profile they
 * give. With `rowValues` (a query of column j's values over the rows read), each join takes only those identifiers.
 */
function profileLookup(
  dialect: Dialect,
  columns: readonly IdentifierColumn[],
  value: (j: number) => string,
  identifiers: TableRef,
  alias: string,
  rowValues?: (j: number) => string,
): { joins: string; profile: string } {
  if (columns.length === 0) return { joins: '', profile: `cast(null as ${dialect.typeName('string')})` };
  const joins = columns.map((c, j) => {
    const type = dialect.stringLiteral(c.type.name);
    if (!rowValues) return `\nleft join ${dialect.table(identifiers)} ${alias}${j} on ${alias}${j}.id_type = ${type} and ${alias}${j}.id_value = ${value(j)}`;
    const wanted = `select x.id_value, x.profile_id from ${dialect.table(identifiers)} x where x.id_type = ${type} and x.id_value in (${rowValues(j)})`;
    return `\nleft join (${wanted}) ${alias}${j} on ${alias}${j}.id_value = ${value(j)}`;
  });
  const profile = columns.length === 1 ? `${alias}0.profile_id` : `coalesce(${columns.map((_, j) => `${alias}${j}.profile_id`).join(', ')})`;
  return { joins: joins.join(''), profile };
}
