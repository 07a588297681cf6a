import type { Declared } from '../config/load-project.js';
import { durationSeconds, type SourceConfig, type TraitConfig } from '../config/schema.js';
import type { Dialect, SqlType } from '../dialect/dialect.js';

/**
 * Traits kept from their parts (docs/incremental.md#traits-kept-from-their-parts): when a profile's rows of an
 * append source only grew, or crossed a time edge, a count is the stored count plus what entered less what left,
 * and a `min`, `max` or `exists` over rows that can only enter is the stored value combined with what entered. The
 * profile is then not recomputed from all its rows of that source.
 *
 * Each trait's part of a row (a group of equal rows): `n<i>`, 1 when the row counts now (at this build's reference
 * time), `t<i>`, 1 when it counted at the last build's, and for `min`/`max` `v<i>`, the row's value when it counts now.
 */

/**
 * Whether a trait's value follows from its stored value and the rows that entered or left it: a count, and a
 * `min`, `max` or `exists` without a window (rows then only enter, as the reference time moves forward) whose value
 * keeps the column's own type, not a float (a NaN is stored as NULL, so the stored value would not be the aggregate).
 */
export function keptFromParts(trait: TraitConfig, columnType: SqlType | undefined): boolean {
  if (trait.aggregate === 'count') return true;
  if (trait.window !== undefined || trait.type !== undefined) return false;
  if (trait.aggregate === 'exists') return true;
  return (trait.aggregate === 'min' || trait.aggregate === 'max') && columnType !== undefined && columnType !== 'float';
}

/**
 * The append sources whose every trait is kept from its parts: a profile touched only by their new rows or by their
 * rows crossing a time edge is updated from its parts, not recomputed. Needs the column types (`cdp build` reads them).
 */
export function partSources(sources: readonly SourceConfig[], traits: readonly Declared<TraitConfig>[], columnTypes: ReadonlyMap<string, ReadonlyMap<string, SqlType>> | undefined): Set<string> {
  return new Set(
    sources
      .filter((s) => s.changes === 'append' && s.timestamp !== undefined && columnTypes?.has(s.name))
      .filter((s) => {
        const own = traits.filter((t) => t.from === s.name);
        const types = columnTypes?.get(s.name);
        return own.length > 0 && own.every((t) => keptFromParts(t, t.column === undefined ? undefined : types?.get(t.column.toLowerCase())));
      })
      .map((s) => s.name),
  );
}

/** Whether a source row (aliased `alias`) counts for a trait at `asOf`: at or before it, in its window, and `where`. */
export function countsAt(d: Dialect, trait: TraitConfig, timestamp: string, alias: string, asOf: Date): string {
  const ts = d.cast(`${alias}.${d.quoteIdentifier(timestamp)}`, 'timestamp');
  const at = d.timestampLiteral(asOf);
  const conditions = [`(${ts} is null or ${ts} <= ${at})`];
  if (trait.window !== undefined) conditions.push(`${ts} > ${d.timestampSub(at, durationSeconds(trait.window), 'second')}`);
  if (trait.where !== undefined) conditions.push(`(${trait.where})`);
  return conditions.join(' and ');
}

/**
 * A row's parts for each trait (see the top of this file), as select columns over rows aliased `alias`; `grouped`
 * takes them over a group of equal rows (all the same, so any aggregate of them).
 */
export function partColumns(d: Dialect, traits: readonly TraitConfig[], timestamp: string, alias: string, times: { readonly asOf: Date; readonly previousAsOf: Date }, grouped: boolean): string[] {
  const flag = (condition: string) => (grouped ? `max(case when ${condition} then 1 else 0 end)` : `case when ${condition} then 1 else 0 end`);
  return traits.flatMap((t, i) => {
    const now = countsAt(d, t, timestamp, alias, times.asOf);
    const value = t.aggregate === 'min' || t.aggregate === 'max' ? [`${grouped ? 'min' : ''}(case when ${now} then ${alias}.${d.quoteIdentifier(t.column as string)} end) as v${i}`] : [];
    return [`${flag(now)} as n${i}`, `${flag(countsAt(d, t, timestamp, alias, times.previousAsOf))} as t${i}`, ...value];
  });
}

/** The part columns `partColumns` names, to carry them through a select of rows aliased `alias`. */
export function partNames(traits: readonly TraitConfig[], alias: string): string[] {
  return traits.flatMap((t, i) => [`${alias}.n${i}`, `${alias}.t${i}`, ...(t.aggregate === 'min' || t.aggregate === 'max' ? [`${alias}.v${i}`] : [])]);
}

/**
 * Per profile, what entered and left each trait, from groups (aliased `g`) of equal rows with their parts,
 * `rows_now` of them now and `rows_then` at the last build: a count's change, and the value or presence that entered
 * a `min`, `max` or `exists` (their rows only enter, so `rows_now` times the now-part exceeds `rows_then` times the
 * then-part). Only profiles for which some trait changed.
 */
export function partsByProfileSelect(traits: readonly TraitConfig[], groups: string): string {
  const change = (i: number) => `g.rows_now * g.n${i} - g.rows_then * g.t${i}`;
  const columns = traits.map((t, i) => {
    if (t.aggregate === 'min' || t.aggregate === 'max') return `${t.aggregate}(case when ${change(i)} > 0 then g.v${i} end) as p${i}`;
    return `sum(${change(i)}) as p${i}`;
  });
  const changed = traits.map((_, i) => `${change(i)} <> 0`).join(' or ');
  return `select g.profile_id, ${columns.join(', ')}
from (${groups}) g
group by g.profile_id
having max(case when ${changed} then 1 else 0 end) = 1`;
}

/** A trait's new value from its stored value (`stored`) and its part (`part`, NULL when nothing entered or left). */
export function combinedSql(d: Dialect, trait: TraitConfig, stored: string, part: string): string {
  switch (trait.aggregate) {
    case 'count':
      // Typed as compile-traits.ts types a count: its `type:`, else an integer.
      return d.cast(`${stored} + coalesce(${part}, 0)`, trait.type ?? 'integer');
    case 'exists':
      return `(${stored} or coalesce(${part}, 0) > 0)`;
    case 'min':
      return `case when ${part} is null then ${stored} when ${stored} is null or ${part} < ${stored} then ${part} else ${stored} end`;
    case 'max':
      return `case when ${part} is null then ${stored} when ${stored} is null or ${part} > ${stored} then ${part} else ${stored} end`;
    default:
      throw new Error(`trait ${trait.name} is not kept from its parts`);
  }
}
