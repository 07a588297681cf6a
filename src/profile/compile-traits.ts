import type { Declared, LoadedProject } from '../config/load-project.js';
import { durationSeconds, type TraitConfig } from '../config/schema.js';
import type { Dialect, SqlType } from '../dialect/dialect.js';
import { topologicalOrder } from '../model/find-cycle.js';
import { sqlNames } from '../model/sql-names.js';
import { combinedSql } from './trait-parts.js';

/** Column types of each source relation, by source name then column name; used to type traits. */
export type SourceColumnTypes = ReadonlyMap<string, ReadonlyMap<string, SqlType>>;

export interface TraitInputs {
  /** A SELECT over a source's rows with a `_cdp_profile_id` column (identity decides the profile). */
  readonly rowsOf: (sourceName: string) => string;
  /** The relation listing every profile id, one row each, in a column `profile_id`. */
  readonly profileIds: string;
  readonly asOf: Date;
  readonly columnTypes?: SourceColumnTypes;
  /**
   * An incremental build's update of some profiles (docs/incremental.md#traits-kept-from-their-parts): each trait is
   * recomputed from `rowsOf` for the profiles its source lists in `recomputed`, combined from the stored value and its
   * part in `parts` for the others there, and kept as stored otherwise.
   */
  readonly kept?: KeptTraits;
}

export interface KeptTraits {
  /** The stored profiles (a relation with `profile_id` and every trait). */
  readonly stored: string;
  /** The profiles whose traits from a source are recomputed (a relation with `profile_id`, once each); undefined: none are, and the source is not read. */
  readonly recomputed: (source: string) => string | undefined;
  /** A source's parts by profile (trait-parts.ts: `profile_id`, `p<i>` per trait of the source), if it has them. */
  readonly parts: (source: string) => string | undefined;
}

/**
 * The SELECT that yields one row per profile with every trait: aggregates grouped per source,
 * left-joined to all profiles, then derived traits layered on top in dependency order.
 */
export function compileTraitsSelect(project: LoadedProject, dialect: Dialect, inputs: TraitInputs): string {
  const q = (n: string) => dialect.quoteIdentifier(n);
  const aggregated = project.traits.filter((t) => t.sql === undefined);
  const derived = project.traits.filter((t) => t.sql !== undefined);
  const bySource = new Map<string, Declared<TraitConfig>[]>();
  for (const trait of aggregated) bySource.set(trait.from as string, [...(bySource.get(trait.from as string) ?? []), trait]);

  const ctes: string[] = [];
  const joins: string[] = [];
  const columns: string[] = [`p.profile_id`];
  const kept = inputs.kept;
  if (kept) joins.push(`left join ${kept.stored} o on o.profile_id = p.profile_id`);
  [...bySource.entries()].forEach(([sourceName, traits], i) => {
    const source = project.sources.find((s) => s.name === sourceName);
    // Cast, so DATE / DATETIME / zoned columns compare with the run's UTC timestamp on every engine.
    const ts = source?.timestamp !== undefined ? dialect.cast(`r.${q(source.timestamp)}`, 'timestamp') : undefined;
    const types = inputs.columnTypes?.get(sourceName);
    // Rows after the reference time are not yet known at --as-of; rows without a time count outside windows.
    const asOfFilter = ts ? `(${ts} is null or ${ts} <= ${dialect.timestampLiteral(inputs.asOf)})` : undefined;
    const aggregates = traits.map((t) => `    ${aggregateSql(dialect, t, ts, inputs.asOf, types)} as ${q(t.name)}`);
    const aggregated = `a${i} as (\n  select r._cdp_profile_id as profile_id,\n${aggregates.join(',\n')}\n  from (${inputs.rowsOf(sourceName)}) r\n  where r._cdp_profile_id is not null${asOfFilter ? ` and ${asOfFilter}` : ''}\n  group by r._cdp_profile_id\n)`;
    if (kept) {
      columns.push(...keptColumns(dialect, sourceName, traits, i, kept, joins, () => ctes.push(aggregated)));
      return;
    }
    ctes.push(aggregated);
    joins.push(`left join a${i} on a${i}.profile_id = p.profile_id`);
    for (const t of traits) columns.push(`${emptyValue(dialect, t, `a${i}.${q(t.name)}`)} as ${q(t.name)}`);
  });

  let select = `select\n  ${columns.join(',\n  ')}\nfrom ${inputs.profileIds} p\n${joins.join('\n')}`;
  const derivedNames = derived.map((t) => t.name);
  const order = topologicalOrder(derivedNames, (n) => sqlNames(derived.find((t) => t.name === n)?.sql ?? ''));
  let previous = 'base';
  ctes.push(`base as (\n${indent(select)}\n)`);
  order.forEach((name, i) => {
    const trait = derived.find((t) => t.name === name) as Declared<TraitConfig>;
    const expr = trait.type ? dialect.cast(`(${trait.sql})`, trait.type) : `(${trait.sql})`;
    const cte = `d${i}`;
    ctes.push(`${cte} as (\n  select ${previous}.*, ${expr} as ${q(name)}\n  from ${previous}\n)`);
    previous = cte;
  });
  const traitColumns = project.traits.map((t) => q(t.name));
  select = `select profile_id${traitColumns.length ? `, ${traitColumns.join(', ')}` : ''}\nfrom ${previous}`;
  return `with\n${ctes.join(',\n')}\n${select}`;
}

function aggregateSql(dialect: Dialect, trait: TraitConfig, ts: string | undefined, asOf: Date, types: ReadonlyMap<string, SqlType> | undefined): string {
  const q = (n: string) => dialect.quoteIdentifier(n);
  const conditions: string[] = [];
  if (trait.window && ts) {
    const seconds = durationSeconds(trait.window);
    conditions.push(`${ts} > ${dialect.timestampSub(dialect.timestampLiteral(asOf), seconds, 'second')}`);
  }
  if (trait.where) conditions.push(`(${trait.where})`);
  const filter = conditions.length ? conditions.join(' and ') : undefined;
  const column = trait.column !== undefined ? `r.${q(trait.column)}` : undefined;
  const columnType = trait.column !== undefined ? types?.get(trait.column.toLowerCase()) : undefined;
  const typed = (expr: string, type: SqlType | undefined) => {
    const target = trait.type ?? type;
    return target ? dialect.cast(expr, target) : expr;
  };
  switch (trait.aggregate) {
    case 'count':
      return typed(filter ? dialect.countIf(filter) : 'count(*)', 'integer');
    case 'exists':
      return `(${filter ? dialect.countIf(filter) : 'count(*)'} > 0)`;
    case 'count_distinct':
      return typed(dialect.countDistinct(column as string, { filter }), 'integer');
    case 'sum':
      return typed(dialect.aggregate('sum', column as string, { filter }), columnType === 'integer' ? 'integer' : 'float');
    case 'avg':
      return typed(dialect.aggregate('avg', column as string, { filter }), 'float');
    case 'min':
    case 'max':
      return typed(dialect.aggregate(trait.aggregate, column as string, { filter }), columnType);
    case 'first':
    case 'last': {
      // Ties on the timestamp are broken by the value itself, so the answer never depends on row order.
      const direction = trait.aggregate === 'first' ? 'asc' : 'desc';
      return typed(dialect.firstValue(column as string, [`${ts} ${direction}`, `${column} ${direction}`], { filter }), columnType);
    }
    default:
      throw new Error(`trait ${trait.name} has no aggregate`);
  }
}

/**
 * A kept build's columns for one source's traits (`KeptTraits`): recomputed (CTE `a<i>`, added by `aggregate`) for
 * the profiles the source lists as recomputed, combined with their part (`e<i>`) for those with one, else as stored.
 */
function keptColumns(
  d: Dialect,
  source: string,
  traits: readonly TraitConfig[],
  i: number,
  kept: KeptTraits,
  joins: string[],
  aggregate: () => void,
): string[] {
  const q = (n: string) => d.quoteIdentifier(n);
  const recomputed = kept.recomputed(source);
  const parts = kept.parts(source);
  if (recomputed !== undefined) {
    aggregate();
    joins.push(`left join ${recomputed} r${i} on r${i}.profile_id = p.profile_id`, `left join a${i} on a${i}.profile_id = p.profile_id`);
  }
  if (parts !== undefined) joins.push(`left join ${parts} e${i} on e${i}.profile_id = p.profile_id`);
  return traits.map((t, k) => {
    const stored = `o.${q(t.name)}`;
    const combined = parts === undefined ? stored : `case when e${i}.profile_id is null then ${stored} else ${combinedSql(d, t, stored, `e${i}.p${k}`)} end`;
    const value = recomputed === undefined ? combined : `case when r${i}.profile_id is not null then ${emptyValue(d, t, `a${i}.${q(t.name)}`)} else ${combined} end`;
    return `${value} as ${q(t.name)}`;
  });
}

/** A profile with no rows in a source counts 0 and exists false; other aggregates stay null. */
function emptyValue(_dialect: Dialect, trait: TraitConfig, expr: string): string {
  if (trait.aggregate === 'count' || trait.aggregate === 'count_distinct') return `coalesce(${expr}, 0)`;
  if (trait.aggregate === 'exists') return `coalesce(${expr}, false)`;
  return expr;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
