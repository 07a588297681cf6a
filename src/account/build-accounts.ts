import type { LoadedProject } from '../config/load-project.js';
import { executePlan } from '../model/execute-plan.js';
import type { PlanStep } from '../model/plan.js';
import type { StageContext } from '../model/stage-context.js';
import type { Row } from '../warehouse/warehouse.js';
import { accountSpec } from './account-spec.js';

export interface AccountSummary {
  readonly accounts: number;
  readonly members: number;
  /** Persons whose account changed (joined, left or moved) in this build. */
  readonly membershipChanges: number;
  /** Accounts over accounts.max_profile_size identifiers (the over-merge guard), largest first. */
  readonly oversized: readonly { readonly accountId: string; readonly identifiers: number }[];
  readonly segments: Readonly<Record<string, number>>;
}

/** The sources with `entity: account` that account identity reads (a build's `accounts` line counts their rows). */
export function accountSourceNames(project: LoadedProject): string[] {
  return accountSpec(project)?.identity.sources.map((s) => s.name) ?? [];
}

/**
 * The account stages of `cdp build` (docs/accounts.md), after the person segments: executes their plan
 * steps (accounts-plan.ts; `cdp build` hands it those of its compiled plan) and builds the report from the
 * plan's `read` steps. Undefined for a project without `accounts:`.
 */
export async function buildAccounts(ctx: StageContext, steps: readonly PlanStep[]): Promise<AccountSummary | undefined> {
  const spec = accountSpec(ctx.project);
  if (!spec || steps.length === 0) return undefined;
  const run = await executePlan(ctx.warehouse, steps, { fullRefresh: ctx.fullRefresh, log: ctx.log });
  const rows = (id: string): readonly Row[] => run.reads.get(`accounts.${id}`) ?? [];
  const n = (id: string) => Number(rows(id)[0]?.n ?? 0);
  const oversized = rows('oversized').map((r) => ({ accountId: String(r.account_id), identifiers: Number(r.n) }));
  for (const o of oversized.slice(0, 5)) ctx.log(`  account ${o.accountId} has ${o.identifiers} identifiers (max_profile_size ${spec.identity.maxProfileSize})`);
  const segments: Record<string, number> = {};
  for (const r of rows('sizes')) segments[String(r.segment)] = Number(r.n);
  return {
    accounts: n('accounts'),
    members: n('members_count'),
    membershipChanges: n('changes_after') - n('changes_before'),
    oversized,
    segments,
  };
}
