/**
 * Account syncs against the sandboxes. The account tables are built by the account model (docs/accounts-sync.md);
 * these tests create them directly in the DuckDB file with the columns that page documents.
 */
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { createProfileChangesSql, logEverythingSql } from '../../src/model/profile-changes.js';
import type { Value } from '../../src/warehouse/warehouse.js';
import { cdp, yaml } from '../helpers/project.js';
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

/**
 * Writes `accounts`, `account_members`, `account_segment_members` and `account_identifiers` (schema cdp), and, as a
 * build that rewrote them would, logs that every profile and account may have changed (docs/incremental.md#syncs).
 */
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
    for (const sql of [...createProfileChangesSql(w.dialect, 'cdp'), logEverythingSql(w.dialect, 'cdp')]) await w.execute(sql);
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
 * A minimal `accounts:` block valid for the fixture's sources (docs/accounts.md): people are linked by email,
 * accounts come from an account source keyed by domain, and membership is by business email domain. The
 * tests seed the tables `cdp build` would write (seedAccounts) and run `cdp sync` on them.
 */
export const ACCOUNTS_MODEL = yaml`
  identity:
    id_types:
      work_email: { priority: 1, normalize: email }
  sources:
    - name: companies_raw
      table: raw.companies
      entity: account
      timestamp: updated_at
      identifiers:
        - { column: domain, type: domain }
  accounts:
    id_types:
      domain: { priority: 1, normalize: domain }
    membership:
      - { email_domain: true }
    traits:
      - { name: name, from: companies_raw, aggregate: last, column: name }
      - { name: domain, from: companies_raw, aggregate: last, column: domain }
      - { name: mrr, from: companies_raw, aggregate: sum, column: mrr }
      - { name: members, rollup: count }
    segments:
      - { name: hot_accounts, where: "mrr >= 100" }
`;

/** What `cdp sync --json` reports per sync (the parts these tests read). */
export interface SyncReport {
  readonly syncs: readonly { readonly sync: string; readonly rejected: number; readonly diff: { readonly records: number; readonly field_updates: Readonly<Record<string, number>> } }[];
}

/** Runs the real `cdp sync` (all syncs, or the named ones) and returns its JSON report. */
export async function syncWithAccounts(dir: string, env: Readonly<Record<string, string>>, names: readonly string[] = []): Promise<SyncReport> {
  const res = await cdp(dir, ['sync', ...names, '--json'], env);
  if (res.code !== 0) throw new Error(`cdp sync exited ${res.code}: ${res.stderr}${res.stdout}`);
  return JSON.parse(res.stdout) as SyncReport;
}
