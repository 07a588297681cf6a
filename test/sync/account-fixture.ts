/**
 * Account syncs against the sandboxes. The account tables are built by the account model (docs/accounts-sync.md);
 * these tests create them directly in the DuckDB file with the columns that page documents.
 */
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import type { Value } from '../../src/warehouse/warehouse.js';
import { loadProject } from '../../src/config/load-project.js';
import { progressFactory } from '../../src/sync/sync-progress.js';
import { selectSyncs, syncProject, type ProjectSyncResult } from '../../src/sync/sync-project.js';
import { syncTuning } from '../../src/sync/sync-tuning.js';
import { yaml } from '../helpers/project.js';
import { warehousePath } from '../destinations/destination-fixture.js';

/** A row of `accounts` as the account model builds it: account_id plus one column per account trait. */
export interface Account {
  readonly account_id: string;
  readonly name: string;
  readonly domain: string | null;
  readonly mrr: number | null;
  readonly members: number;
}

export interface AccountWarehouse {
  readonly accounts: readonly Account[];
  /** `account_segment_members`: [account_id, segment]. */
  readonly segments?: readonly (readonly [string, string])[];
  /** `account_members`: [profile_id, account_id]. */
  readonly members?: readonly (readonly [string, string])[];
}

export function accounts(n: number, make: (i: number) => Partial<Account> = () => ({})): Account[] {
  return Array.from({ length: n }, (_, i) => ({ account_id: `a${String(i).padStart(4, '0')}`, name: `Company ${i}`, domain: `company${i}.com`, mrr: i * 100, members: (i % 4) + 1, ...make(i) }));
}

/** Writes `accounts`, `account_members`, `account_segment_members` and `account_identifiers` (schema cdp). */
export async function seedAccounts(dir: string, data: AccountWarehouse): Promise<void> {
  const w = await DuckDBWarehouse.open({ path: warehousePath(dir) });
  try {
    await w.execute('create schema if not exists cdp');
    await w.execute('create or replace table cdp.accounts (account_id varchar, name varchar, domain varchar, mrr double, members bigint)');
    await w.execute('create or replace table cdp.account_members (profile_id varchar, account_id varchar, reason varchar)');
    await w.execute('create or replace table cdp.account_segment_members (account_id varchar, segment varchar, entered_at timestamp)');
    await w.execute('create or replace table cdp.account_identifiers (account_id varchar, id_type varchar, id_value varchar, first_seen timestamp, last_seen timestamp)');
    const rows = data.accounts.map((a): Value[] => [a.account_id, a.name, a.domain, a.mrr, a.members]);
    if (rows.length > 0) await w.insertRows({ schema: 'cdp', name: 'accounts' }, ['account_id', 'name', 'domain', 'mrr', 'members'], rows);
    const ids = data.accounts.flatMap((a): Value[][] => (a.domain ? [[a.account_id, 'domain', a.domain, '2026-01-01 00:00:00', '2026-01-01 00:00:00']] : []));
    if (ids.length > 0) await w.insertRows({ schema: 'cdp', name: 'account_identifiers' }, ['account_id', 'id_type', 'id_value', 'first_seen', 'last_seen'], ids);
    const segments = (data.segments ?? []).map(([account, segment]): Value[] => [account, segment, '2026-01-01 00:00:00']);
    if (segments.length > 0) await w.insertRows({ schema: 'cdp', name: 'account_segment_members' }, ['account_id', 'segment', 'entered_at'], segments);
    const members = (data.members ?? []).map(([profile, account]): Value[] => [profile, account, 'test']);
    if (members.length > 0) await w.insertRows({ schema: 'cdp', name: 'account_members' }, ['profile_id', 'account_id', 'reason'], members);
  } finally {
    await w.close();
  }
}

export const HUBSPOT_COMPANIES = yaml`
  sync: companies
  destination: hubspot
  object: companies
  fields:
    name: name
    domain: domain
    cdp_mrr: mrr
    cdp_members: members
  segments:
    hot_accounts: { list: "CDP: Hot accounts" }
  create_fields: true
  max_removals_pct: 100
  max_audience_removals_pct: 100
  max_field_clears_pct: 100
`;

export const SALESFORCE_ACCOUNTS = yaml`
  sync: accounts
  destination: salesforce
  object: Account
  fields:
    Name: name
    Website: domain
    CDP_MRR__c: mrr
  segments:
    hot_accounts: { field: CDP_Hot_Account__c }
  max_removals_pct: 100
  max_audience_removals_pct: 100
  max_field_clears_pct: 100
`;

/**
 * Runs the sync engine in-process on a project that declares accounts. Until the account model adds
 * `accounts:` to the project files, `cdp sync` refuses person syncs that use accounts (docs/accounts-sync.md),
 * so these tests hand the loaded project an `accounts` entry and call the engine as `cdp sync` does.
 */
export async function syncWithAccounts(dir: string, env: Readonly<Record<string, string>>, names: readonly string[] = []): Promise<ProjectSyncResult> {
  const loaded = await loadProject(dir, env);
  if (!loaded.project) throw new Error(`project did not load: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
  const project = { ...loaded.project, accounts: { id_types: {}, free_mail_domains: [], max_profile_size: 0, membership: [], traits: [], segments: [], origin: { file: { file: "models/accounts.yaml" }, path: ["accounts"] } } } as unknown as typeof loaded.project;
  const warehouse = await DuckDBWarehouse.open({ path: warehousePath(dir) });
  try {
    const stage = { project, warehouse, runId: `test-${Date.now()}`, asOf: new Date(), fullRefresh: false, log: () => undefined };
    return await syncProject(stage, { syncs: selectSyncs(project, names), fullResync: false, tuning: syncTuning(env), progress: progressFactory({ interactive: false, line: () => undefined }) });
  } finally {
    await warehouse.close();
  }
}
