import { identityGateSchema } from '../config/schema.js';
import { acceptIdentityGates, pendingIdentityGates } from '../identity/identity-gate-store.js';
import { recheckIdentityGate, type IdentityGate } from '../identity/identity-gate.js';
import type { StageContext } from '../model/stage-context.js';

/** Whether syncs may send (docs/identity-gate.md). `held` lists the tripped builds, newest first, with checks against today's config. */
export type IdentityGateCheck =
  | { readonly open: true; readonly accepted: readonly IdentityGate[] }
  | { readonly open: false; readonly held: readonly IdentityGate[] };

/**
 * The hook where every sync starts. A build that tripped the gate holds all syncs before anything is
 * sent until it is accepted (`accept`: this run accepts it, recorded in `identity_gates`) or the config
 * changes so that its numbers no longer exceed the thresholds.
 */
export async function checkIdentityGate(stage: StageContext, accept: boolean): Promise<IdentityGateCheck> {
  const config = stage.project.identity?.gate ?? identityGateSchema.parse({});
  const pending = await pendingIdentityGates(stage.warehouse, stage.project);
  const held = pending
    .map((g) => ({ ...g, checks: recheckIdentityGate(g, config) }))
    .filter((g) => g.checks.some((c) => c.exceeded));
  if (held.length === 0) return { open: true, accepted: [] };
  if (!accept) return { open: false, held };
  return { open: true, accepted: await acceptIdentityGates(stage.warehouse, stage.project, held, stage.runId) };
}
