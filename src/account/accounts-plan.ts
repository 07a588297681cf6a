import type { LoadedProject } from '../config/load-project.js';
import type { Dialect, TableRef } from '../dialect/dialect.js';
import { componentsSteps } from '../identity/connected-components.js';
import { statementsStep, type PlanStep, type ReadStep } from '../model/plan.js';
import { changedKeysSql, logEverythingSql, logProfilesSql } from '../model/profile-changes.js';
import { replaceTableSteps, type ReplaceLog } from '../model/replace-table-steps.js';
import type { SourceColumnTypes } from '../profile/compile-traits.js';
import { accountIdentitySql, emailDomainsStatements, emailDomainsTable } from './account-identity-sql.js';
import { accountMembershipSql } from './account-membership-sql.js';
import { accountSegmentSql } from './account-segments-sql.js';
import { accountSpec } from './account-spec.js';
import { compileAccountTraitsSelect } from './compile-account-traits.js';

export interface AccountsPlanParams {
  readonly runId: string;
  readonly asOf: Date;
  /** Source column types, when known: `cdp build` reads them from the warehouse and casts traits to them. */
  readonly columnTypes?: SourceColumnTypes;
}

/**
 * The account stages as plan steps (docs/accounts.md), the one place their order is written, after the
 * person segments: `cdp build` executes them (build-accounts.ts) and `cdp compile` writes them. Account
 * identity (identifiers, links, identity's connected-components loop as the same typed loop steps, stable
 * account ids), membership and its changes, traits (`accounts`) and account segments, each table replaced
 * atomically. The `read` steps are what the build reports (oversized accounts, membership changes, sizes).
 * Empty for a project without `accounts:`.
 */
export function accountsPlan(project: LoadedProject, d: Dialect, params: AccountsPlanParams): PlanStep[] {
  const spec = accountSpec(project);
  if (!spec) return [];
  const t = spec.tables;
  const id = accountIdentitySql(project, d, spec, params);
  const members = accountMembershipSql(project, d, spec, params);
  const seg = accountSegmentSql(project, d, spec, params);
  const step = (name: string, label: string, statements: readonly string[]) => statementsStep('accounts', `accounts.${name}`, `accounts: ${label}`, statements);
  const read = (name: string, label: string, sql: string): ReadStep => ({ kind: 'read', id: `accounts.${name}`, stage: 'accounts', label: `accounts: ${label}`, sql });
  const count = (table: TableRef) => `select count(*) as n from ${d.table(table)}`;
  // Syncs diff only what changed (docs/incremental.md#syncs): each replaced table logs the accounts (account syncs)
  // or people (person syncs taking `account.<trait>`) whose rows differ; account rows log their members too.
  const schema = project.config.schema;
  const logged = (changed: (before: TableRef, after: TableRef) => string[]): ReplaceLog => ({ changed, first: [logEverythingSql(d, schema)] });
  const byKey = (key: string) => logged((before, after) => [logProfilesSql(d, schema, changedKeysSql(d, key, before, after))]);
  const accountsAndMembers = logged((before, after) => {
    const changed = changedKeysSql(d, 'account_id', before, after);
    return [logProfilesSql(d, schema, `${changed}\nunion all\nselect m.profile_id from ${d.table(t.members)} m where m.account_id in (select c.profile_id from (${changed}) c)`)];
  });
  return [
    step('identifiers', 'identifiers', [...id.createTables, ...emailDomainsStatements(project, d, spec), ...id.values, id.observations, id.nodes, id.edges]),
    ...componentsSteps(d, {
      edges: id.componentsIn,
      out: id.componentsOut,
      scratch: t.scratch,
      maxRounds: spec.identity.maxRounds,
      id: 'accounts.components',
      label: 'accounts: components',
      stage: 'accounts',
    }),
    step('ids', 'account ids', [id.comp, id.keep, id.assign]),
    ...replaceTableSteps(d, 'accounts', 'accounts.identifiers_table', 'accounts: identifiers', t.identifiers, id.identifiersNext, byKey('account_id')),
    read('oversized', 'oversized', id.oversized),
    step('identity_cleanup', 'clean up', id.cleanup),
    step('membership', 'membership', [members.evaluate]),
    read('changes_before', 'membership changes', count(t.membershipChanges)),
    step('membership_changes', 'membership changes', [members.recordChanges]),
    read('changes_after', 'membership changes', count(t.membershipChanges)),
    ...replaceTableSteps(d, 'accounts', 'accounts.members', 'accounts: members', t.members, members.next, byKey('profile_id')),
    step('membership_drop', 'membership', [members.dropNow, d.dropScratchTable(emailDomainsTable(spec))]),
    ...replaceTableSteps(d, 'accounts', 'accounts.traits', 'accounts: traits', t.accounts, compileAccountTraitsSelect(project, d, spec, params), accountsAndMembers),
    step('segments', 'segments', [...seg.createTables, seg.evaluate, seg.recordChanges]),
    ...replaceTableSteps(d, 'accounts', 'accounts.segment_members', 'accounts: segment members', t.segmentMembers, seg.next, byKey('account_id')),
    step('segments_drop', 'segments', [seg.dropNow]),
    read('sizes', 'summary', `select segment, count(*) as n from ${d.table(t.segmentMembers)} group by segment`),
    read('accounts', 'summary', count(t.accounts)),
    read('members_count', 'summary', count(t.members)),
  ];
}
