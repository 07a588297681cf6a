import type { LoadedProject } from '../config/load-project.js';
import type { Dialect } from '../dialect/dialect.js';
import { cdpTable } from '../model/relations.js';
import { topologicalOrder } from '../model/find-cycle.js';
import { sqlNames } from '../model/sql-names.js';

/**
 * `select segment, profile_id` for every segment a profile is in. Each segment becomes a boolean
 * column over the profiles, in dependency order, so a segment's `where` can use other segments.
 */
export function compileSegmentMembersSelect(project: LoadedProject, dialect: Dialect, profiles: string): string {
  const q = (n: string) => dialect.quoteIdentifier(n);
  const names = project.segments.map((s) => s.name);
  if (names.length === 0) {
    return `select ${dialect.cast('null', 'string')} as segment, ${dialect.cast('null', 'string')} as profile_id from ${profiles} where 1 = 0`;
  }
  const order = topologicalOrder(names, (n) => sqlNames(project.segments.find((s) => s.name === n)?.where ?? ''));
  const ctes: string[] = [];
  let previous = profiles;
  order.forEach((name, i) => {
    const segment = project.segments.find((s) => s.name === name);
    const cte = `s${i}`;
    ctes.push(`${cte} as (\n  select ${i === 0 ? 'p' : previous}.*, coalesce((${segment?.where}), false) as ${q(name)}\n  from ${previous}${i === 0 ? ' p' : ''}\n)`);
    previous = cte;
  });
  const unions = names.map((n) => `select ${dialect.stringLiteral(n)} as segment, profile_id from ${previous} where ${q(n)}`);
  return `with\n${ctes.join(',\n')}\n${unions.join('\nunion all\n')}`;
}

/**
 * The statements the segments part of a build sends, for `cdp build` (build-profiles.ts) and `cdp compile`
 * alike: evaluate every segment into scratch `_segment_members_now`, record this run's entries and exits in
 * `segment_changes`, then the new `segment_members` (entered_at kept for members who stay), built as a
 * staging table that replaces the old one.
 */
export function segmentSql(project: LoadedProject, d: Dialect, params: { readonly runId: string; readonly asOf: Date }) {
  const t = (name: string) => cdpTable(project, name);
  const members = t('segment_members');
  const changes = t('segment_changes');
  const now = t('_segment_members_now');
  const nowRef = d.scratchTable(now);
  const asOf = d.timestampLiteral(params.asOf);
  const names = project.segments.map((s) => d.literal(s.name));
  const membersRef = d.table(members);
  return {
    members,
    now,
    evaluate: d.createScratchTableAs(now, compileSegmentMembersSelect(project, d, d.table(t('profiles')))),
    /** Only when `segment_members` does not exist yet (the first build). */
    createMembers: `create table ${d.table(members)} (segment ${d.typeName('string')}, profile_id ${d.typeName('string')}, entered_at ${d.typeName('timestamp')})`,
    createChanges: `create table if not exists ${d.table(changes)} (run_id ${d.typeName('string')}, segment ${d.typeName('string')}, profile_id ${d.typeName('string')}, change ${d.typeName('string')}, changed_at ${d.typeName('timestamp')})`,
    /** A renamed segment keeps its members and their entered_at (docs/sync-renames.md#segments-renamed-in-the-model). */
    rename: (from: string, to: string) => `update ${d.table(members)} set segment = ${d.literal(to)} where segment = ${d.literal(from)}`,
    recordChanges: `insert into ${d.table(changes)} (run_id, segment, profile_id, change, changed_at)
select ${d.literal(params.runId)}, n.segment, n.profile_id, 'enter', ${asOf} from ${nowRef} n
where not exists (select 1 from ${d.table(members)} o where o.segment = n.segment and o.profile_id = n.profile_id)
union all
select ${d.literal(params.runId)}, o.segment, o.profile_id, 'exit', ${asOf} from ${d.table(members)} o
where not exists (select 1 from ${nowRef} n where n.segment = o.segment and n.profile_id = o.profile_id)`,
    nextMembers: `select n.segment, n.profile_id, coalesce(o.entered_at, ${asOf}) as entered_at
from ${nowRef} n
left join ${d.table(members)} o on o.segment = n.segment and o.profile_id = n.profile_id`,
    dropNow: d.dropScratchTable(now),
    /**
     * Segments renamed in the model: pairs of a segment no longer declared and a newly declared one with the
     * same members (at least one). Undefined when no segment is declared.
     */
    renamesSql:
      names.length === 0
        ? undefined
        : `with old as (select segment, profile_id from ${membersRef} where segment not in (${names.join(', ')})),
fresh as (select segment, profile_id from ${nowRef} where segment not in (select distinct segment from ${membersRef})),
oc as (select segment, count(*) as n from old group by segment),
fc as (select segment, count(*) as n from fresh group by segment)
select oc.segment as old_segment, fc.segment as new_segment, oc.n as n
from oc join fc on oc.n = fc.n
where not exists (
  select 1 from old o where o.segment = oc.segment
  and not exists (select 1 from fresh f where f.segment = fc.segment and f.profile_id = o.profile_id)
)`,
  };
}
