import { join } from 'node:path';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_PASSWORD,
  DEFAULT_USERNAME,
  startSalesforceSandbox,
  type SalesforceSandbox,
  type SalesforceSandboxOptions,
} from '@cdp-oss/crm-sandbox';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import type { Value } from '../../src/warehouse/warehouse.js';
import { cdp, writeProject, yaml, type CliResult } from '../helpers/project.js';

/** Mirrors test/sync/sync-fixture.ts (the HubSpot harness) for a Salesforce org. */

export interface Profile {
  readonly profile_id: string;
  readonly email: string | null;
  readonly first_name?: string | null;
  readonly last_name?: string | null;
  readonly lifetime_value?: number | null;
  readonly order_count?: number | null;
  readonly marketing_consent?: boolean | null;
  readonly last_order_at?: string | null;
}

export interface Membership {
  readonly segment: string;
  readonly profile_id: string;
}

export const CUSTOM_FIELDS: SalesforceSandboxOptions['customFields'] = {
  Contact: [
    { name: 'Ext_Id__c', type: 'string', length: 64, externalId: true, unique: true },
    { name: 'CDP_Lifetime_Value__c', type: 'double', precision: 18, scale: 2 },
    { name: 'CDP_Order_Count__c', type: 'double', precision: 18, scale: 0 },
    { name: 'CDP_Last_Order_At__c', type: 'datetime' },
    { name: 'CDP_Loyal__c', type: 'boolean' },
    { name: 'CDP_Score_Formula__c', type: 'double', createable: false, updateable: false },
  ],
};

export function startSandbox(options: SalesforceSandboxOptions = {}): Promise<SalesforceSandbox> {
  return startSalesforceSandbox({ customFields: CUSTOM_FIELDS, bulkProcessingMs: 20, dailyApiLimit: 1_000_000, ...options });
}

export const PASSWORD_AUTH = '{ flow: password, clientId: "${SF_CLIENT_ID}", clientSecret: "${SF_CLIENT_SECRET}", username: "${SF_USERNAME}", password: "${SF_PASSWORD}" }';

export interface ConnectorOptions {
  readonly sync?: string;
  readonly object?: string;
  readonly mode?: 'upsert' | 'update' | 'mirror';
  readonly where?: string;
  readonly match?: string;
  readonly createFields?: boolean;
  readonly fields?: Readonly<Record<string, string>>;
  readonly segments?: string;
  /** The `auth:` of the destination (default: the password flow from SF_* variables). */
  readonly auth?: string;
  readonly bulkThreshold?: number;
  readonly apiVersion?: string;
}

export const DEFAULT_FIELDS = {
  FirstName: 'first_name',
  LastName: 'last_name',
  CDP_Lifetime_Value__c: 'lifetime_value',
  CDP_Order_Count__c: 'order_count',
  CDP_Last_Order_At__c: 'last_order_at',
};
export const DEFAULT_SEGMENTS = 'segments:\n  high_value: { campaign: "CDP: High value" }\n  loyal: { field: CDP_Loyal__c }';

export function projectFiles(c: ConnectorOptions = {}): Record<string, string> {
  return {
    'cdp.config.yaml': yaml`
      project: t
      warehouse: { type: duckdb, path: .cdp/warehouse.duckdb }
      destinations:
        salesforce:
          type: salesforce
          loginUrl: \${SALESFORCE_LOGIN_URL}
          apiVersion: "${c.apiVersion ?? '62.0'}"
          auth: ${c.auth ?? PASSWORD_AUTH}
          bulkThreshold: ${c.bulkThreshold ?? 2000}
    `,
    'models/people.yaml': yaml`
      sources:
        - { name: people, table: raw.people, timestamp: updated_at }
      traits:
        - { name: email, from: people, aggregate: last, column: email }
        - { name: first_name, from: people, aggregate: last, column: first_name }
        - { name: last_name, from: people, aggregate: last, column: last_name }
        - { name: lifetime_value, from: people, aggregate: sum, column: amount }
        - { name: order_count, from: people, aggregate: count }
        - { name: marketing_consent, from: people, aggregate: last, column: consent }
        - { name: last_order_at, from: people, aggregate: max, column: updated_at }
      segments:
        - { name: high_value, where: "lifetime_value > 100" }
        - { name: loyal, where: "order_count > 5" }
    `,
    [`connectors/${c.sync ?? 'contacts'}.yaml`]: [
      `sync: ${c.sync ?? 'contacts'}`,
      'destination: salesforce',
      `object: ${c.object ?? 'Contact'}`,
      ...(c.where !== undefined ? [`where: ${JSON.stringify(c.where)}`] : []),
      `match: ${c.match ?? '{ trait: email, field: Email }'}`,
      `mode: ${c.mode ?? 'upsert'}`,
      'fields:',
      ...Object.entries(c.fields ?? DEFAULT_FIELDS).map(([k, v]) => `  ${k}: ${v}`),
      c.segments ?? DEFAULT_SEGMENTS,
      `create_fields: ${c.createFields ?? false}`,
      'max_removals_pct: 100',
      'max_audience_removals_pct: 100',
      'max_field_clears_pct: 100',
      '',
    ].join('\n'),
  };
}

export function makeProject(c: ConnectorOptions = {}): Promise<string> {
  return writeProject(projectFiles(c));
}

export function warehousePath(dir: string): string {
  return join(dir, '.cdp/warehouse.duckdb');
}

/** Replaces cdp.profiles and cdp.segment_members with these rows (the profile stage's output). */
export async function seed(dir: string, profiles: readonly Profile[], members: readonly Membership[] = membersOf(profiles)): Promise<void> {
  const w = await DuckDBWarehouse.open({ path: warehousePath(dir) });
  try {
    await w.execute('create schema if not exists cdp');
    await w.execute(
      'create or replace table cdp.profiles (profile_id varchar, email varchar, first_name varchar, last_name varchar, lifetime_value double, order_count bigint, marketing_consent boolean, last_order_at timestamp)',
    );
    await w.execute('create or replace table cdp.segment_members (segment varchar, profile_id varchar, entered_at timestamp)');
    const columns = ['profile_id', 'email', 'first_name', 'last_name', 'lifetime_value', 'order_count', 'marketing_consent', 'last_order_at'];
    const rows = profiles.map((p): Value[] => [p.profile_id, p.email, p.first_name ?? null, p.last_name ?? null, p.lifetime_value ?? null, p.order_count ?? null, p.marketing_consent ?? null, p.last_order_at ?? null]);
    for (let i = 0; i < rows.length; i += 5000) await w.insertRows({ schema: 'cdp', name: 'profiles' }, columns, rows.slice(i, i + 5000));
    const memberRows = members.map((m): Value[] => [m.segment, m.profile_id, '2026-01-01 00:00:00']);
    for (let i = 0; i < memberRows.length; i += 5000) await w.insertRows({ schema: 'cdp', name: 'segment_members' }, ['segment', 'profile_id', 'entered_at'], memberRows.slice(i, i + 5000));
  } finally {
    await w.close();
  }
}

export function membersOf(profiles: readonly Profile[]): Membership[] {
  return profiles.flatMap((p) => [
    ...((p.lifetime_value ?? 0) > 100 ? [{ segment: 'high_value', profile_id: p.profile_id }] : []),
    ...((p.order_count ?? 0) > 5 ? [{ segment: 'loyal', profile_id: p.profile_id }] : []),
  ]);
}

export async function query(dir: string, sql: string): Promise<Record<string, unknown>[]> {
  const w = await DuckDBWarehouse.open({ path: warehousePath(dir) });
  try {
    return await w.query(sql);
  } finally {
    await w.close();
  }
}

export function people(n: number, make: (i: number) => Partial<Profile> = () => ({})): Profile[] {
  return Array.from({ length: n }, (_, i) => ({
    profile_id: `p${String(i).padStart(5, '0')}`,
    email: `person${i}@example.com`,
    first_name: `Name${i}`,
    last_name: `Family${i}`,
    lifetime_value: i * 10,
    order_count: i % 10,
    marketing_consent: true,
    last_order_at: '2026-01-02 03:04:05',
    ...make(i),
  }));
}

export function sandboxEnv(sandbox: SalesforceSandbox): Record<string, string> {
  return {
    SALESFORCE_LOGIN_URL: sandbox.url,
    SF_CLIENT_ID: DEFAULT_CLIENT_ID,
    SF_CLIENT_SECRET: DEFAULT_CLIENT_SECRET,
    SF_USERNAME: DEFAULT_USERNAME,
    SF_PASSWORD: DEFAULT_PASSWORD,
    CDP_SYNC_BACKOFF_SCALE: '0.01',
    CDP_SYNC_REQUEST_TIMEOUT_MS: '2000',
  };
}

export function runCdp(dir: string, sandbox: SalesforceSandbox, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  return cdp(dir, args, { ...sandboxEnv(sandbox), ...env });
}

/** Live contacts by Email: their field values as the org stores them. */
export function contacts(sandbox: SalesforceSandbox): Map<string, Readonly<Record<string, unknown>>> {
  return new Map(sandbox.store.list('Contact').map((r) => [String(r.values.Email ?? `(no email ${r.id})`), r.values]));
}

/** Emails of a campaign's members (by campaign Name). */
export function campaignEmails(sandbox: SalesforceSandbox, name: string): string[] {
  const campaign = sandbox.store.list('Campaign').find((c) => c.values.Name === name);
  if (!campaign) return [];
  const emails = new Map(sandbox.store.list('Contact').map((c) => [c.id, String(c.values.Email)]));
  return sandbox.store
    .list('CampaignMember')
    .filter((m) => m.values.CampaignId === campaign.id)
    .map((m) => emails.get(String(m.values.ContactId)) ?? `(gone ${String(m.values.ContactId)})`)
    .sort();
}

/** Requests per route key that change data, since the last stats reset. */
export function writes(sandbox: SalesforceSandbox): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(sandbox.stats.requests)) if (!key.startsWith('GET ') && !key.startsWith('POST /services/oauth2')) out[key] = n;
  return out;
}

export function highValueEmails(profiles: readonly Profile[]): string[] {
  return profiles.filter((p) => (p.lifetime_value ?? 0) > 100).map((p) => String(p.email)).sort();
}
