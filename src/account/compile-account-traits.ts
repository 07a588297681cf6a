import type { Declared, LoadedProject } from '../config/load-project.js';
import type { AccountTraitConfig, TraitConfig } from '../config/schema.js';
import type { Dialect } from '../dialect/dialect.js';
import { normalizeSql } from '../identity/normalize-sql.js';
import { topologicalOrder } from '../model/find-cycle.js';
import { cdpTable } from '../model/relations.js';
import { sqlNames } from '../model/sql-names.js';
import { compileTraitsSelect, type SourceColumnTypes } from '../profile/compile-traits.js';
import type { AccountSpec } from './account-spec.js';

/**
 * A SELECT over an account source's rows with `_cdp_profile_id` set to the row's account: the account of
 * its strongest identifier in `account_identifiers` (the same normalisation account identity used).
 * The column keeps the person traits' name so the person trait compiler aggregates account rows as is.
 */
export function accountRowSelect(d: Dialect, spec: AccountSpec, sourceName: string): string {
  const source = spec.identity.sources.find((s) => s.name === sourceName);
  const ids = d.table(spec.tables.identifiers);
  if (!source) throw new Error(`${sourceName} is not an account source with identifiers`);
  const ordered = [...source.identifiers].sort((a, b) => a.type.priority - b.type.priority || (a.type.name < b.type.name ? -1 : 1));
  const joins = ordered.map(
    (c, j) => `left join ${ids} i${j} on i${j}.id_type = ${d.stringLiteral(c.type.name)} and i${j}.id_value = ${normalizeSql(d, c.type, `r.${d.quoteIdentifier(c.column)}`)}`,
  );
  const account = ordered.length === 1 ? 'i0.account_id' : `coalesce(${ordered.map((_, j) => `i${j}.account_id`).join(', ')})`;
  return `select r.*, ${account} as _cdp_profile_id\nfrom ${d.table(source.relation)} r\n${joins.join('\n')}`;
}

/**
 * The SELECT behind `accounts`: one row per account (every account_id in `account_identifiers`) with
 * every account trait. Aggregates over account sources go through the person trait compiler
 * (profile/compile-traits.ts: same aggregates, windows and `--as-of`), keyed by account; roll-ups read
 * `account_members` joined to `profiles` (and `segment_members` for person segments); derived traits
 * (`sql:`) are layered on top in dependency order.
 */
export function compileAccountTraitsSelect(project: LoadedProject, d: Dialect, spec: AccountSpec, params: { readonly asOf: Date; readonly columnTypes?: SourceColumnTypes }): string {
  const q = (n: string) => d.quoteIdentifier(n);
  const origin = (project.accounts as NonNullable<LoadedProject['accounts']>).origin;
  const aggregates: Declared<TraitConfig>[] = spec.traits
    .filter((t) => t.from !== undefined)
    .map((t) => ({ name: t.name, from: t.from, aggregate: t.aggregate, column: t.column, where: t.where, window: t.window, type: t.type, origin }));
  const aggregated = compileTraitsSelect({ ...project, traits: aggregates }, d, {
    rowsOf: (source) => accountRowSelect(d, spec, source),
    profileIds: `(select distinct account_id as profile_id from ${d.table(spec.tables.identifiers)})`,
    asOf: params.asOf,
    columnTypes: params.columnTypes,
  });

  const rollups = spec.traits.filter((t) => t.rollup !== undefined);
  const personSegments = [...new Set(rollups.flatMap((t) => [...(t.segment ? [t.segment] : []), ...sqlNames(t.where ?? '').filter((n) => project.segments.some((s) => s.name === n))]))];
  const segmentMembers = d.table(cdpTable(project, 'segment_members'));
  const memberRows = `select m.account_id, p.*${personSegments.map((s, k) => `, (sg${k}.profile_id is not null) as ${q(s)}`).join('')}
  from ${d.table(spec.tables.members)} m
  join ${d.table(cdpTable(project, 'profiles'))} p on p.profile_id = m.profile_id
${personSegments.map((s, k) => `  left join (select distinct profile_id from ${segmentMembers} where segment = ${d.stringLiteral(s)}) sg${k} on sg${k}.profile_id = p.profile_id`).join('\n')}`;
  const rollupColumns = rollups.map((t) => `${rollupSql(d, t)} as ${q(t.name)}`);
  const ctes = [`agg as (\n${aggregated}\n)`];
  const columns = ['agg.profile_id as account_id', ...aggregates.map((t) => `agg.${q(t.name)}`)];
  let from = 'agg';
  if (rollups.length > 0) {
    ctes.push(`members as (\n  ${memberRows}\n)`, `rolled as (\n  select account_id, ${rollupColumns.join(', ')}\n  from members\n  group by account_id\n)`);
    from = 'agg left join rolled on rolled.account_id = agg.profile_id';
    columns.push(...rollups.map((t) => (t.rollup === 'count' ? `coalesce(rolled.${q(t.name)}, 0) as ${q(t.name)}` : `rolled.${q(t.name)}`)));
  }
  ctes.push(`base as (\n  select ${columns.join(', ')}\n  from ${from}\n)`);
  const derived = spec.traits.filter((t) => t.sql !== undefined);
  const order = topologicalOrder(
    derived.map((t) => t.name),
    (n) => sqlNames(derived.find((t) => t.name === n)?.sql ?? ''),
  );
  let previous = 'base';
  order.forEach((name, i) => {
    const trait = derived.find((t) => t.name === name) as AccountTraitConfig;
    const expr = trait.type ? d.cast(`(${trait.sql})`, trait.type) : `(${trait.sql})`;
    ctes.push(`d${i} as (\n  select ${previous}.*, ${expr} as ${q(name)}\n  from ${previous}\n)`);
    previous = `d${i}`;
  });
  const traitColumns = spec.traits.map((t) => q(t.name));
  return `with\n${ctes.join(',\n')}\nselect account_id${traitColumns.map((c) => `, ${c}`).join('')}\nfrom ${previous}`;
}

/** One roll-up over the member rows of an account: a count of members, or sum/avg/min/max of a person trait. */
function rollupSql(d: Dialect, t: AccountTraitConfig): string {
  const conditions = [...(t.segment ? [d.quoteIdentifier(t.segment)] : []), ...(t.where ? [`(${t.where})`] : [])];
  const filter = conditions.length > 0 ? conditions.join(' and ') : undefined;
  const typed = (expr: string) => (t.type ? d.cast(expr, t.type) : expr);
  if (t.rollup === 'count') return typed(filter ? d.countIf(filter) : 'count(*)');
  const fn = t.rollup as 'sum' | 'avg' | 'min' | 'max';
  return typed(d.aggregate(fn, d.quoteIdentifier(t.trait as string), { filter }));
}
