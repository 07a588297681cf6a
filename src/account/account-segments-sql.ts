import type { LoadedProject } from '../config/load-project.js';
import type { Dialect } from '../dialect/dialect.js';
import { compileSegmentMembersSelect } from '../profile/compile-segments.js';
import type { AccountSpec } from './account-spec.js';

/**
 * Account segments as statements, like person segments (profile/compile-segments.ts, whose member select
 * they reuse over `accounts`): evaluate into scratch, append this run's entries and exits to
 * `account_segment_changes`, then the new `account_segment_members` (entered_at kept for accounts that stay).
 */
export function accountSegmentSql(project: LoadedProject, d: Dialect, spec: AccountSpec, params: { readonly runId: string; readonly asOf: Date }) {
  const t = spec.tables;
  const str = d.typeName('string');
  const ts = d.typeName('timestamp');
  const now = t.scratch('segment_members_now');
  const nowRef = d.scratchTable(now);
  const members = d.table(t.segmentMembers);
  const asOf = d.timestampLiteral(params.asOf);
  const origin = (project.accounts as NonNullable<LoadedProject['accounts']>).origin;
  const segments = spec.segments.map((s) => ({ ...s, origin }));
  const select = compileSegmentMembersSelect({ ...project, segments }, d, `(select a.account_id as profile_id, a.* from ${d.table(t.accounts)} a)`);
  return {
    createTables: [
      `create table if not exists ${members} (account_id ${str}, segment ${str}, entered_at ${ts})`,
      `create table if not exists ${d.table(t.segmentChanges)} (run_id ${str}, segment ${str}, account_id ${str}, change ${str}, changed_at ${ts})`,
    ],
    evaluate: d.createScratchTableAs(now, `select segment, profile_id as account_id from (\n${select}\n) m`),
    recordChanges: `insert into ${d.table(t.segmentChanges)} (run_id, segment, account_id, change, changed_at)
select ${d.literal(params.runId)}, n.segment, n.account_id, 'enter', ${asOf} from ${nowRef} n
where not exists (select 1 from ${members} o where o.segment = n.segment and o.account_id = n.account_id)
union all
select ${d.literal(params.runId)}, o.segment, o.account_id, 'exit', ${asOf} from ${members} o
where not exists (select 1 from ${nowRef} n where n.segment = o.segment and n.account_id = o.account_id)`,
    next: `select n.account_id, n.segment, coalesce(o.entered_at, ${asOf}) as entered_at
from ${nowRef} n
left join ${members} o on o.segment = n.segment and o.account_id = n.account_id`,
    dropNow: d.dropScratchTable(now),
  };
}
