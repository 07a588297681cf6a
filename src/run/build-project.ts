import { compileModels } from '../model/compile-models.js';
import { executeSteps, type StageContext } from './stage-context.js';

export interface BuildSummary {
  readonly models: number;
  readonly sources: number;
  readonly seconds: Readonly<Record<string, number>>;
}

/** `cdp build`: models -> sources -> identity -> profiles -> segments, each in the warehouse. */
export async function buildProject(ctx: StageContext, selected?: ReadonlySet<string>): Promise<BuildSummary> {
  const seconds: Record<string, number> = {};
  const timed = async <T>(stage: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    seconds[stage] = Math.round(performance.now() - started) / 1000;
    return result;
  };
  const steps = compileModels(ctx.project, ctx.warehouse.dialect, selected);
  await timed('models', () => executeSteps(ctx.warehouse, steps, (l) => ctx.log(`  ${l}`)));
  return {
    models: steps.filter((s) => s.stage === 'models').length,
    sources: steps.filter((s) => s.stage === 'sources').length,
    seconds,
  };
}
