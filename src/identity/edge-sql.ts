import type { Dialect } from '../dialect/dialect.js';
import type { IdentitySpec } from './identity-spec.js';
import type { IdentityTables } from './identity-tables.js';
import { blockedBySql } from './normalize-sql.js';

/**
 * Steps 2-6: from observations to guarded edges, all before the graph (research §6).
 *   values    distinct normalised values, with the blocklist rule each one matches
 *   nodes     new valid values get the next dense keys (stable forever)
 *   links     observations with node key and status: ok | blocklist | window
 *   hubs      values that co-occur with more than max_links_per_value distinct stronger ids
 *   star      per row group, the strongest usable identifier is the centre; the others hang off it
 *   edges     one edge per (centre, other) per source, with first/last seen, rows and evidence
 */
export function edgeStatements(d: Dialect, spec: IdentitySpec, t: IdentityTables, asOf: Date): readonly string[] {
  const s = (name: string) => d.scratchTable(t.scratch(name));
  const nodes = d.table(t.nodes);
  const windowed = spec.types.filter((x) => x.linkWindowSeconds !== undefined);
  const outside = windowed.length
    ? `case o.id_type ${windowed
        .map((x) => `when ${d.stringLiteral(x.name)} then case when o.last_seen < ${d.timestampSub(d.timestampLiteral(asOf), x.linkWindowSeconds ?? 0, 'second')} then 1 else 0 end`)
        .join(' ')} else 0 end = 1`
    : '1 = 0';
  const maxColumns = Math.max(2, ...spec.sources.map((x) => x.identifiers.length));
  // A value in at most this many row groups cannot reach the hub threshold: only those above are checked.
  const minGroups = Math.floor(spec.maxLinksPerValue / (maxColumns - 1));
  const usable = `l.status = 'ok' and h.node_key is null`;
  return [
    d.createScratchTableAs(
      t.scratch('values'),
      `select o.id_type, o.id_value, ${blockedBySql(d, spec, 'o.id_type', 'o.id_value')} as blocked_by,
  sum(o.n_rows) as n_rows, min(o.first_seen) as first_seen, max(o.last_seen) as last_seen
from ${s('obs')} o
group by o.id_type, o.id_value`,
    ),
    d.createScratchTableAs(
      t.scratch('fresh'),
      `select x.id_type, x.id_value, substr(${d.md5Hex(`x.id_type || ':' || x.id_value`)}, 1, 3) as bucket
from ${s('values')} x left join ${nodes} n on n.id_type = x.id_type and n.id_value = x.id_value
where x.blocked_by is null and n.node_key is null`,
    ),
    // Dense keys without one global sort: numbered within 4096 hash buckets, buckets laid end to end.
    `insert into ${nodes} (node_key, id_type, id_value)
select m.base + o.before + row_number() over (partition by f.bucket order by f.id_type, f.id_value), f.id_type, f.id_value
from ${s('fresh')} f
join (select bucket, sum(n) over (order by bucket rows between unbounded preceding and current row) - n as before
  from (select bucket, count(*) as n from ${s('fresh')} group by bucket) c) o on o.bucket = f.bucket
cross join (select coalesce(max(node_key), 0) as base from ${nodes}) m`,
    d.createScratchTableAs(
      t.scratch('value_nodes'),
      `select x.id_type, x.id_value, x.blocked_by, x.n_rows, x.first_seen, x.last_seen, n.node_key
from ${s('values')} x left join ${nodes} n on n.id_type = x.id_type and n.id_value = x.id_value`,
    ),
    d.createScratchTableAs(
      t.scratch('links'),
      `select o.src, o.g, o.id_type, o.prio, o.id_value, v.node_key, v.blocked_by, o.n_rows, o.first_seen, o.last_seen, o.evidence,
  case when v.blocked_by is not null then 'blocklist' when ${outside} then 'window' else 'ok' end as status
from ${s('obs')} o join ${s('value_nodes')} v on v.id_type = o.id_type and v.id_value = o.id_value`,
    ),
    d.createScratchTableAs(
      t.scratch('hubs'),
      `select o.node_key, count(distinct u.node_key) as degree
from (select node_key from ${s('links')} where status = 'ok' group by node_key having count(*) > ${minGroups}) c
join ${s('links')} o on o.node_key = c.node_key and o.status = 'ok'
join ${s('links')} u on u.src = o.src and u.g = o.g and u.prio < o.prio and u.status = 'ok'
group by o.node_key
having count(distinct u.node_key) > ${spec.maxLinksPerValue}`,
    ),
    d.createScratchTableAs(
      t.scratch('star'),
      `select l.src, l.g, l.id_type, l.id_value, l.node_key, l.blocked_by, l.n_rows, l.first_seen, l.last_seen, l.evidence,
  case when l.status = 'ok' and h.node_key is not null then 'hub' else l.status end as status,
  first_value(case when ${usable} then l.node_key end) over (
    partition by l.src, l.g
    order by case when ${usable} then 0 else 1 end, l.prio, l.id_type, l.id_value
    rows between unbounded preceding and unbounded following) as centre
from ${s('links')} l left join ${s('hubs')} h on h.node_key = l.node_key`,
    ),
    d.createScratchTableAs(
      t.scratch('edges'),
      `select least(x.centre, x.node_key) as a, greatest(x.centre, x.node_key) as b, x.src,
  min(x.first_seen) as first_seen, max(x.last_seen) as last_seen, sum(x.n_rows) as n_rows, min(x.evidence) as evidence
from ${s('star')} x
where x.status = 'ok' and x.node_key <> x.centre
group by least(x.centre, x.node_key), greatest(x.centre, x.node_key), x.src`,
    ),
    d.createScratchTableAs(
      t.scratch('present'),
      `select v.node_key, v.id_type, v.id_value, v.first_seen, v.last_seen
from ${s('value_nodes')} v left join ${s('hubs')} h on h.node_key = v.node_key
where v.blocked_by is null and h.node_key is null`,
    ),
  ];
}

/** What the guards kept out, as rows of `_identity_review` (see identity-tables.ts). */
export function reviewSelect(d: Dialect, spec: IdentitySpec, t: IdentityTables): string {
  const s = (name: string) => d.scratchTable(t.scratch(name));
  const str = `cast(null as ${d.typeName('string')})`;
  const windows = spec.types.filter((x) => x.linkWindowSeconds !== undefined);
  const windowDetail = windows.length
    ? `case x.id_type ${windows.map((x) => `when ${d.stringLiteral(x.name)} then ${d.stringLiteral(`${x.name} link_window ${x.linkWindowSeconds}s`)}`).join(' ')} end`
    : str;
  const detail = `case x.status when 'blocklist' then min(x.blocked_by) when 'hub' then ${d.stringLiteral(`hub: more than ${spec.maxLinksPerValue} stronger ids`)} else ${windowDetail} end`;
  return `select 'blocklist' as reason, v.id_type, v.id_value, ${str} as other_type, ${str} as other_value, ${str} as src,
  v.n_rows, v.first_seen, v.last_seen, v.blocked_by as detail
from ${s('value_nodes')} v where v.blocked_by is not null
union all
select 'hub', v.id_type, v.id_value, ${str}, ${str}, ${str}, v.n_rows, v.first_seen, v.last_seen,
  ${d.cast('h.degree', 'string')} || ${d.stringLiteral(` stronger ids (max_links_per_value ${spec.maxLinksPerValue})`)}
from ${s('hubs')} h join ${s('value_nodes')} v on v.node_key = h.node_key
union all
select x.status, x.id_type, x.id_value, c.id_type, c.id_value, x.src, sum(x.n_rows), min(x.first_seen), max(x.last_seen), ${detail}
from ${s('star')} x join ${d.table(t.nodes)} c on c.node_key = x.centre
where x.status <> 'ok'
group by x.status, x.id_type, x.id_value, c.id_type, c.id_value, x.src`;
}
