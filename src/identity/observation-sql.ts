import type { Dialect } from '../dialect/dialect.js';
import type { IdentitySource, IdentitySpec } from './identity-spec.js';
import type { IdentityTables } from './identity-tables.js';
import { normalizeSql } from './normalize-sql.js';

/**
 * Step 1: every source row, reduced to its distinct combination of normalised identifiers (a "row
 * group": events repeating the same ids collapse into one, with a count, first/last time and the
 * smallest primary key as evidence), then unpivoted to one row per (row group, identifier). A row
 * group is keyed by its values themselves (`g`), so no global sort or hash is needed to name it.
 * Rows stamped after the run's as-of time are not known yet and are left out.
 */
export function observationsSql(d: Dialect, spec: IdentitySpec, t: IdentityTables, asOf: Date): string {
  if (spec.sources.length === 0) {
    return d.createScratchTableAs(
      t.scratch('obs'),
      `select ${['src', 'g', 'id_type', 'id_value', 'evidence'].map((c) => `cast(null as ${d.typeName('string')}) as ${c}`).join(', ')},
  cast(null as ${d.typeName('integer')}) as prio, cast(null as ${d.typeName('integer')}) as n_rows,
  cast(null as ${d.typeName('timestamp')}) as first_seen, cast(null as ${d.typeName('timestamp')}) as last_seen
where 1 = 0`,
    );
  }
  const ctes = spec.sources.flatMap((s, i) => sourceCtes(d, s, i, asOf));
  const parts = spec.sources.flatMap((s, i) =>
    s.identifiers.map(
      (c, j) =>
        `select ${d.stringLiteral(s.name)} as src, g, ${d.stringLiteral(c.type.name)} as id_type, ${c.type.priority} as prio, v${j} as id_value, n_rows, first_seen, last_seen, evidence
from s${i} where v${j} is not null`,
    ),
  );
  return d.createScratchTableAs(t.scratch('obs'), `with\n${ctes.join(',\n')}\n${parts.join('\nunion all\n')}`);
}

function sourceCtes(d: Dialect, s: IdentitySource, i: number, asOf: Date): string[] {
  const q = (c: string) => `r.${d.quoteIdentifier(c)}`;
  const vs = s.identifiers.map((_, j) => `v${j}`);
  const seen = s.timestamp !== undefined ? d.cast(q(s.timestamp), 'timestamp') : `cast(null as ${d.typeName('timestamp')})`;
  const pk = s.primaryKey !== undefined ? d.cast(q(s.primaryKey), 'string') : `cast(null as ${d.typeName('string')})`;
  const known = s.timestamp !== undefined ? `\n  where ${q(s.timestamp)} is null or ${d.cast(q(s.timestamp), 'timestamp')} <= ${d.timestampLiteral(asOf)}` : '';
  const values = s.identifiers.map((c, j) => `${normalizeSql(d, c.type, q(c.column))} as v${j}`);
  return [
    `s${i}_rows as (\n  select ${values.join(',\n    ')},\n    ${seen} as seen_at, ${pk} as pk\n  from ${d.table(s.relation)} r${known}\n)`,
    `s${i} as (
  select ${vs.join(', ')}, ${groupKey(d, vs)} as g,
    count(*) as n_rows, min(seen_at) as first_seen, max(seen_at) as last_seen, min(pk) as evidence
  from s${i}_rows
  where ${vs.map((v) => `${v} is not null`).join(' or ')}
  group by ${vs.join(', ')}
)`,
  ];
}

/** The values, length-prefixed so that no two different combinations give the same text. */
function groupKey(d: Dialect, vs: readonly string[]): string {
  return vs.map((v) => `coalesce(${d.cast(`length(${v})`, 'string')} || ':' || ${v}, '~')`).join(" || '|' || ");
}
