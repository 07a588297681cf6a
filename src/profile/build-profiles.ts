import { executePlan } from '../model/execute-plan.js';
import type { PlanStep } from '../model/plan.js';
import { cdpTable, sourceRelation } from '../model/relations.js';
import type { StageContext } from '../model/stage-context.js';
import type { SourceColumnTypes } from './compile-traits.js';
import { profilesPlan } from './profiles-plan.js';
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
  /** `incremental` when only touched profiles were recomputed (docs/incremental.md); then how many were updated, those kept from their parts included. */
  readonly mode: 'full' | 'incremental';
  readonly recomputed: number;
  /** Of those, how many kept every trait from its stored value and parts, reading none of their rows (docs/incremental.md#traits-kept-from-their-parts). */
  readonly fromParts: number;
}

/**
 * The profiles and segments stages of `cdp build`: executes their plan steps (profiles-plan.ts; `cdp build`
 * hands it those of its compiled plan), clears non-finite trait values at the plan's `profiles.non_finite`
 * hook, and reads what moved: `profiles` (one row per profile, a column per trait) and `segment_members`
 * each replaced atomically, this run's entries and exits appended to `segment_changes`.
 */
export async function executeProfiles(ctx: StageContext, steps: readonly PlanStep[]): Promise<ProfileSummary> {
  const { project, warehouse } = ctx;
  const d = warehouse.dialect;
  const t = (name: string) => cdpTable(project, name);
  let nonFinite = 0;
  const hooks = { 'profiles.non_finite': async () => void (nonFinite = await clearNonFinite(ctx)) };
  const run = await executePlan(warehouse, steps, { fullRefresh: ctx.fullRefresh, log: ctx.log, hooks });
  const mode = run.decisions.get('profiles.mode') === 'incremental' ? 'incremental' : 'full';

  const [count] = await warehouse.query(`select count(*) as n from ${d.table(t('profiles'))}`);
  const sizes = await warehouse.query(`select segment, count(*) as n from ${d.table(t('segment_members'))} group by segment`);
  const moved = await warehouse.query(
    `select segment, change, count(*) as n from ${d.table(t('segment_changes'))} where run_id = ${d.literal(ctx.runId)} group by segment, change`,
  );
  const value = (rows: typeof sizes, segment: string, change?: string) =>
    Number(rows.find((r) => r.segment === segment && (change === undefined || r.change === change))?.n ?? 0);
  const profileCount = Number(count?.n ?? 0);
  const touched = run.reads.get('profiles.touched_count')?.[0];
  return {
    profiles: profileCount,
    mode,
    recomputed: mode === 'incremental' ? Number(touched?.n ?? 0) : profileCount,
    fromParts: mode === 'incremental' ? Number(touched?.from_parts ?? 0) : 0,
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

/** `executeProfiles` on the stage compiled here, traits typed by the sources' columns (tests, benches). */
export async function buildProfiles(ctx: StageContext, rowsOf: (source: string) => string): Promise<ProfileSummary> {
  const columnTypes = await sourceColumnTypes(ctx);
  return executeProfiles(ctx, profilesPlan(ctx.project, ctx.warehouse.dialect, { runId: ctx.runId, asOf: ctx.asOf, rowsOf, columnTypes }));
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
