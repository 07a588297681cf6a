import type { Dialect } from '../dialect/dialect.js';
import { typeIndex, typeNameSql, type IdentitySource, type IdentitySpec } from './identity-spec.js';
import { TABLE_COLUMNS, nullColumns, type IdentityTables } from './identity-tables.js';
import { blockedBySql } from './normalize-sql.js';
import { columnsByStrength, observationsUnion } from './observation-sql.js';

/**
 * Steps 2-6: from row groups to guarded edges, all before the graph (docs/identity.md#links-and-guards).
 *   keyed       distinct normalised values, with the blocklist rule each one matches and its stored key
 *   fresh       valid values without a key get the next dense keys (stable forever), stored in nodes
 *   value_nodes each value with its key
 *   wide_<i>    each row group with its node keys and a status per column: ok | blocklist | window
 *   hubs        values that link, directly or through weaker ids, too many distinct stronger ids
 *   star_<i>    per row group, the strongest usable identifier (a static column order) is the centre
 *   edges       one edge per (centre, other) per source: first/last seen, rows and evidence
 *   present     this run's identifiers: valid values that are not hubs
 */
export function edgeStatements(d: Dialect, spec: IdentitySpec, t: IdentityTables, asOf: Date): readonly string[] {
  const s = (name: string) => d.scratchTable(t.scratch(name));
  const create = (name: string, select: string) => d.createScratchTableAs(t.scratch(name), select);
  const nodes = d.table(t.nodes);
  return [
    // Each value's stored key, in the one join with the nodes table; a valid value without one is fresh, and gets the
    // hash bucket its new key is numbered in. The blocklist is tested on values without a key: for the others, the
    // nodes it blocks are listed (blocked-nodes-sql.ts).
    create(
      'keyed',
      `select x.id_type, x.id_value, x.blocked_by, x.n_rows, x.first_seen, x.last_seen, x.node_key,
  case when x.blocked_by is null and x.node_key is null then substr(${d.md5Hex(`x.id_type || ':' || x.id_value`)}, 1, 3) end as bucket
from (
  select g.id_type, g.id_value, case when n.node_key is null then ${blockedBySql(d, spec, 'g.id_type', 'g.id_value')} else b.blocked_by end as blocked_by,
    g.n_rows, g.first_seen, g.last_seen, n.node_key
  from (
    select ${typeNameSql(d, spec, 'o.ti')} as id_type, o.id_value, sum(o.n_rows) as n_rows, min(o.first_seen) as first_seen, max(o.last_seen) as last_seen
    from ${observationsUnion(d, spec, t)} o
    group by o.ti, o.id_value
  ) g
  left join ${nodes} n on n.id_type = g.id_type and n.id_value = g.id_value
  left join ${d.table(t.blocked)} b on b.node_key = n.node_key
) x`,
    ),
    // Dense keys without one global sort: numbered within 4096 hash buckets, buckets laid end to end. Of the nodes
    // table's type, so every key downstream is too (a sum is wider on DuckDB, and wider keys join slower).
    create(
      'fresh',
      `select f.id_type, f.id_value, ${d.cast('m.base + o.key_base + row_number() over (partition by f.bucket order by f.id_type, f.id_value)', 'integer')} as node_key
from ${s('keyed')} f
join (select bucket, sum(n) over (order by bucket rows between unbounded preceding and current row) - n as key_base
  from (select bucket, count(*) as n from ${s('keyed')} where bucket is not null group by bucket) c) o on o.bucket = f.bucket
cross join (select coalesce(max(node_key), 0) as base from ${nodes}) m`,
    ),
    `insert into ${nodes} (node_key, id_type, id_value) select node_key, id_type, id_value from ${s('fresh')}`,
    create(
      'value_nodes',
      `select x.id_type, x.id_value, x.blocked_by, x.n_rows, x.first_seen, x.last_seen, coalesce(x.node_key, f.node_key) as node_key
from ${s('keyed')} x left join ${s('fresh')} f on f.id_type = x.id_type and f.id_value = x.id_value`,
    ),
    ...spec.sources.map((src, i) => create(`wide_${i}`, wideSelect(d, src, s(`grp_${i}`), s('value_nodes'), asOf))),
    ...hubStatements(d, spec, t),
    ...spec.sources.map((src, i) => create(`star_${i}`, starSelect(d, src, s(`wide_${i}`), s('hubs')))),
    create(
      'edges',
      spec.sources.length === 0
        ? `select ${nullColumns(d, TABLE_COLUMNS.edges)} from ${d.table(t.state)} where 1 = 0`
        : // Grouped by the source's place (a number groups faster than its name), named after.
          `select a, b, case si ${spec.sources.map((src, i) => `when ${i} then ${d.stringLiteral(src.name)}`).join(' ')} end as src, first_seen, last_seen, n_rows, evidence
from (
  select a, b, si, min(first_seen) as first_seen, max(last_seen) as last_seen, sum(n_rows) as n_rows, min(evidence) as evidence
  from (
    ${spec.sources
      .flatMap((src, i) =>
        src.identifiers.map(
          (_, j) =>
            `select least(centre, node${j}) as a, greatest(centre, node${j}) as b, ${i} as si, first_seen, last_seen, n_rows, evidence from ${s(`star_${i}`)} where s${j} = 'ok' and node${j} <> centre`,
        ),
      )
      .join('\n    union all\n    ')}
  ) e
  group by a, b, si
) g`,
    ),
    create(
      'present',
      `select v.node_key, v.id_type, v.id_value, v.first_seen, v.last_seen
from ${s('value_nodes')} v left join ${s('hubs')} h on h.node_key = v.node_key
where v.blocked_by is null and h.node_key is null`,
    ),
  ];
}

/**
 * Each row group with, per identifier column j: node{j}, blocked{j} and st{j} (ok | blocklist | window). The value
 * itself (v{j}) only when it has no node (a blocked value never stored): the review names the others by their node.
 * These tables hold every row group, and writing each value again cost more than the rest of them.
 */
function wideSelect(d: Dialect, src: IdentitySource, grp: string, valueNodes: string, asOf: Date): string {
  const columns = src.identifiers.map((c, j) => {
    const window = c.type.linkWindowSeconds === undefined ? '1 = 0' : `x.last_seen < ${d.timestampSub(d.timestampLiteral(asOf), c.type.linkWindowSeconds, 'second')}`;
    return `case when n${j}.node_key is null then x.v${j} end as v${j}, n${j}.node_key as node${j}, n${j}.blocked_by as blocked${j},
  case when x.v${j} is null then null when n${j}.blocked_by is not null then 'blocklist' when ${window} then 'window' else 'ok' end as st${j}`;
  });
  const joins = src.identifiers.map((c, j) => `left join ${valueNodes} n${j} on n${j}.id_type = ${d.stringLiteral(c.type.name)} and n${j}.id_value = x.v${j}`);
  return `select x.n_rows, x.first_seen, x.last_seen, x.evidence,\n  ${columns.join(',\n  ')}\nfrom ${grp} x\n${joins.join('\n')}`;
}

/**
 * A hub links, directly or through weaker ids, more than max_links_per_value distinct ids of a strictly
 * stronger type; or, through weaker ids, more values of a type with `max_per_profile` than one profile may
 * hold. "Through weaker ids" is what makes a shared device a hub although it only ever co-occurs with the
 * anonymous ids of its visits: each visit links one user, the device links them all (docs/identity-guards.md).
 *   links   distinct pairs of usable values that co-occur in one row group, both directions, with priorities
 *   reach   per value, each stronger id it co-occurs with (via 0) or reaches through a weaker id (via 1)
 */
function hubStatements(d: Dialect, spec: IdentitySpec, t: IdentityTables): string[] {
  const s = (name: string) => d.scratchTable(t.scratch(name));
  const int = d.typeName('integer');
  // The other's type as its place in the types (tb).
  const pairs = spec.sources.flatMap((src, i) =>
    src.identifiers.flatMap((cj, j) =>
      src.identifiers.flatMap((cl, l) =>
        j !== l && cj.type.name !== cl.type.name
          ? [
              `select x.node${j} as a, ${cj.type.priority} as pa, x.node${l} as b, ${cl.type.priority} as pb, ${typeIndex(spec, cl.type.name)} as tb from ${s(`wide_${i}`)} x where x.st${j} = 'ok' and x.st${l} = 'ok'`,
            ]
          : [],
      ),
    ),
  );
  if (pairs.length === 0) {
    return [d.createScratchTableAs(t.scratch('hubs'), `select cast(null as ${int}) as node_key, cast(null as ${int}) as degree from ${d.table(t.state)} where 1 = 0`)];
  }
  // Each (value, other) pair once, with whether it is reached through a weaker id: the counts below are then plain
  // counts (an other's type is its node's, so one per pair), cheaper than a distinct count per limit.
  const limits = spec.types
    .filter((x) => x.maxPerProfile !== undefined)
    .map((x) => ` or sum(case when through = 1 and tb = ${typeIndex(spec, x.name)} then 1 else 0 end) > ${x.maxPerProfile}`)
    .join('');
  return [
    d.createScratchTableAs(t.scratch('hub_candidates'), `select distinct a, pa, b, pb, tb from (\n  ${pairs.join('\n  union all\n  ')}\n) p`),
    d.createScratchTableAs(
      t.scratch('hubs'),
      `select node_key, count(*) as degree
from (
  select node_key, other, min(tb) as tb, max(via) as through
  from (
    select a as node_key, b as other, tb, 0 as via from ${s('hub_candidates')} where pb < pa
    union all
    select l1.a, l2.b, l2.tb, 1 from ${s('hub_candidates')} l1 join ${s('hub_candidates')} l2 on l2.a = l1.b
    where l1.pb > l1.pa and l2.pb < l1.pa
  ) r
  group by node_key, other
) p
group by node_key
having count(*) > ${spec.maxLinksPerValue}${limits}`,
    ),
  ];
}

/** Adds s{j} (the final status, `hub` included) and the row group's centre: the first usable column by strength. */
function starSelect(d: Dialect, src: IdentitySource, wide: string, hubs: string): string {
  const usable = (j: number) => `x.st${j} = 'ok' and h${j}.node_key is null`;
  const columns = src.identifiers.map((_, j) => `x.v${j}, x.node${j}, x.blocked${j}, case when x.st${j} = 'ok' and h${j}.node_key is not null then 'hub' else x.st${j} end as s${j}`);
  const order = columnsByStrength(src);
  const centre = order.length === 1 ? `case when ${usable(order[0])} then x.node${order[0]} end` : `coalesce(${order.map((j) => `case when ${usable(j)} then x.node${j} end`).join(', ')})`;
  const joins = src.identifiers.map((_, j) => `left join ${hubs} h${j} on h${j}.node_key = x.node${j}`);
  return `select x.n_rows, x.first_seen, x.last_seen, x.evidence,\n  ${columns.join(',\n  ')},\n  ${centre} as centre\nfrom ${wide} x\n${joins.join('\n')}`;
}

/**
 * What the guards kept out, as rows of `_identity_review` (see identity-tables.ts). The links dropped from row groups
 * go into scratch `review_dropped` first: its real size (a fraction of the nodes) lets the join that names each
 * group's centre build on it rather than on every node.
 */
export function reviewStatements(d: Dialect, spec: IdentitySpec, t: IdentityTables): { readonly before: readonly string[]; readonly select: string; readonly cleanup: readonly string[] } {
  const s = (name: string) => d.scratchTable(t.scratch(name));
  const str = `cast(null as ${d.typeName('string')})`;
  const dropped = spec.sources.flatMap((src, i) =>
    src.identifiers.map((c, j) => {
      const window = c.type.linkWindowSeconds === undefined ? str : d.stringLiteral(`${c.type.name} link_window ${c.type.linkWindowSeconds}s`);
      const hub = d.stringLiteral(`hub: links too many stronger ids (directly or through weaker ids)`);
      return `select s${j} as reason, ${d.stringLiteral(c.type.name)} as id_type, v${j} as id_value, node${j} as node, centre, ${d.stringLiteral(src.name)} as src, n_rows, first_seen, last_seen,
    case s${j} when 'blocklist' then blocked${j} when 'hub' then ${hub} else ${window} end as detail
  from ${s(`star_${i}`)} where s${j} <> 'ok' and centre is not null`;
    }),
  );
  const valueRows = `select 'blocklist' as reason, v.id_type, v.id_value, ${str} as other_type, ${str} as other_value, ${str} as src,
  v.n_rows, v.first_seen, v.last_seen, v.blocked_by as detail
from ${s('value_nodes')} v where v.blocked_by is not null
union all
select 'hub', v.id_type, v.id_value, ${str}, ${str}, ${str}, v.n_rows, v.first_seen, v.last_seen,
  ${d.cast('h.degree', 'string')} || ${d.stringLiteral(` stronger ids, directly or through weaker ids (max_links_per_value ${spec.maxLinksPerValue}; through weaker ids, at most max_per_profile of a type)`)}
from ${s('hubs')} h join ${s('value_nodes')} v on v.node_key = h.node_key`;
  if (dropped.length === 0) return { before: [], select: valueRows, cleanup: [] };
  return {
    before: [d.createScratchTableAs(t.scratch('review_dropped'), dropped.join('\n  union all\n  '))],
    select: `${valueRows}
union all
select x.reason, x.id_type, coalesce(x.id_value, v.id_value), c.id_type, c.id_value, x.src, sum(x.n_rows), min(x.first_seen), max(x.last_seen), min(x.detail)
from ${s('review_dropped')} x join ${d.table(t.nodes)} c on c.node_key = x.centre
left join ${d.table(t.nodes)} v on v.node_key = x.node
group by x.reason, x.id_type, coalesce(x.id_value, v.id_value), c.id_type, c.id_value, x.src`,
    cleanup: [d.dropScratchTable(t.scratch('review_dropped'))],
  };
}

/** The per-source scratch tables this build creates (for clean-up). */
export function perSourceScratch(spec: IdentitySpec): string[] {
  return spec.sources.flatMap((_, i) => [`grp_${i}`, `wide_${i}`, `star_${i}`]);
}
