import type { LoadedProject } from '../config/load-project.js';
import type { SourceConfig } from '../config/schema.js';
import type { Dialect, TableRef } from '../dialect/dialect.js';
import { sourceRelation } from '../model/relations.js';
import { identitySpec } from './identity-spec.js';
import { identityTables } from './identity-tables.js';
import { normalizeSql } from './normalize-sql.js';

/**
 * A SELECT over a source's rows that adds `_cdp_profile_id`: the profile of the row's strongest
 * identifier that is in `identifiers` (blocklisted values and hubs are not, so they never decide),
 * found through the same normalisation identity used. Rows without such an identifier get NULL.
 * Traits aggregate over this.
 */
export function rowProfileSelect(project: LoadedProject, dialect: Dialect, source: Pick<SourceConfig, 'name'>): string {
  const relation = dialect.table(sourceRelation(project, source));
  const current = profileLookup(project, dialect, source, identityTables(identitySpec(project).schema).identifiers, 'i');
  return `select r.*, ${current.profile} as _cdp_profile_id\nfrom ${relation} r${current.joins}`;
}

/**
 * `rowProfileSelect` with what an incremental build compares (docs/incremental.md): with `previous` (the
 * identifiers the last profiles build used, same columns as `identifiers`), the row's profile then as
 * `_cdp_previous_profile_id`; with `rowHash`, a hash of the whole source row as `_cdp_row_hash`.
 */
export function changedRowSelect(
  project: LoadedProject,
  dialect: Dialect,
  source: Pick<SourceConfig, 'name'>,
  options: { readonly previous?: TableRef; readonly rowHash?: boolean },
): string {
  const relation = dialect.table(sourceRelation(project, source));
  const current = profileLookup(project, dialect, source, identityTables(identitySpec(project).schema).identifiers, 'i');
  const before = options.previous ? profileLookup(project, dialect, source, options.previous, 'o') : undefined;
  const columns = [
    `${current.profile} as _cdp_profile_id`,
    ...(before ? [`${before.profile} as _cdp_previous_profile_id`] : []),
    ...(options.rowHash ? [`${dialect.rowMd5Hex('r')} as _cdp_row_hash`] : []),
  ];
  return `select r.*, ${columns.join(', ')}\nfrom ${relation} r${current.joins}${before?.joins ?? ''}`;
}

/** Left joins of a source row (`r`) to `identifiers` by each identifier column, strongest first, and the profile they give. */
function profileLookup(project: LoadedProject, dialect: Dialect, source: Pick<SourceConfig, 'name'>, identifiers: TableRef, alias: string): { joins: string; profile: string } {
  const columns = identitySpec(project).sources.find((s) => s.name === source.name)?.identifiers ?? [];
  if (columns.length === 0) return { joins: '', profile: `cast(null as ${dialect.typeName('string')})` };
  // Strongest first; a type used twice (email, secondary email) keeps its column order.
  const ordered = columns
    .map((c, k) => ({ ...c, k }))
    .sort((a, b) => a.type.priority - b.type.priority || (a.type.name < b.type.name ? -1 : a.type.name > b.type.name ? 1 : 0) || a.k - b.k);
  const joins = ordered.map(
    (c, j) =>
      `\nleft join ${dialect.table(identifiers)} ${alias}${j} on ${alias}${j}.id_type = ${dialect.stringLiteral(c.type.name)} and ${alias}${j}.id_value = ${normalizeSql(dialect, c.type, `r.${dialect.quoteIdentifier(c.column)}`)}`,
  );
  const profile = ordered.length === 1 ? `${alias}0.profile_id` : `coalesce(${ordered.map((_, j) => `${alias}${j}.profile_id`).join(', ')})`;
  return { joins: joins.join(''), profile };
}
