import type { StageContext } from '../model/stage-context.js';
import { connectedComponents } from '../identity/connected-components.js';
import { sourceColumnTypes } from '../profile/run-profiles.js';
import { replaceTable } from '../warehouse/replace-table.js';
import { accountIdentitySql } from './account-identity-sql.js';
import { accountMembershipSql } from './account-membership-sql.js';
import { accountSegmentSql } from './account-segments-sql.js';
import { accountSpec } from './account-spec.js';
import { compileAccountTraitsSelect } from './compile-account-traits.js';

export interface AccountSummary {
  readonly accounts: number;
  readonly members: number;
  /** Persons whose account changed (joined, left or moved) in this build. */
  readonly membershipChanges: number;
  /** Accounts over accounts.max_profile_size identifiers (the over-merge guard), largest first. */
  readonly oversized: readonly { readonly accountId: string; readonly identifiers: number }[];
  readonly segments: Readonly<Record<string, number>>;
}

/**
 * The account stages of `cdp build` (docs/accounts.md), after the person segments: account identity,
 * membership, traits and segments. Undefined for a project without `accounts:`. Sends the statements
 * compile-accounts.ts writes.
 */
export async function runAccounts(ctx: StageContext): Promise<AccountSummary | undefined> {
  const spec = accountSpec(ctx.project);
  if (!spec) return undefined;
  const w = ctx.warehouse;
  const d = w.dialect;
  const t = spec.tables;
  const params = { runId: ctx.runId, asOf: ctx.asOf };
  const exec = async (sqls: readonly string[], label: string) => {
    for (const sql of sqls) await w.execute(sql, { label: `accounts: ${label}` });
  };
  const count = async (sql: string) => Number((await w.query(sql, { label: 'accounts: count' }))[0]?.n ?? 0);

  ctx.log('accounts');
  const id = accountIdentitySql(ctx.project, d, spec, params);
  await exec([...id.createTables, ...id.values, id.observations, id.nodes, id.edges], 'identifiers');
  await connectedComponents(w, { edges: id.componentsIn, out: id.componentsOut, scratch: t.scratch, maxRounds: spec.identity.maxRounds, label: 'accounts: components' });
  await exec([id.comp, id.keep, id.assign], 'account ids');
  await replaceTable(w, t.identifiers, id.identifiersNext, { label: 'accounts: identifiers' });
  const oversized = (await w.query(id.oversized, { label: 'accounts: oversized' })).map((r) => ({ accountId: String(r.account_id), identifiers: Number(r.n) }));
  for (const o of oversized.slice(0, 5)) ctx.log(`  account ${o.accountId} has ${o.identifiers} identifiers (max_profile_size ${spec.identity.maxProfileSize})`);
  await exec(id.cleanup, 'clean up');

  const members = accountMembershipSql(ctx.project, d, spec, params);
  await exec([members.evaluate], 'membership');
  const changesBefore = await count(`select count(*) as n from ${d.table(t.membershipChanges)}`);
  await exec([members.recordChanges], 'membership changes');
  const membershipChanges = (await count(`select count(*) as n from ${d.table(t.membershipChanges)}`)) - changesBefore;
  await replaceTable(w, t.members, members.next, { label: 'accounts: members' });
  await exec([members.dropNow], 'membership');

  const columnTypes = spec.traits.some((x) => x.from !== undefined) ? await sourceColumnTypes(ctx) : undefined;
  await replaceTable(w, t.accounts, compileAccountTraitsSelect(ctx.project, d, spec, { ...params, columnTypes }), { label: 'accounts: traits' });

  const seg = accountSegmentSql(ctx.project, d, spec, params);
  await exec([...seg.createTables, seg.evaluate, seg.recordChanges], 'segments');
  await replaceTable(w, t.segmentMembers, seg.next, { label: 'accounts: segment members' });
  await exec([seg.dropNow], 'segments');

  const segments: Record<string, number> = {};
  for (const r of await w.query(`select segment, count(*) as n from ${d.table(t.segmentMembers)} group by segment`, { label: 'accounts: summary' })) segments[String(r.segment)] = Number(r.n);
  return {
    accounts: await count(`select count(*) as n from ${d.table(t.accounts)}`),
    members: await count(`select count(*) as n from ${d.table(t.members)}`),
    membershipChanges,
    oversized,
    segments,
  };
}
