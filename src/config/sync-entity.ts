import type { DestinationConfig, MatchConfig, SyncFile } from './schema.js';

/**
 * What a sync sends: person profiles (the default) or accounts. A sync is an account sync when its object
 * is HubSpot companies or Salesforce Account (docs/accounts-sync.md). The tables and key column each
 * entity reads, so the diff is written once for both.
 */
export interface SyncEntity {
  readonly kind: 'person' | 'account';
  /** The row table: one row per entity, one column per trait. */
  readonly table: 'profiles' | 'accounts';
  /** Its key column in every table below. */
  readonly key: 'profile_id' | 'account_id';
  readonly members: 'segment_members' | 'account_segment_members';
  readonly identifiers: 'identifiers' | 'account_identifiers';
}

export const PERSON_ENTITY: SyncEntity = { kind: 'person', table: 'profiles', key: 'profile_id', members: 'segment_members', identifiers: 'identifiers' };
export const ACCOUNT_ENTITY: SyncEntity = { kind: 'account', table: 'accounts', key: 'account_id', members: 'account_segment_members', identifiers: 'account_identifiers' };

/** HubSpot names companies `companies`, `company` or `0-2`; Salesforce objects ignore case. */
const ACCOUNT_OBJECTS = new Set(['companies', 'company', '0-2', 'account']);

export function syncEntity(sync: Pick<SyncFile, 'object'>): SyncEntity {
  return ACCOUNT_OBJECTS.has(sync.object.toLowerCase()) ? ACCOUNT_ENTITY : PERSON_ENTITY;
}

/** The field cdp keeps its account id in: a unique property cdp creates (HubSpot) / an external-id field (Salesforce). */
export function accountIdField(destination: DestinationConfig['type'] | undefined): string {
  return destination === 'salesforce' ? 'CDP_Account_Id__c' : 'cdp_account_id';
}

/**
 * The connector's `match`, or for an account sync without one: cdp's account_id in `accountIdField`.
 * `undefined` when a person sync has none (load-project.ts reports it).
 */
export function resolvedMatch(sync: SyncFile, destination: DestinationConfig['type'] | undefined): MatchConfig | undefined {
  if (sync.match) return sync.match;
  if (syncEntity(sync).kind === 'person') return undefined;
  return { trait: 'account_id', field: accountIdField(destination), on_collision: 'skip' };
}

/** `account.<trait>` in a person sync's fields: a trait of the person's account (docs/accounts-sync.md). */
export function isAccountTrait(trait: string): boolean {
  return trait.startsWith('account.');
}
