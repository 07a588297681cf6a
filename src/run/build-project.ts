import type { IdentityReport } from '../identity/identity-report.js';
import { evaluateIdentityGate, type IdentityGate } from '../identity/identity-gate.js';
import { identityGateBaseline, recordIdentityGate } from '../identity/identity-gate-store.js';
import { identityGateSchema } from '../config/schema.js';
import { buildIdentity } from '../identity/build-identity.js';
import { executePlan } from '../model/execute-plan.js';
import type { StatementsStep } from '../model/plan.js';
import { cdpTable, pulledTableName } from '../model/relations.js';
import type { StageContext } from '../model/stage-context.js';
import { executeProfiles, sourceColumnTypes, type ProfileSummary } from '../profile/build-profiles.js';
import { accountSourceNames, buildAccounts, type AccountSummary } from '../account/build-accounts.js';
import { markBuild } from './build-status.js';
import { compileStage, type PlanParams } from './compile-plan.js';
import { fileStamps } from '../model/file-stamps.js';
import { parseManifest } from './manifest.js';
import { identityRowsWritten, modelRowsWritten, profileRowsWritten, sourceRows, stageBytes, type StageStats } from './stage-stats.js';
import { typeSources, type BadRows } from './type-sources.js';

export interface BuildSummary {
  readonly models: number;
  readonly sources: number;
  /** Sources with rows whose values are not their type: quarantined, not used (docs/bad-rows.md). */
  readonly badRows: readonly BadRows[];
  readonly identity?: IdentityReport;
  /** The identity quality gate's verdict on this build (docs/identity-gate.md). */
  readonly identityGate?: IdentityGate;
  readonly profiles?: ProfileSummary;
  /** The account stages, when the project has `accounts:` (docs/accounts.md). */
  readonly accounts?: AccountSummary;
  readonly seconds: Readonly<Record<string, number>>;
  /** Per stage: timing, rows read and written, bytes billed (BigQuery). */
  readonly stages: readonly StageStats[];
}

/**
 * `cdp build`: models -> sources -> identity -> profiles (traits) -> segments, each in the warehouse: every
 * stage is compiled into plan steps with the run's parameters (compile-plan.ts, the plan `cdp compile` writes)
 * and executed by `executePlan`, through the stage's driver when it reads a report.
 * The build generation is `building` until the last table is written, then `published`; a build that
 * fails is marked `failed`, so sync never reads a half-built warehouse (see build-status.ts).
 */
export async function buildProject(ctx: StageContext, selected?: ReadonlySet<string>): Promise<BuildSummary> {
  await markBuild(ctx.warehouse, ctx.project, ctx.runId, 'building');
  try {
    const summary = await buildStages(ctx, selected);
    await markBuild(ctx.warehouse, ctx.project, ctx.runId, 'published');
    return summary;
  } catch (error) {
    await markBuild(ctx.warehouse, ctx.project, ctx.runId, 'failed').catch(() => undefined);
    throw error;
  }
}

async function buildStages(ctx: StageContext, selected?: ReadonlySet<string>): Promise<BuildSummary> {
  const seconds: Record<string, number> = {};
  const stages: StageStats[] = [];
  const timed = async <T>(
    stage: StageStats['stage'],
    work: () => Promise<T>,
    rows: (result: T) => Promise<{ readonly rowsRead: number | null; readonly rowsWritten: number }>,
  ): Promise<T> => {
    const started = performance.now();
    const before = ctx.warehouse.jobBytes?.();
    ctx.log(stage);
    const result = await work();
    seconds[stage] = Math.round(performance.now() - started) / 1000;
    const bytes = stageBytes(before, ctx.warehouse.jobBytes?.());
    stages.push({ stage, seconds: seconds[stage], ...(await rows(result)), bytesBilled: bytes.billed, bytes_processed: bytes.processed });
    return result;
  };
  const manifest = parseManifest(ctx.project);
  const d = ctx.warehouse.dialect;
  const params: PlanParams = { runId: ctx.runId, asOf: ctx.asOf, selected, pulled: await pulledSources(ctx), fileStamps: await fileStamps(ctx.warehouse, ctx.project) };
  const steps = compileStage('models', manifest, d, params);
  // The statements steps that ran: a file source whose files did not change is not read (docs/incremental.md#file-sources).
  const ran: StatementsStep[] = [];
  await timed(
    'models',
    () =>
      executePlan(ctx.warehouse, steps, {
        fullRefresh: ctx.fullRefresh,
        onStep: (l, step) => {
          ran.push(step);
          ctx.log(`  ${l}`);
        },
      }),
    async () => ({ rowsRead: null, rowsWritten: await modelRowsWritten(ctx, ran) }),
  );
  const badRows = (await timed('types', () => typeSources(ctx), async (typed) => ({ rowsRead: null, rowsWritten: typed.reduce((sum, b) => sum + b.rows, 0) }))).filter((b) => b.rows > 0);
  const counts = {
    models: steps.filter((s) => s.stage === 'models').length,
    sources: steps.filter((s) => s.stage === 'sources').length,
    badRows,
  };
  if (!manifest.identity) return { ...counts, seconds, stages };

  const identitySources = manifest.identity.sources;
  const identity = await timed(
    'identity',
    () => buildIdentity(ctx, compileStage('identity', manifest, d, params)),
    async (report) => ({ rowsRead: await sourceRows(ctx, identitySources), rowsWritten: await identityRowsWritten(ctx, report.identifiersChanged) }),
  );
  const identityGate = await gateIdentity(ctx, identity);
  const traitSources = manifest.traitSources;
  // Read once: the person traits and the account traits are cast to the same source column types.
  const withTypes: PlanParams = { ...params, columnTypes: await sourceColumnTypes(ctx) };
  const profiles = await timed(
    'profiles',
    async () => executeProfiles(ctx, compileStage('profiles', manifest, d, withTypes)),
    async (summary) => ({ rowsRead: await sourceRows(ctx, traitSources), rowsWritten: await profileRowsWritten(ctx, summary.recomputed) }),
  );
  const accountSteps = compileStage('accounts', manifest, d, withTypes);
  const accounts =
    accountSteps.length === 0
      ? undefined
      : await timed(
          'accounts',
          () => buildAccounts(ctx, accountSteps),
          async (summary) => ({ rowsRead: await sourceRows(ctx, accountSourceNames(ctx.project)), rowsWritten: (summary?.accounts ?? 0) + (summary?.members ?? 0) }),
        );
  return { ...counts, identity, identityGate, profiles, ...(accounts ? { accounts } : {}), seconds, stages };
}

/** The end of the identity stage: the quality gate compares this build with the previous ones and is stored for syncs to check. */
async function gateIdentity(ctx: StageContext, identity: IdentityReport): Promise<IdentityGate> {
  const baseline = await identityGateBaseline(ctx.warehouse, ctx.project);
  const gate = evaluateIdentityGate(ctx.runId, ctx.project.identity?.gate ?? identityGateSchema.parse({}), identity, baseline);
  await recordIdentityGate(ctx.warehouse, ctx.project, gate);
  return gate;
}

/** Sources with `pulled:` whose CRM object has been pulled: they read the pulled table (docs/pull.md). */
async function pulledSources(ctx: StageContext): Promise<Set<string>> {
  const out = new Set<string>();
  for (const source of ctx.project.sources) {
    if (!source.pulled) continue;
    const table = cdpTable(ctx.project, pulledTableName(source.pulled.destination, source.pulled.object));
    if ((await ctx.warehouse.relationKind(table)) !== undefined) out.add(source.name);
  }
  return out;
}
