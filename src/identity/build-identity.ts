import { RunError } from '../diagnostics/diagnostic.js';
import { executePlan, type PlanRun } from '../model/execute-plan.js';
import type { PlanStep } from '../model/plan.js';
import type { StageContext } from '../model/stage-context.js';
import { collectReport, type IdentityReport } from './identity-report.js';
import { identityPlan } from './identity-plan.js';
import { identitySpec } from './identity-spec.js';
import { identityTables } from './identity-tables.js';
import { vetoedCount } from './limit-guard.js';
import type { IdentityMode } from './update-components.js';

/** The loops whose rounds the report counts: the components (full, or split and merge) and the per-type limits. */
const COUNTED_LOOPS = ['identity.full.rounds', 'identity.split.rounds', 'identity.merge.rounds', 'identity.limits.rounds'];

/**
 * The identity stage of `cdp build` (runs after models and sources): executes the identity plan steps
 * (identity-plan.ts; `cdp build` hands it those of its compiled plan) and returns the report it reads at
 * the plan's `identity.report` hook, before publishing. With `fail_on_oversize`, a profile over
 * `max_profile_size` stops the build there: nothing is published. See CONTEXT.md.
 */
export async function buildIdentity(ctx: StageContext, steps?: readonly PlanStep[]): Promise<IdentityReport> {
  const started = performance.now();
  const w = ctx.warehouse;
  const spec = identitySpec(ctx.project);
  const t = identityTables(spec.schema);
  let report: IdentityReport | undefined;
  const count = (run: PlanRun, id: string) => Number(run.reads.get(id)?.[0]?.n ?? 0);
  const hook = async (run: PlanRun) => {
    report = await collectReport(w, t, {
      mode: run.decisions.get('identity.mode') as IdentityMode,
      rounds: COUNTED_LOOPS.reduce((sum, id) => sum + (run.rounds.get(id) ?? 0), 0),
      edgesAdded: count(run, 'identity.edges_added'),
      edgesRemoved: count(run, 'identity.edges_removed'),
      droppedByLimit: vetoedCount(spec, run.reads.get('identity.limits.veto') ?? []),
      maxProfileSize: spec.maxProfileSize,
      newHubs: count(run, 'identity.new_hubs'),
      started,
    });
    if (spec.failOnOversize && report.oversized.length > 0) {
      const first = report.oversized[0];
      throw new RunError(
        'identity-oversize',
        `${report.oversized.length} profile(s) exceed max_profile_size ${spec.maxProfileSize} (largest ${first.profileId} with ${first.identifiers} identifiers); identity was not published`,
        'a value shared by many people is usually the cause: lower max_links_per_value, add it to the blocklist, or set per-type limits',
      );
    }
  };
  await executePlan(w, steps ?? identityPlan(ctx.project, w.dialect, ctx), { fullRefresh: ctx.fullRefresh, log: ctx.log, hooks: { 'identity.report': hook } });
  if (!report) throw new Error('the identity plan has no identity.report step');
  return report;
}
