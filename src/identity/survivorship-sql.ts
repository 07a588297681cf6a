import type { Dialect } from '../dialect/dialect.js';
import type { IdentitySpec } from './identity-spec.js';
import type { IdentityTables } from './identity-tables.js';
import { prioritySql } from './normalize-sql.js';

/**
 * Step 8: which profile id each changed part carries (docs/identity.md#stable-profile-ids: opaque ids and survivorship).
 *
 * Input: scratch `final(node_key, part)` for every node whose profile may have changed (whole old
 * profiles and whole new parts), and the published `identifiers` as the previous assignment.
 * A part and an old profile that are each other's best overlap (most shared identifiers; ties: the
 * part holding the strongest identifier type, then the larger side, then the smaller key) keep
 * that id. So when profiles merge, the one with most identifiers survives; when one splits, the
 * larger part keeps the id. Other parts get a new id,
 * `p_` + 16 hex digits of md5 of their anchor, the least `type:value` among their identifiers (salted with
 * the run id if that id was ever issued before): what the identifiers are, not the order they arrived in, so
 * an incremental build and `--full-refresh` mint the same id. Old profiles that found no part are logged as merged into the part that took
 * most of their identifiers; old profiles with no identifier left are retired.
 *
 * Output: scratch `assign(node_key, profile_id)` and `profile_changes(kind, from_profile_id, to_profile_id)`.
 */
export function survivorshipStatements(d: Dialect, spec: IdentitySpec, t: IdentityTables, runId: string): readonly string[] {
  const s = (name: string) => d.scratchTable(t.scratch(name));
  const create = (name: string, select: string) => d.createScratchTableAs(t.scratch(name), select);
  const ids = d.table(t.identifiers);
  const mint = (salt: string) => `'p_' || substr(${d.md5Hex(`${salt}pt.anchor`)}, 1, 16)`;
  const str = d.typeName('string');
  return [
    create(
      'sv_overlap',
      `select f.part, o.profile_id, count(*) as w
from ${s('final')} f
join ${d.table(t.nodes)} n on n.node_key = f.node_key
join ${ids} o on o.id_type = n.id_type and o.id_value = n.id_value
group by f.part, o.profile_id`,
    ),
    create(
      'sv_part',
      `select f.part, count(*) as n, min(n.id_type || ':' || n.id_value) as anchor,
  min(${prioritySql(d, spec, 'n.id_type')}) as best
from ${s('final')} f join ${d.table(t.nodes)} n on n.node_key = f.node_key
group by f.part`,
    ),
    create(
      'sv_profile',
      `select o.profile_id, count(*) as n from ${ids} o
where o.profile_id in (select profile_id from ${s('sv_overlap')})
group by o.profile_id`,
    ),
    create(
      'sv_rank',
      `select v.part, v.profile_id, v.w,
  row_number() over (partition by v.part order by v.w desc, ps.n desc, v.profile_id) as rp,
  row_number() over (partition by v.profile_id order by v.w desc, pt.best, pt.n desc, pt.anchor) as rq
from ${s('sv_overlap')} v
join ${s('sv_profile')} ps on ps.profile_id = v.profile_id
join ${s('sv_part')} pt on pt.part = v.part`,
    ),
    create(
      'sv_ids',
      `select pt.part,
  coalesce(m.profile_id, case when k.to_profile_id is null then ${mint('')} else ${mint(`${d.stringLiteral(`${runId}:`)} || `)} end) as profile_id,
  case when m.profile_id is null then 1 else 0 end as minted,
  b.profile_id as origin
from ${s('sv_part')} pt
left join (select part, profile_id from ${s('sv_rank')} where rp = 1 and rq = 1) m on m.part = pt.part
left join (select part, profile_id from ${s('sv_rank')} where rp = 1) b on b.part = pt.part
left join (select distinct to_profile_id from ${d.table(t.events)}) k on k.to_profile_id = ${mint('')}`,
    ),
    create('assign', `select f.node_key, i.profile_id from ${s('final')} f join ${s('sv_ids')} i on i.part = f.part`),
    create(
      'profile_changes',
      `select case when origin is null then 'new' else 'split' end as kind, origin as from_profile_id, profile_id as to_profile_id
from ${s('sv_ids')} where minted = 1
union all
select 'merge', r.profile_id, i.profile_id
from ${s('sv_rank')} r join ${s('sv_ids')} i on i.part = r.part
where r.rq = 1 and r.profile_id not in (select profile_id from ${s('sv_rank')} where rp = 1 and rq = 1)
union all
select distinct 'retire', c.old_profile_id, cast(null as ${str})
from ${s('identifiers_cmp')} c
where c.node_key is null and c.old_profile_id not in (select profile_id from ${s('sv_overlap')})`,
    ),
  ];
}

/**
 * The nodes whose profile may change this run: components whose node set changed, components
 * that break a limit now, and components that held a limit drop last run (a limit may have been
 * raised). Each gets its part label: the component, or its piece after limit drops.
 */
export function finalPartsSql(d: Dialect, t: IdentityTables): string {
  const s = (name: string) => d.scratchTable(t.scratch(name));
  return d.createScratchTableAs(
    t.scratch('final'),
    `select x.node_key, coalesce(l.comp, x.comp) as part
from ${d.table(t.graph)} x
join (select distinct comp from (
  select comp from ${s('touched')}
  union all select comp from ${s('violating')}
  union all select g.comp from ${s('previous_limits')} p join ${d.table(t.graph)} g on g.node_key = p.node_key
) u) y on y.comp = x.comp
left join ${s('limit_labels')} l on l.node_key = x.node_key`,
  );
}
