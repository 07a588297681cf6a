import { replaceTable } from '../warehouse/replace-table.js';
import { cdpTable, sourceRelation } from '../model/relations.js';
import type { StageContext } from '../model/stage-context.js';
import { segmentSql } from './compile-segments.js';
import { compileTraitsSelect, type SourceColumnTypes } from './compile-traits.js';
import type { SqlType } from '../dialect/dialect.js';

export interface SegmentChange {
  readonly segment: string;
  readonly size: number;
  readonly entered: number;
  readonly exited: number;
}

export interface ProfileSummary {
  readonly profiles: number;
  readonly traits: number;
  /** Trait values that came out NaN or infinite (a derived trait dividing by zero), set to NULL. */
  readonly nonFinite: number;
  readonly segments: readonly SegmentChange[];
}

/**
 * Builds `profiles` (one row per profile, a column per trait) and `segment_members` (entered_at
 * kept for members who stay), each replaced atomically, and appends this run's entries and exits
 * to `segment_changes`, which is how the sync stage and `cdp build` see what moved.
 */
export async function runProfiles(ctx: StageContext, rowsOf: (source: string) => string): Promise<ProfileSummary> {
  const { project, warehouse } = ctx;
  const d = warehouse.dialect;
  const t = (name: string) => cdpTable(project, name);

  const columnTypes = await sourceColumnTypes(ctx);
  const traitsSelect = compileTraitsSelect(project, d, {
    rowsOf,
    profileIds: `(select distinct profile_id from ${d.table(t('identifiers'))})`,
    asOf: ctx.asOf,
    columnTypes,
  });
  await replaceTable(warehouse, t('profiles'), traitsSelect, { label: 'build profiles' });
  const nonFinite = await clearNonFinite(ctx);

  const seg = segmentSql(project, d, { runId: ctx.runId, asOf: ctx.asOf });
  const members = seg.members;
  const changes = t('segment_changes');
  await warehouse.execute(seg.evaluate, { label: 'evaluate segments' });
  const hadMembers = await warehouse.tableExists(members);
  if (!hadMembers) await warehouse.execute(seg.createMembers);
  await warehouse.execute(seg.createChanges);
  const renames = hadMembers ? await findRenamedSegments(ctx, d.scratchTable(seg.now)) : [];
  for (const r of renames) ctx.log(`segment ${r.from} renamed to ${r.to}: same ${r.members} members, no entries or exits recorded`);
  await warehouse.transaction([...renames.map((r) => seg.rename(r.from, r.to)), seg.recordChanges], { label: 'record segment entries and exits' });
  await replaceTable(warehouse, members, seg.nextMembers, { label: 'update segment members' });
  await warehouse.execute(seg.dropNow);

  const [count] = await warehouse.query(`select count(*) as n from ${d.table(t('profiles'))}`);
  const sizes = await warehouse.query(`select segment, count(*) as n from ${d.table(members)} group by segment`);
  const moved = await warehouse.query(
    `select segment, change, count(*) as n from ${d.table(changes)} where run_id = ${d.literal(ctx.runId)} group by segment, change`,
  );
  const value = (rows: typeof sizes, segment: string, change?: string) =>
    Number(rows.find((r) => r.segment === segment && (change === undefined || r.change === change))?.n ?? 0);
  return {
    profiles: Number(count?.n ?? 0),
    traits: project.traits.length,
    nonFinite,
    segments: project.segments.map((s) => ({
      segment: s.name,
      size: value(sizes, s.name),
      entered: value(moved, s.name, 'enter'),
      exited: value(moved, s.name, 'exit'),
    })),
  };
}

/**
 * Segments renamed in the model: a segment no longer declared whose last members are exactly the members
 * of a newly declared segment (same profiles, at least one), each pair unambiguous. Anything else (a
 * rename that also changed who is in it) is an exit from the old segment and an entry into the new one.
 */
async function findRenamedSegments(ctx: StageContext, nowRef: string): Promise<{ from: string; to: string; members: number }[]> {
  const { project, warehouse } = ctx;
  const d = warehouse.dialect;
  const names = project.segments.map((s) => d.literal(s.name));
  if (names.length === 0) return [];
  const members = d.table(cdpTable(project, 'segment_members'));
  const rows = await warehouse.query(
    `with old as (select segment, profile_id from ${members} where segment not in (${names.join(', ')})),
fresh as (select segment, profile_id from ${nowRef} where segment not in (select distinct segment from ${members})),
oc as (select segment, count(*) as n from old group by segment),
fc as (select segment, count(*) as n from fresh group by segment)
select oc.segment as old_segment, fc.segment as new_segment, oc.n as n
from oc join fc on oc.n = fc.n
where not exists (
  select 1 from old o where o.segment = oc.segment
  and not exists (select 1 from fresh f where f.segment = fc.segment and f.profile_id = o.profile_id)
)`,
    { label: 'find renamed segments' },
  );
  const count = (key: 'old_segment' | 'new_segment', value: unknown) => rows.filter((r) => r[key] === value).length;
  return rows
    .filter((r) => count('old_segment', r.old_segment) === 1 && count('new_segment', r.new_segment) === 1)
    .map((r) => ({ from: String(r.old_segment), to: String(r.new_segment), members: Number(r.n) }));
}

/** Column types of the sources traits (person and account) read, from the warehouse: traits are cast to them. */
export async function sourceColumnTypes(ctx: Pick<StageContext, 'project' | 'warehouse'>): Promise<SourceColumnTypes> {
  // Account traits' sources too (docs/accounts.md), so build and compile type them alike.
  const used = new Set([...ctx.project.traits, ...(ctx.project.accounts?.traits ?? [])].flatMap((t) => (t.from ? [t.from] : [])));
  const out = new Map<string, Map<string, SqlType>>();
  for (const source of ctx.project.sources.filter((s) => used.has(s.name))) {
    const columns = await ctx.warehouse.columns(sourceRelation(ctx.project, source));
    const types = new Map<string, SqlType>();
    for (const c of columns) {
      const type = c.sqlType;
      if (type) types.set(c.name.toLowerCase(), type);
    }
    out.set(source.name, types);
  }
  return out;
}

/**
 * A NaN or an infinity never leaves the warehouse (docs/bad-rows.md): such trait values become NULL.
 * `x - x = 0` is false for NaN and both infinities on every engine, and true for every finite number.
 */
async function clearNonFinite(ctx: StageContext): Promise<number> {
  const { warehouse, project } = ctx;
  const d = warehouse.dialect;
  const profiles = cdpTable(project, 'profiles');
  const floats = (await warehouse.columns(profiles)).filter((c) => c.sqlType === 'float' && !/^(DECIMAL|NUMERIC|NUMBER|BIGNUMERIC)/i.test(c.type));
  if (floats.length === 0) return 0;
  const bad = (c: string) => `${c} is not null and not (${c} - ${c} = 0)`;
  const [row] = await warehouse.query(`select ${floats.map((c, i) => `${d.countIf(bad(d.quoteIdentifier(c.name)))} as c${i}`).join(', ')} from ${d.table(profiles)}`);
  const counts = floats.map((_, i) => Number(row?.[`c${i}`] ?? 0));
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  const columns = floats.filter((_, i) => counts[i] > 0).map((c) => d.quoteIdentifier(c.name));
  await warehouse.execute(
    `update ${d.table(profiles)} set ${columns.map((c) => `${c} = case when ${bad(c)} then null else ${c} end`).join(', ')} where ${columns.map((c) => `(${bad(c)})`).join(' or ')}`,
    { label: 'clear non-finite trait values' },
  );
  return total;
}
