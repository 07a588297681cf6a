import type { Dialect } from '../dialect/dialect.js';
import type { IdentitySource, IdentitySpec } from './identity-spec.js';
import type { IdentityTables } from './identity-tables.js';
import { normalizeSql } from './normalize-sql.js';

/**
 * Step 1: per source, a scratch table `grp_<i>` with one row per distinct combination of
 * normalised identifiers (a "row group": events repeating the same ids collapse into one), with
 * the row count, first/last time and the smallest primary key as evidence. Columns v0..vk follow
 * the source's `identifiers:` order. Rows stamped after the run's as-of time are not known yet.
 *
 * Grouped twice: first by the raw values (cheap, most events repeat the same ids), then the distinct
 * raw combinations are normalised and grouped again, so normalisation runs once per distinct
 * combination rather than once per row.
 */
export function groupedSql(d: Dialect, spec: IdentitySpec, t: IdentityTables, asOf: Date): string[] {
  return spec.sources.map((s, i) => d.createScratchTableAs(t.scratch(`grp_${i}`), sourceGroups(d, s, asOf)));
}

function sourceGroups(d: Dialect, s: IdentitySource, asOf: Date): string {
  const q = (c: string) => `r.${d.quoteIdentifier(c)}`;
  const vs = s.identifiers.map((_, j) => `v${j}`);
  const raws = s.identifiers.map((c) => q(c.column));
  const seen = s.timestamp !== undefined ? d.cast(q(s.timestamp), 'timestamp') : `cast(null as ${d.typeName('timestamp')})`;
  const pk = s.primaryKey !== undefined ? d.cast(q(s.primaryKey), 'string') : `cast(null as ${d.typeName('string')})`;
  const known = s.timestamp !== undefined ? `\n    where ${q(s.timestamp)} is null or ${seen} <= ${d.timestampLiteral(asOf)}` : '';
  return `select ${vs.join(', ')}, sum(n_rows) as n_rows, min(first_seen) as first_seen, max(last_seen) as last_seen, min(evidence) as evidence
from (
  select ${s.identifiers.map((c, j) => `${normalizeSql(d, c.type, `x.r${j}`)} as v${j}`).join(',\n    ')},
    n_rows, first_seen, last_seen, evidence
  from (
    select ${raws.map((r, j) => `${r} as r${j}`).join(', ')},
      count(*) as n_rows, min(${seen}) as first_seen, max(${seen}) as last_seen, min(${pk}) as evidence
    from ${d.table(s.relation)} r${known}
    group by ${raws.join(', ')}
  ) x
) y
where ${vs.map((v) => `${v} is not null`).join(' or ')}
group by ${vs.join(', ')}`;
}

/** Column j of source i, strongest first: by priority, then type name, then column order. Static, never data-dependent. */
export function columnsByStrength(s: IdentitySource): readonly number[] {
  return s.identifiers
    .map((c, j) => ({ c, j }))
    .sort((x, y) => x.c.type.priority - y.c.type.priority || (x.c.type.name < y.c.type.name ? -1 : x.c.type.name > y.c.type.name ? 1 : 0) || x.j - y.j)
    .map((x) => x.j);
}

/** Every (source, column) as one long relation: src, id_type, id_value and the row group's counts. */
export function observationsUnion(d: Dialect, spec: IdentitySpec, t: IdentityTables): string {
  const parts = spec.sources.flatMap((s, i) =>
    s.identifiers.map(
      (c, j) =>
        `select ${d.stringLiteral(c.type.name)} as id_type, v${j} as id_value, n_rows, first_seen, last_seen from ${d.scratchTable(t.scratch(`grp_${i}`))} where v${j} is not null`,
    ),
  );
  if (parts.length > 0) return `(${parts.join('\n  union all\n  ')})`;
  const str = d.typeName('string');
  const ts = d.typeName('timestamp');
  return `(select cast(null as ${str}) as id_type, cast(null as ${str}) as id_value, cast(null as ${d.typeName('integer')}) as n_rows, cast(null as ${ts}) as first_seen, cast(null as ${ts}) as last_seen from ${d.table(t.state)} where 1 = 0)`;
}
