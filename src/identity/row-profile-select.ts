import type { LoadedProject } from '../config/load-project.js';
import type { SourceConfig } from '../config/schema.js';
import type { Dialect } from '../dialect/dialect.js';
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
  const spec = identitySpec(project);
  const relation = dialect.table(sourceRelation(project, source));
  const columns = spec.sources.find((s) => s.name === source.name)?.identifiers ?? [];
  if (columns.length === 0) return `select r.*, cast(null as ${dialect.typeName('string')}) as _cdp_profile_id\nfrom ${relation} r`;
  const identifiers = dialect.table(identityTables(spec.schema).identifiers);
  // Strongest first; a type used twice (email, secondary email) keeps its column order.
  const ordered = columns
    .map((c, k) => ({ ...c, k }))
    .sort((a, b) => a.type.priority - b.type.priority || (a.type.name < b.type.name ? -1 : a.type.name > b.type.name ? 1 : 0) || a.k - b.k);
  const joins = ordered.map(
    (c, j) =>
      `left join ${identifiers} i${j} on i${j}.id_type = ${dialect.stringLiteral(c.type.name)} and i${j}.id_value = ${normalizeSql(dialect, c.type, `r.${dialect.quoteIdentifier(c.column)}`)}`,
  );
  const profile = ordered.length === 1 ? 'i0.profile_id' : `coalesce(${ordered.map((_, j) => `i${j}.profile_id`).join(', ')})`;
  return `select r.*, ${profile} as _cdp_profile_id\nfrom ${relation} r\n${joins.join('\n')}`;
}
