import type { LoadedProject } from '../config/load-project.js';
import type { Dialect, TableRef } from '../dialect/dialect.js';
import { componentsLoopSql } from '../identity/compile-identity-sql.js';
import { loopTables } from '../identity/connected-components.js';
import type { PlanStep } from '../model/plan.js';
import type { SourceColumnTypes } from '../profile/compile-traits.js';
import { accountIdentitySql } from './account-identity-sql.js';
import { accountMembershipSql } from './account-membership-sql.js';
import { accountSegmentSql } from './account-segments-sql.js';
import { accountSpec } from './account-spec.js';
import { compileAccountTraitsSelect } from './compile-account-traits.js';

export interface AccountPlanParams {
  readonly runId: string;
  readonly asOf: Date;
  readonly columnTypes?: SourceColumnTypes;
}

/**
 * The account stages of a build as plan steps, for `cdp compile` (docs/accounts.md): account identity,
 * membership, traits (`accounts`) and account segments, after the person segments. Empty for a project
 * without `accounts:`. `run-accounts.ts` sends the same statements from the same builders.
 */
export function compileAccounts(project: LoadedProject, d: Dialect, params: AccountPlanParams): PlanStep[] {
  const spec = accountSpec(project);
  if (!spec) return [];
  const t = spec.tables;
  const id = accountIdentitySql(project, d, spec, params);
  const members = accountMembershipSql(project, d, spec, params);
  const seg = accountSegmentSql(project, d, spec, params);
  const step = (name: string, label: string, statements: readonly string[]): PlanStep => ({ id: `accounts.${name}`, stage: 'accounts', label, statements });
  return [
    step('identity', 'accounts: identifiers, links, components, stable account ids', [
      ...id.createTables,
      ...id.values,
      id.observations,
      id.nodes,
      id.edges,
      ...componentsLoopSql(d, loopTables(t.scratch), id.componentsIn, id.componentsOut),
      id.comp,
      id.keep,
      id.assign,
      ...replace(d, t.identifiers, id.identifiersNext, true),
      note(`read for the report (accounts over max_profile_size):\n${id.oversized}`),
      ...id.cleanup,
    ]),
    step('membership', 'accounts: membership and its changes', [members.evaluate, members.recordChanges, ...replace(d, t.members, members.next, true), members.dropNow]),
    step('traits', 'accounts: traits', replace(d, t.accounts, compileAccountTraitsSelect(project, d, spec, params), 'both')),
    step('segments', 'accounts: segment members, entries and exits', [
      ...seg.createTables,
      seg.evaluate,
      seg.recordChanges,
      ...replace(d, t.segmentMembers, seg.next, true),
      seg.dropNow,
    ]),
  ];
}

/** What replaceTable (warehouse/replace-table.ts) sends: a staging table, then the swap; `both` writes the first-build form too. */
export function replace(d: Dialect, target: TableRef, select: string, exists: true | 'both'): string[] {
  const staging = { schema: target.schema, name: `${target.name}__new` };
  const swap = d.swapTables(staging, target, true);
  const first = exists === 'both' ? d.swapTables(staging, target, false).filter((s) => !swap.includes(s)) : [];
  return [d.createTableAs(staging, select), ...swap, ...(first.length > 0 ? [note('on the first build (no table to replace yet):'), ...first] : [])];
}

/** A comment-only statement (see compile-identity-sql.ts). */
function note(text: string): string {
  return text
    .split('\n')
    .map((line) => `-- ${line}`)
    .join('\n');
}
