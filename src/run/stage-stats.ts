import type { TableRef } from '../dialect/dialect.js';
import { cdpTable, sourceRelation } from '../model/relations.js';
import type { StatementsStep } from '../model/plan.js';
import type { StageContext } from '../model/stage-context.js';
import type { JobBytes } from '../warehouse/warehouse.js';

/** What one build stage did, recorded in `runs.counts` for `cdp report` and `cdp history`. */
export interface StageStats {
  readonly stage: 'models' | 'types' | 'identity' | 'profiles' | 'accounts';
  readonly seconds: number;
  /** Rows of the inputs the stage read (source rows for identity and profiles; not measured for models: null). */
  readonly rowsRead: number | null;
  /** Rows in what the stage wrote: materialised tables, published identity rows, profiles and memberships. */
  readonly rowsWritten: number;
  /** BigQuery only: bytes billed by the stage's jobs (`totalBytesBilled`); null where the engine does not report it. */
  readonly bytesBilled: number | null;
  /** BigQuery only: bytes processed by the stage's jobs (`totalBytesProcessed`); null where the engine does not report it. */
  readonly bytes_processed: number | null;
}

/** What a stage's statements added to the warehouse's job totals (docs/commands.md#cost-per-stage); null where never reported. */
export function stageBytes(before: JobBytes | undefined, after: JobBytes | undefined): JobBytes {
  const diff = (a: number | null | undefined, b: number | null | undefined) => (b === null || b === undefined ? null : b - (a ?? 0));
  return { processed: diff(before?.processed, after?.processed), billed: diff(before?.billed, after?.billed) };
}

async function count(ctx: StageContext, table: TableRef, where = ''): Promise<number> {
  if (!(await ctx.warehouse.tableExists(table))) return 0;
  const [row] = await ctx.warehouse.query(`select count(*) as n from ${ctx.warehouse.dialect.table(table)}${where ? ` where ${where}` : ''}`, { label: 'run stats' });
  return Number(row?.n ?? 0);
}

/** One count after another: a warehouse connection runs one statement at a time. */
async function sum(counts: readonly (() => Promise<number>)[]): Promise<number> {
  let total = 0;
  for (const n of counts) total += await n();
  return total;
}

/** Rows of the relations a models stage materialised as tables (views hold no rows of their own), and rows it added to one. */
export async function modelRowsWritten(ctx: StageContext, steps: readonly StatementsStep[]): Promise<number> {
  let total = 0;
  for (const step of steps) {
    if (step.added !== undefined) total += Number((await ctx.warehouse.query(step.added, { label: 'run stats' }))[0]?.n ?? 0);
    if (step.replaces?.kind !== 'table') continue;
    if ((await ctx.warehouse.relationKind(step.replaces.target)) === 'table') total += await count(ctx, step.replaces.target);
  }
  return total;
}

/** Rows of the named sources (each read through its `source_<name>` relation). */
export async function sourceRows(ctx: StageContext, sources: readonly string[]): Promise<number> {
  let total = 0;
  for (const name of new Set(sources)) total += await count(ctx, sourceRelation(ctx.project, { name }));
  return total;
}

/** The `identifiers` rows the build changed (inserted or deleted), and this run's `profile_events` and `profile_aliases`. */
export async function identityRowsWritten(ctx: StageContext, identifiersChanged: number): Promise<number> {
  const run = `run_id = ${ctx.warehouse.dialect.literal(ctx.runId)}`;
  const t = (name: string) => cdpTable(ctx.project, name);
  return identifiersChanged + (await sum([() => count(ctx, t('profile_events'), run), () => count(ctx, t('profile_aliases'), run)]));
}

/**
 * The `profiles` rows the build wrote (every profile after a full build, the recomputed ones after an incremental
 * one), `segment_members` (replaced whole), and this run's `segment_changes`.
 */
export async function profileRowsWritten(ctx: StageContext, recomputed: number): Promise<number> {
  const t = (name: string) => cdpTable(ctx.project, name);
  return recomputed + (await sum([() => count(ctx, t('segment_members')), () => count(ctx, t('segment_changes'), `run_id = ${ctx.warehouse.dialect.literal(ctx.runId)}`)]));
}
