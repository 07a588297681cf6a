/**
 * One harness for every CRM destination: start its sandbox, write a project whose connector targets it,
 * seed profiles, run cdp against it, read the CRM's state and inject faults. The suites in this folder
 * run once per entry of DESTINATIONS (`describe.each`). This is the one test module that imports the
 * sandboxes from src/sandbox; other tests reach them through it.
 */
import { join } from 'node:path';
import type { FaultConfigInput } from '@cdp-oss/crm-sandbox';
import { CONTACTS } from '@cdp-oss/crm-sandbox';
import { DEFAULT_SANDBOX_TOKEN, startHubSpotSandbox, type HubSpotSandbox, type HubSpotSandboxOptions } from '@cdp-oss/crm-sandbox';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_PASSWORD,
  DEFAULT_USERNAME,
  startSalesforceSandbox,
  type SalesforceFaultInput,
  type SalesforceSandbox,
  type SalesforceSandboxOptions,
} from '@cdp-oss/crm-sandbox';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { createProfileChangesSql, logEverythingSql } from '../../src/model/profile-changes.js';
import type { Row, Value } from '../../src/warehouse/warehouse.js';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { cdp, removeProject, writeProject, yaml, type CliResult } from '../helpers/project.js';

export type { FaultConfigInput, HubSpotSandbox, HubSpotSandboxOptions, SalesforceFaultInput, SalesforceSandbox, SalesforceSandboxOptions };
export { CONTACTS };

// ---------------------------------------------------------------------------------------------
// The warehouse side, the same for every destination

/** A profile row as the profile stage builds it (tests create the table directly). */
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

/** Every destination's connector options; a destination ignores the ones it has no setting for. */
export interface ConnectorOptions {
  readonly sync?: string;
  readonly object?: string;
  readonly mode?: 'upsert' | 'update' | 'mirror';
  readonly nulls?: 'skip' | 'clear';
  readonly where?: string;
  readonly audience?: string;
  readonly createFields?: boolean;
  readonly maxRemovalsPct?: number;
  readonly maxAudienceRemovalsPct?: number;
  readonly maxFieldClearsPct?: number;
  /** The connector's match: line (default: the email trait to the destination's email field). */
  readonly match?: string;
  readonly fields?: Readonly<Record<string, string>>;
  readonly segments?: string;
  /** HubSpot: the destination's requestsPer10s. */
  readonly requestsPer10s?: number;
  /** Salesforce: the `auth:` of the destination (default: the password flow from SF_* variables). */
  readonly auth?: string;
  readonly bulkThreshold?: number;
  readonly apiVersion?: string;
}

const MODEL = yaml`
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
`;

/** The connector file: what differs between destinations is passed in. */
function connectorFile(destination: string, c: ConnectorOptions, d: { object: string; match: string; fields: Readonly<Record<string, string>>; segments: string; createFields: boolean }): Record<string, string> {
  return {
    [`connectors/${c.sync ?? 'contacts'}.yaml`]: [
      `sync: ${c.sync ?? 'contacts'}`,
      `destination: ${destination}`,
      `object: ${c.object ?? d.object}`,
      ...(c.audience !== undefined || destination === 'hubspot' ? [`audience: ${c.audience ?? 'all'}`] : []),
      ...(c.where !== undefined ? [`where: ${JSON.stringify(c.where)}`] : []),
      `match: ${c.match ?? d.match}`,
      `mode: ${c.mode ?? 'upsert'}`,
      ...(c.nulls !== undefined || destination === 'hubspot' ? [`nulls: ${c.nulls ?? 'skip'}`] : []),
      'fields:',
      ...Object.entries(c.fields ?? d.fields).map(([k, v]) => `  ${k}: ${v}`),
      c.segments ?? d.segments,
      `create_fields: ${c.createFields ?? d.createFields}`,
      `max_removals_pct: ${c.maxRemovalsPct ?? 100}`,
      `max_audience_removals_pct: ${c.maxAudienceRemovalsPct ?? 100}`,
      `max_field_clears_pct: ${c.maxFieldClearsPct ?? 100}`,
      '',
    ].join('\n'),
  };
}

export function warehousePath(dir: string): string {
  return join(dir, '.cdp/warehouse.duckdb');
}

/** Segment memberships as the profile stage would compute them from the model's rules. */
export function membersOf(profiles: readonly Profile[]): Membership[] {
  return profiles.flatMap((p) => [
    ...((p.lifetime_value ?? 0) > 100 ? [{ segment: 'high_value', profile_id: p.profile_id }] : []),
    ...((p.order_count ?? 0) > 5 ? [{ segment: 'loyal', profile_id: p.profile_id }] : []),
  ]);
}

/** Emails of the profiles in the high_value segment, sorted. */
export function highValueEmails(profiles: readonly Profile[]): string[] {
  return profiles.filter((p) => (p.lifetime_value ?? 0) > 100).map((p) => String(p.email)).sort();
}

/**
 * Replaces cdp.profiles and cdp.segment_members with these rows (the profile stage's output), and logs it as a full
 * build unless `logged` is false (the caller writes `profile_changes` itself).
 */
export async function seed(dir: string, profiles: readonly Profile[], members: readonly Membership[] = membersOf(profiles), logged = true): Promise<void> {
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
    // As a full build would: every profile may have changed, so syncs diff everything (docs/incremental.md#syncs).
    if (logged) for (const sql of [...createProfileChangesSql(w.dialect, 'cdp'), logEverythingSql(w.dialect, 'cdp')]) await w.execute(sql);
  } finally {
    await w.close();
  }
}

export async function query(dir: string, sql: string): Promise<Row[]> {
  const w = await DuckDBWarehouse.open({ path: warehousePath(dir) });
  try {
    return await w.query(sql);
  } finally {
    await w.close();
  }
}

/** How many records cdp has confirmed for the `contacts` sync. */
export async function confirmed(dir: string): Promise<number> {
  return Number((await query(dir, 'select count(*) as n from cdp.sync_state_contacts'))[0].n);
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

/** Two fields changed on p00003, one on p00004, a segment entry for p00005 and an exit for p00200. */
export function changeFour(profiles: readonly Profile[]): Profile[] {
  const change: Readonly<Record<string, Partial<Profile>>> = { p00003: { first_name: 'Renamed', order_count: 42 }, p00004: { lifetime_value: 41 }, p00005: { lifetime_value: 500 }, p00200: { lifetime_value: 1 } };
  return profiles.map((p) => ({ ...p, ...change[p.profile_id] }));
}

/** Environment every test run gets: quick backoff, a short request timeout. */
const RUN_ENV = { CDP_SYNC_BACKOFF_SCALE: '0.01', CDP_SYNC_REQUEST_TIMEOUT_MS: '2000' };

// ---------------------------------------------------------------------------------------------
// HubSpot

export const HUBSPOT_TOKEN = DEFAULT_SANDBOX_TOKEN;
export const HUBSPOT_FIELDS = { firstname: 'first_name', cdp_lifetime_value: 'lifetime_value', cdp_order_count: 'order_count', cdp_last_order_at: 'last_order_at' };
export const HUBSPOT_SEGMENTS = 'segments:\n  high_value: { list: "CDP: High value" }\n  loyal: { field: cdp_loyal }';

export function startHubSpot(options: HubSpotSandboxOptions = {}): Promise<HubSpotSandbox> {
  return startHubSpotSandbox({ requestsPer10s: 0, searchPerSecond: 0, ...options });
}

/** `cdp.config.yaml` of a DuckDB project with one HubSpot destination (credentials from the environment). */
export function hubspotConfig(requestsPer10s = 1000): string {
  return yaml`
    project: t
    warehouse: { type: duckdb, path: .cdp/warehouse.duckdb }
    destinations:
      hubspot:
        type: hubspot
        accessToken: \${HUBSPOT_ACCESS_TOKEN}
        baseUrl: \${HUBSPOT_BASE_URL}
        requestsPer10s: ${requestsPer10s}
  `;
}

export function hubspotProjectFiles(c: ConnectorOptions = {}): Record<string, string> {
  return {
    'cdp.config.yaml': hubspotConfig(c.requestsPer10s),
    'models/people.yaml': MODEL,
    ...connectorFile('hubspot', c, { object: 'contacts', match: '{ trait: email, field: email }', fields: HUBSPOT_FIELDS, segments: HUBSPOT_SEGMENTS, createFields: true }),
  };
}

export function hubspotEnv(sandbox: HubSpotSandbox): Record<string, string> {
  return { HUBSPOT_BASE_URL: sandbox.url, HUBSPOT_ACCESS_TOKEN: HUBSPOT_TOKEN, ...RUN_ENV };
}

/** Live contacts by email: their properties (as HubSpot stores them) and id. */
export function hubspotContacts(sandbox: HubSpotSandbox): Map<string, { readonly id: string; readonly properties: ReadonlyMap<string, string> }> {
  return new Map(sandbox.store.allRecords(CONTACTS).map((r) => [r.properties.get('email') ?? `(no email ${r.id})`, { id: r.id, properties: r.properties }]));
}

/** Emails of a list's members. */
export function hubspotListEmails(sandbox: HubSpotSandbox, name: string): string[] {
  const list = sandbox.store.lists.byName(name);
  if (!list) return [];
  const byId = new Map(sandbox.store.allRecords(CONTACTS).map((r) => [r.id, r.properties.get('email') ?? '']));
  return [...list.members.keys()].map((id) => byId.get(id) ?? `(gone ${id})`).sort();
}

/** Writes per route key since the last stats reset. */
export function hubspotWrites(sandbox: HubSpotSandbox): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(sandbox.stats.requests)) if (!key.startsWith('GET ') && !key.includes('/batch/read') && !key.includes('/search')) out[key] = n;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Salesforce

export const SALESFORCE_CUSTOM_FIELDS: SalesforceSandboxOptions['customFields'] = {
  Contact: [
    { name: 'Ext_Id__c', type: 'string', length: 64, externalId: true, unique: true },
    { name: 'CDP_Lifetime_Value__c', type: 'double', precision: 18, scale: 2 },
    { name: 'CDP_Order_Count__c', type: 'double', precision: 18, scale: 0 },
    { name: 'CDP_Last_Order_At__c', type: 'datetime' },
    { name: 'CDP_Loyal__c', type: 'boolean' },
    { name: 'CDP_Score_Formula__c', type: 'double', createable: false, updateable: false },
  ],
};

export const PASSWORD_AUTH = '{ flow: password, clientId: "${SF_CLIENT_ID}", clientSecret: "${SF_CLIENT_SECRET}", username: "${SF_USERNAME}", password: "${SF_PASSWORD}" }';
export const SALESFORCE_FIELDS = {
  FirstName: 'first_name',
  LastName: 'last_name',
  CDP_Lifetime_Value__c: 'lifetime_value',
  CDP_Order_Count__c: 'order_count',
  CDP_Last_Order_At__c: 'last_order_at',
};
export const SALESFORCE_SEGMENTS = 'segments:\n  high_value: { campaign: "CDP: High value" }\n  loyal: { field: CDP_Loyal__c }';

export function startSalesforce(options: SalesforceSandboxOptions = {}): Promise<SalesforceSandbox> {
  return startSalesforceSandbox({ customFields: SALESFORCE_CUSTOM_FIELDS, bulkProcessingMs: 20, dailyApiLimit: 1_000_000, ...options });
}

export function salesforceProjectFiles(c: ConnectorOptions = {}): Record<string, string> {
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
    'models/people.yaml': MODEL,
    ...connectorFile('salesforce', c, { object: 'Contact', match: '{ trait: email, field: Email }', fields: SALESFORCE_FIELDS, segments: SALESFORCE_SEGMENTS, createFields: false }),
  };
}

export function salesforceEnv(sandbox: SalesforceSandbox): Record<string, string> {
  return {
    SALESFORCE_LOGIN_URL: sandbox.url,
    SF_CLIENT_ID: DEFAULT_CLIENT_ID,
    SF_CLIENT_SECRET: DEFAULT_CLIENT_SECRET,
    SF_USERNAME: DEFAULT_USERNAME,
    SF_PASSWORD: DEFAULT_PASSWORD,
    ...RUN_ENV,
  };
}

/** Live contacts by Email: their field values as the org stores them. */
export function salesforceContacts(sandbox: SalesforceSandbox): Map<string, Readonly<Record<string, unknown>>> {
  return new Map(sandbox.store.list('Contact').map((r) => [String(r.values.Email ?? `(no email ${r.id})`), r.values]));
}

/** Emails of a campaign's members (by campaign Name; the oldest campaign of that name). */
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
export function salesforceWrites(sandbox: SalesforceSandbox): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(sandbox.stats.requests)) if (!key.startsWith('GET ') && !key.startsWith('POST /services/oauth2')) out[key] = n;
  return out;
}

// ---------------------------------------------------------------------------------------------
// One destination, as the parametrised suites see it

/** A running sandbox of one destination, with what the suites read from it and do to it. */
export interface Crm {
  /** Environment for a cdp run against this sandbox (URL, credentials, quick backoff). */
  readonly env: Readonly<Record<string, string>>;
  reset(): void;
  resetStats(): void;
  close(): Promise<void>;
  clearFaults(): void;
  /** Random throttling, 5xx, answers slower than the client's timeout and dropped connections on every route. */
  chaos(seed: number): void;
  /** Delays every contact upsert request by `ms`. */
  slowUpserts(ms: number): void;
  /** The destination refuses records whose email matches (its own code and message). */
  rejectEmails(pattern: string): void;
  /** Faults injected since the last stats reset. */
  injectedFaults(): number;
  totalRequests(): number;
  /** Contact upsert requests since the last stats reset. */
  upsertRequests(): number;
  /** Records per contact upsert request since the last stats reset. */
  upsertedRecords(): readonly number[];
  /** Live contacts by email: their fields in cdp's terms (first_name, lifetime_value, order_count, loyal) as the destination stores them. */
  contacts(): Map<string, ContactFields>;
  /** Emails of the members of the list/campaign of that name. */
  memberEmails(name: string): string[];
  /** More checks of the list/campaign `name` after faults (no stray duplicates). */
  expectNoStrayMembers(name: string, expect: (actual: unknown) => { toEqual(v: unknown): void; toBeLessThanOrEqual(v: number): void }): void;
}

export interface ContactFields {
  readonly first_name: unknown;
  readonly lifetime_value: unknown;
  readonly order_count: unknown;
  readonly loyal: boolean;
}

export interface Destination {
  readonly name: 'hubspot' | 'salesforce';
  readonly label: string;
  /** Contact records per upsert request at the most. */
  readonly upsertBatch: number;
  start(): Promise<Crm>;
  projectFiles(c?: ConnectorOptions): Record<string, string>;
  /** How the destination stores a profile's trait values (what `Crm.contacts()` returns for an up-to-date contact). */
  stored(p: Profile): ContactFields;
  /** What a contact holds once mirror mode cleared the fields cdp set. */
  readonly cleared: ContactFields;
  /** The destination field each trait of the default connector lands in. */
  readonly fieldOf: Readonly<Record<'first_name' | 'lifetime_value' | 'order_count', string>>;
  /** The code and message the destination answers for a record refused through `Crm.rejectEmails`. */
  rejection(email: string): { readonly code: string; readonly message: string };
}

export function makeProject(destination: Destination, c: ConnectorOptions = {}): Promise<string> {
  return writeProject(destination.projectFiles(c));
}

export function runCdp(dir: string, crm: Crm, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  return cdp(dir, args, { ...crm.env, ...env });
}

/** The part of a sandbox both destinations share. */
interface AnySandbox {
  reset(): void;
  resetStats(): void;
  close(): Promise<void>;
  readonly faults: { clear(): void };
  readonly stats: { readonly totalRequests: number };
}

function sandboxParts(s: AnySandbox): Pick<Crm, 'reset' | 'resetStats' | 'close' | 'clearFaults' | 'totalRequests'> {
  return { reset: () => s.reset(), resetStats: () => s.resetStats(), close: () => s.close(), clearFaults: () => s.faults.clear(), totalRequests: () => s.stats.totalRequests };
}

/** Random faults on every route: the destination's throttling rule, then 5xx answers, slow answers and dropped connections with these probabilities. */
function chaosRules<R>(throttle: R, serverErrors: readonly (readonly [500 | 502 | 503, number])[], slow: { ms: number; probability: number }, drops: { before: number; after: number }) {
  return [
    throttle,
    ...serverErrors.map(([status, probability]) => ({ kind: 'serverError' as const, status, probability })),
    { kind: 'delay' as const, ...slow },
    { kind: 'drop' as const, when: 'beforeHandling' as const, probability: drops.before },
    { kind: 'drop' as const, when: 'afterHandling' as const, probability: drops.after },
  ];
}

const HUBSPOT_UPSERT = 'POST /crm/v3/objects/contacts/batch/upsert';

export const HUBSPOT: Destination = {
  name: 'hubspot',
  label: 'HubSpot',
  upsertBatch: 100,
  projectFiles: hubspotProjectFiles,
  cleared: { first_name: undefined, lifetime_value: undefined, order_count: undefined, loyal: false },
  fieldOf: { first_name: 'firstname', lifetime_value: 'cdp_lifetime_value', order_count: 'cdp_order_count' },
  rejection: (email) => ({ code: 'INVALID_EMAIL', message: `Email address ${email} is invalid` }),
  stored: (p) => ({ first_name: p.first_name, lifetime_value: String(p.lifetime_value), order_count: String(p.order_count), loyal: (p.order_count ?? 0) > 5 }),
  async start() {
    const s = await startHubSpot();
    return {
      env: hubspotEnv(s),
      ...sandboxParts(s),
      chaos: (seed) =>
        s.faults.set({
          seed,
          rules: chaosRules({ kind: 'rateLimit', policy: 'TEN_SECONDLY_ROLLING', probability: 0.1 }, [[503, 0.12], [500, 0.05]], { ms: 1_300, probability: 0.06 }, { before: 0.08, after: 0.1 }),
        }),
      slowUpserts: (ms) => s.faults.set({ rules: [{ kind: 'delay', ms, match: { pathRegex: '^/crm/v3/objects/contacts/batch/upsert$' } }] }),
      rejectEmails: (pattern) => s.faults.set({ rejectRecords: [{ field: 'email', pattern }] }),
      injectedFaults: () => s.stats.injected.serverErrors + s.stats.injected.dropped + s.stats.rateLimited,
      upsertRequests: () => s.stats.requests[HUBSPOT_UPSERT] ?? 0,
      upsertedRecords: () => s.stats.batchInputs[HUBSPOT_UPSERT] ?? [],
      contacts: () =>
        new Map(
          [...hubspotContacts(s)].map(([email, c]) => [
            email,
            { first_name: c.properties.get('firstname'), lifetime_value: c.properties.get('cdp_lifetime_value'), order_count: c.properties.get('cdp_order_count'), loyal: c.properties.get('cdp_loyal') === 'true' },
          ]),
        ),
      memberEmails: (name) => hubspotListEmails(s, name),
      expectNoStrayMembers: (name, expect) => expect(s.store.lists.all().filter((l) => l.name === name).length).toEqual(1),
    };
  },
};

const SALESFORCE_UPSERT = 'PATCH /composite/sobjects/Contact/{field}';

export const SALESFORCE: Destination = {
  name: 'salesforce',
  label: 'Salesforce',
  upsertBatch: 200,
  projectFiles: salesforceProjectFiles,
  cleared: { first_name: null, lifetime_value: null, order_count: null, loyal: false },
  fieldOf: { first_name: 'FirstName', lifetime_value: 'CDP_Lifetime_Value__c', order_count: 'CDP_Order_Count__c' },
  rejection: (email) => ({ code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: `Rejected by a sandbox validation rule: Email = ${email}` }),
  stored: (p) => ({ first_name: p.first_name, lifetime_value: p.lifetime_value, order_count: p.order_count, loyal: (p.order_count ?? 0) > 5 }),
  async start() {
    const s = await startSalesforce();
    return {
      env: salesforceEnv(s),
      ...sandboxParts(s),
      chaos: (seed) =>
        s.faults.set({
          seed,
          rules: chaosRules({ kind: 'rateLimit', policy: 'ConcurrentPerOrgLongTxn', probability: 0.05 }, [[503, 0.08], [500, 0.04], [502, 0.03]], { ms: 1_200, probability: 0.04 }, { before: 0.05, after: 0.07 }),
        }),
      slowUpserts: (ms) => s.faults.set({ rules: [{ kind: 'delay', ms, match: { path: '/composite/sobjects/Contact/{field}' } }] }),
      rejectEmails: (pattern) => s.faults.set({ rejectRecords: [{ field: 'Email', pattern }] }),
      injectedFaults: () => s.stats.injected.serverErrors + s.stats.injected.dropped + s.stats.limitExceeded.injected,
      upsertRequests: () => s.stats.requests[SALESFORCE_UPSERT] ?? 0,
      upsertedRecords: () => s.stats.recordsPerCall[SALESFORCE_UPSERT] ?? [],
      contacts: () =>
        new Map(
          [...salesforceContacts(s)].map(([email, v]) => [email, { first_name: v.FirstName, lifetime_value: v.CDP_Lifetime_Value__c, order_count: v.CDP_Order_Count__c, loyal: v.CDP_Loyal__c === true }]),
        ),
      memberEmails: (name) => campaignEmails(s, name),
      // campaignEmails reads the oldest campaign of the name, the one cdp uses. A create whose answer came
      // after the client's timeout may have left a younger duplicate: it must be empty.
      expectNoStrayMembers: (name, expect) => {
        const [used, ...duplicates] = s.store.list('Campaign').filter((c) => c.values.Name === name).map((c) => c.id);
        expect(s.store.list('CampaignMember').filter((m) => m.values.CampaignId !== used)).toEqual([]);
        expect(duplicates.length).toBeLessThanOrEqual(1);
      },
    };
  },
};

export const DESTINATIONS: readonly Destination[] = [HUBSPOT, SALESFORCE];

/**
 * The usual setup of a test file against a sandbox: started before its tests (handed to `set`), closed
 * after them, reset before each test when `resetEach`; the returned list holds the projects to remove
 * after each test (or after all, with `removeProjects: 'afterAll'`).
 */
export function useSandbox<S extends { reset(): void; close(): Promise<void> }>(
  start: () => Promise<S>,
  set: (sandbox: S) => void,
  { resetEach = false, removeProjects = 'afterEach' }: { resetEach?: boolean; removeProjects?: 'afterEach' | 'afterAll' } = {},
): string[] {
  let sandbox: S | undefined;
  const dirs: string[] = [];
  const remove = async (): Promise<void> => {
    await Promise.all(dirs.splice(0).map(removeProject));
  };
  beforeAll(async () => {
    sandbox = await start();
    set(sandbox);
  });
  afterAll(async () => {
    await sandbox?.close();
    if (removeProjects === 'afterAll') await remove();
  });
  if (resetEach) beforeEach(() => sandbox?.reset());
  if (removeProjects === 'afterEach') afterEach(remove);
  return dirs;
}

/** useSandbox for a suite run once per destination; `project` writes (and seeds) a project for the destination. */
export function useDestination(destination: Destination, { resetEach = true }: { resetEach?: boolean } = {}): { readonly crm: Crm; project(c?: ConnectorOptions, profiles?: readonly Profile[]): Promise<string> } {
  let crm: Crm | undefined;
  const dirs = useSandbox(() => destination.start(), (started) => (crm = started), { resetEach });
  return {
    get crm(): Crm {
      if (!crm) throw new Error(`the ${destination.label} sandbox did not start`);
      return crm;
    },
    async project(c = {}, profiles) {
      const dir = await makeProject(destination, c);
      dirs.push(dir);
      if (profiles) await seed(dir, profiles);
      return dir;
    },
  };
}
