import type { IdentityReport } from '../identity/identity-report.js';
import { rowProfileSelect } from '../identity/row-profile-select.js';
import { runIdentity } from '../identity/run-identity.js';
import { compileModels } from '../model/compile-models.js';
import { executeSteps, type StageContext } from '../model/stage-context.js';
import { runProfiles, type ProfileSummary } from '../profile/run-profiles.js';
import { markBuild } from './build-status.js';
import { typeSources, type BadRows } from './type-sources.js';

export interface BuildSummary {
  readonly models: number;
  readonly sources: number;
  /** Sources with rows whose values are not their type: quarantined, not used (docs/bad-rows.md). */
  readonly badRows: readonly BadRows[];
  readonly identity?: IdentityReport;
  readonly profiles?: ProfileSummary;
  readonly seconds: Readonly<Record<string, number>>;
}

/**
 * `cdp build`: models -> sources -> identity -> profiles (traits) -> segments, each in the warehouse.
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
  const timed = async <T>(stage: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    ctx.log(stage);
    const result = await work();
    seconds[stage] = Math.round(performance.now() - started) / 1000;
    return result;
  };
  const steps = compileModels(ctx.project, ctx.warehouse.dialect, selected);
  await timed('models', () => executeSteps(ctx.warehouse, steps, (l) => ctx.log(`  ${l}`)));
  const badRows = (await timed('types', () => typeSources(ctx))).filter((b) => b.rows > 0);
  const counts = {
    models: steps.filter((s) => s.stage === 'models').length,
    sources: steps.filter((s) => s.stage === 'sources').length,
    badRows,
  };
  const hasIdentifiers = ctx.project.identity !== undefined && ctx.project.sources.some((s) => s.identifiers.length > 0);
  if (!hasIdentifiers) return { ...counts, seconds };

  const identity = await timed('identity', () => runIdentity(ctx));
  const profiles = await timed('profiles', () =>
    runProfiles(ctx, (source) => rowProfileSelect(ctx.project, ctx.warehouse.dialect, { name: source })),
  );
  return { ...counts, identity, profiles, seconds };
}
