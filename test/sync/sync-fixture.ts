import { join } from 'node:path';
import { CONTACTS } from '@cdp-oss/crm-sandbox';
import { DEFAULT_SANDBOX_TOKEN, startHubSpotSandbox, type HubSpotSandbox, type HubSpotSandboxOptions } from '@cdp-oss/crm-sandbox';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import type { Row, Value } from '../../src/warehouse/warehouse.js';
import { cdp, writeProject, yaml, type CliResult } from '../helpers/project.js';

export const TOKEN = DEFAULT_SANDBOX_TOKEN;

/** A profile row as the lead's profile stage builds it (for tests we create the table directly). */
export interface Profile {
  readonly profile_id: string;
  readonly email: string | null;
  readonly first_name?: string | null;
  readonly lifetime_value?: number | null;
  readonly order_count?: number | null;
  readonly marketing_consent?: boolean | null;
  readonly last_order_at?: string | null;
}

export interface Membership {
  readonly segment: string;
  readonly profile_id: string;
}

export function startSandbox(options: HubSpotSandboxOptions = {}): Promise<HubSpotSandbox> {
  return startHubSpotSandbox({ requestsPer10s: 0, searchPerSecond: 0, ...options });
}

export interface ConnectorOptions {
  readonly sync?: string;
  readonly mode?: 'upsert' | 'update' | 'mirror';
  readonly nulls?: 'skip' | 'clear';
  readonly where?: string;
  readonly audience?: string;
  readonly createFields?: boolean;
  readonly maxRemovalsPct?: number;
  readonly maxAudienceRemovalsPct?: number;
  readonly maxFieldClearsPct?: number;
  /** The connector's match: line (default `{ trait: email, field: email }`). */
  readonly match?: string;
  readonly fields?: Readonly<Record<string, string>>;
  readonly segments?: string;
  readonly requestsPer10s?: number;
}

export const DEFAULT_FIELDS = { firstname: 'first_name', cdp_lifetime_value: 'lifetime_value', cdp_order_count: 'order_count', cdp_last_order_at: 'last_order_at' };

/** A project whose profiles table the test creates itself; traits and segments are declared so validation passes. */
export function projectFiles(connector: ConnectorOptions = {}): Record<string, string> {
  const fields = connector.fields ?? DEFAULT_FIELDS;
  return {
    'cdp.config.yaml': yaml`
      project: t
      warehouse: { type: duckdb, path: .cdp/warehouse.duckdb }
      destinations:
        hubspot:
          type: hubspot
          accessToken: \${HUBSPOT_ACCESS_TOKEN}
          baseUrl: \${HUBSPOT_BASE_URL}
          requestsPer10s: ${connector.requestsPer10s ?? 1000}
    `,
    'models/people.yaml': yaml`
      sources:
        - { name: people, table: raw.people, timestamp: updated_at }
      traits:
        - { name: email, from: people, aggregate: last, column: email }
        - { name: first_name, from: people, aggregate: last, column: first_name }
        - { name: lifetime_value, from: people, aggregate: sum, column: amount }
        - { name: order_count, from: people, aggregate: count }
        - { name: marketing_consent, from: people, aggregate: last, column: consent }
        - { name: last_order_at, from: people, aggregate: max, column: updated_at }
      segments:
        - { name: high_value, where: "lifetime_value > 100" }
        - { name: loyal, where: "order_count > 5" }
    `,
    [`connectors/${connector.sync ?? 'contacts'}.yaml`]: [
      `sync: ${connector.sync ?? 'contacts'}`,
      'destination: hubspot',
      'object: contacts',
      `audience: ${connector.audience ?? 'all'}`,
      ...(connector.where !== undefined ? [`where: ${JSON.stringify(connector.where)}`] : []),
      `match: ${connector.match ?? '{ trait: email, field: email }'}`,
      `mode: ${connector.mode ?? 'upsert'}`,
      `nulls: ${connector.nulls ?? 'skip'}`,
      'fields:',
      ...Object.entries(fields).map(([k, v]) => `  ${k}: ${v}`),
      connector.segments ?? 'segments:\n  high_value: { list: "CDP: High value" }\n  loyal: { field: cdp_loyal }',
      `create_fields: ${connector.createFields ?? true}`,
      `max_removals_pct: ${connector.maxRemovalsPct ?? 100}`,
      `max_audience_removals_pct: ${connector.maxAudienceRemovalsPct ?? 100}`,
      `max_field_clears_pct: ${connector.maxFieldClearsPct ?? 100}`,
      '',
    ].join('\n'),
  };
}

export async function makeProject(connector: ConnectorOptions = {}): Promise<string> {
  return writeProject(projectFiles(connector));
}

export function warehousePath(dir: string): string {
  return join(dir, '.cdp/warehouse.duckdb');
}

/** Replaces cdp.profiles and cdp.segment_members with these rows. */
export async function seed(dir: string, profiles: readonly Profile[], members: readonly Membership[]): Promise<void> {
  const w = await DuckDBWarehouse.open({ path: warehousePath(dir) });
  try {
    await w.execute('create schema if not exists cdp');
    await w.execute(
      'create or replace table cdp.profiles (profile_id varchar, email varchar, first_name varchar, lifetime_value double, order_count bigint, marketing_consent boolean, last_order_at timestamp)',
    );
    await w.execute('create or replace table cdp.segment_members (segment varchar, profile_id varchar, entered_at timestamp)');
    const columns = ['profile_id', 'email', 'first_name', 'lifetime_value', 'order_count', 'marketing_consent', 'last_order_at'];
    const rows = profiles.map((p): Value[] => [p.profile_id, p.email, p.first_name ?? null, p.lifetime_value ?? null, p.order_count ?? null, p.marketing_consent ?? null, p.last_order_at ?? null]);
    for (let i = 0; i < rows.length; i += 5000) await w.insertRows({ schema: 'cdp', name: 'profiles' }, columns, rows.slice(i, i + 5000));
    const memberRows = members.map((m): Value[] => [m.segment, m.profile_id, '2026-01-01 00:00:00']);
    for (let i = 0; i < memberRows.length; i += 5000) await w.insertRows({ schema: 'cdp', name: 'segment_members' }, ['segment', 'profile_id', 'entered_at'], memberRows.slice(i, i + 5000));
  } finally {
    await w.close();
  }
}

/** Segment memberships as the profile stage would compute them from the test's rule. */
export function membersOf(profiles: readonly Profile[]): Membership[] {
  return profiles.flatMap((p) => [
    ...((p.lifetime_value ?? 0) > 100 ? [{ segment: 'high_value', profile_id: p.profile_id }] : []),
    ...((p.order_count ?? 0) > 5 ? [{ segment: 'loyal', profile_id: p.profile_id }] : []),
  ]);
}

export async function query(dir: string, sql: string): Promise<Row[]> {
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
    lifetime_value: i * 10,
    order_count: i % 10,
    marketing_consent: true,
    last_order_at: '2026-01-02 03:04:05',
    ...make(i),
  }));
}

export async function runCdp(dir: string, sandbox: HubSpotSandbox, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  return cdp(dir, args, { HUBSPOT_BASE_URL: sandbox.url, HUBSPOT_ACCESS_TOKEN: TOKEN, CDP_SYNC_BACKOFF_SCALE: '0.01', CDP_SYNC_REQUEST_TIMEOUT_MS: '2000', ...env });
}

/** Live contacts by email: their properties (as HubSpot stores them) and id. */
export function contacts(sandbox: HubSpotSandbox): Map<string, { readonly id: string; readonly properties: ReadonlyMap<string, string> }> {
  return new Map(sandbox.store.allRecords(CONTACTS).map((r) => [r.properties.get('email') ?? `(no email ${r.id})`, { id: r.id, properties: r.properties }]));
}

/** Emails of a list's members. */
export function listEmails(sandbox: HubSpotSandbox, name: string): string[] {
  const list = sandbox.store.lists.byName(name);
  if (!list) return [];
  const byId = new Map(sandbox.store.allRecords(CONTACTS).map((r) => [r.id, r.properties.get('email') ?? '']));
  return [...list.members.keys()].map((id) => byId.get(id) ?? `(gone ${id})`).sort();
}

/** Writes per route key since the last stats reset. */
export function writes(sandbox: HubSpotSandbox): Record<string, number> {
  const stats = sandbox.stats;
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(stats.requests)) if (!key.startsWith('GET ') && !key.includes('/batch/read') && !key.includes('/search')) out[key] = n;
  return out;
}
