import type { Declared, LoadedProject } from '../config/load-project.js';
import type { SyncConfig } from '../config/schema.js';
import { isAccountTrait, syncEntity } from '../config/sync-entity.js';
import { error, type Diagnostic } from '../diagnostics/diagnostic.js';
import { suggestion } from '../diagnostics/did-you-mean.js';
import { sqlNames } from './sql-names.js';

/** The names account syncs and `account.<trait>` fields may use: the `accounts:` block's traits and segments. */
export interface AccountNames {
  readonly declared: boolean;
  readonly idTypes: readonly string[];
  /** Account traits, plus `account_id` (the key every account has). */
  readonly traits: ReadonlySet<string>;
  readonly segments: ReadonlySet<string>;
}

export function accountNames(project: LoadedProject): AccountNames {
  const accounts = project.accounts;
  return {
    declared: accounts !== undefined,
    idTypes: Object.keys(accounts?.id_types ?? {}),
    traits: new Set(['account_id', ...(accounts?.traits ?? []).map((t) => t.name)]),
    segments: new Set((accounts?.segments ?? []).map((s) => s.name)),
  };
}

/**
 * An account sync (object companies / Account, docs/accounts-sync.md): its fields, segments, audience and
 * where name account traits and segments; HubSpot companies are never matched on domain; no campaigns.
 */
export function validateAccountSync(project: LoadedProject, sync: Declared<SyncConfig>, names: AccountNames, out: Diagnostic[]): void {
  const at = (path: (string | number)[], key = false) => sync.origin.file.locate(path, { key });
  const destination = project.config.destinations[sync.destination]?.type;
  if (!names.declared) {
    out.push(error('missing-accounts', `sync '${sync.sync}' sends accounts, but the project declares no accounts:`, at(['object']), 'declare accounts: in models/*.yaml; see docs/accounts.md'));
  }
  // HubSpot's company domain is not unique: an upsert by it is refused, and a match on it would create duplicates.
  const onDomain = sync.match.id_type === 'domain' || sync.match.field?.toLowerCase() === 'domain';
  if (destination === 'hubspot' && onDomain) {
    out.push(
      error(
        'non-unique-match',
        `HubSpot company domain is not unique, so sync '${sync.sync}' cannot match companies on it`,
        at(['match', sync.match.id_type !== undefined ? 'id_type' : 'field']),
        'leave match: out (cdp matches its account_id in the unique property cdp_account_id, created with create_fields: true), or name a property you created with unique values',
      ),
    );
  } else if (sync.match.id_type !== undefined && names.declared && !names.idTypes.includes(sync.match.id_type)) {
    out.push(error('unknown-id-type', `match id_type '${sync.match.id_type}' is not declared in accounts.id_types`, at(['match', 'id_type']), suggestion(sync.match.id_type, names.idTypes) ?? 'declare it under accounts.id_types'));
  }
  if (sync.match.trait !== undefined && names.declared && !names.traits.has(sync.match.trait)) {
    out.push(error('unknown-trait', `match trait '${sync.match.trait}' is not an account trait`, at(['match', 'trait']), suggestion(sync.match.trait, names.traits)));
  }
  for (const [field, trait] of Object.entries(sync.fields)) {
    if (isAccountTrait(trait)) out.push(error('invalid-trait', `an account sync maps account traits by name: '${trait.slice('account.'.length)}', not '${trait}'`, at(['fields', field])));
    else if (names.declared && !names.traits.has(trait)) out.push(error('unknown-trait', `field '${field}' maps '${trait}', which is not an account trait`, at(['fields', field]), suggestion(trait, names.traits) ?? 'declare it under accounts.traits'));
  }
  for (const [segment, target] of Object.entries(sync.segments)) {
    if (names.declared && !names.segments.has(segment)) {
      out.push(error('unknown-segment', `'${segment}' is not an account segment`, at(['segments', segment], true), suggestion(segment, names.segments) ?? 'declare it under accounts.segments'));
    }
    if ('campaign' in target) out.push(error('invalid-target', `campaigns hold contacts and leads, not accounts; use { ${destination === 'hubspot' ? 'list' : 'field'}: ... }`, at(['segments', segment])));
    if ('list' in target && destination === 'salesforce') out.push(error('invalid-target', `Salesforce has no lists; use { field: ... } (a checkbox on Account)`, at(['segments', segment])));
  }
  if (sync.audience !== 'all' && names.declared && !names.segments.has(sync.audience)) {
    out.push(error('unknown-segment', `audience '${sync.audience}' is not an account segment`, at(['audience']), suggestion(sync.audience, names.segments) ?? "use 'all' or an account segment"));
  }
  if (sync.where !== undefined && names.declared) {
    for (const n of sqlNames(sync.where)) {
      const hint = suggestion(n, [...names.traits, ...names.segments]);
      if (!names.traits.has(n) && !names.segments.has(n) && hint) out.push(error('unknown-trait', `sync '${sync.sync}' where refers to '${n}', which is not an account trait or segment`, at(['where']), hint));
    }
  }
  if (sync.account) out.push(error('invalid-option', `account: is for person syncs; sync '${sync.sync}' already sends accounts`, at(['account'], true)));
}

/**
 * What a person sync takes from accounts (docs/accounts-sync.md): `account.<trait>` fields name account traits,
 * and `account: { sync }` names an account sync to the same destination (HubSpot: of contacts).
 */
export function validatePersonSyncAccounts(project: LoadedProject, sync: Declared<SyncConfig>, names: AccountNames, out: Diagnostic[]): void {
  const at = (path: (string | number)[], key = false) => sync.origin.file.locate(path, { key });
  const destination = project.config.destinations[sync.destination]?.type;
  for (const [field, trait] of Object.entries(sync.fields)) {
    if (!isAccountTrait(trait)) continue;
    const name = trait.slice('account.'.length);
    if (!names.declared) {
      out.push(error('account-without-membership', `field '${field}' maps account trait '${trait}', but the project declares no accounts: (no person belongs to an account)`, at(['fields', field]), 'declare accounts: with membership: in models/*.yaml; see docs/accounts-sync.md'));
    } else if (!names.traits.has(name)) {
      const known = [...names.traits].map((t) => `account.${t}`);
      out.push(error('unknown-trait', `field '${field}' maps '${trait}', but '${name}' is not an account trait`, at(['fields', field]), suggestion(trait, known) ?? 'declare it under accounts.traits'));
    }
  }
  if (!sync.account) return;
  if (destination === 'hubspot' && !['contacts', 'contact', '0-1'].includes(sync.object.toLowerCase())) {
    out.push(error('invalid-option', `account: associates HubSpot contacts with companies; sync '${sync.sync}' writes ${sync.object}`, at(['account'], true)));
  }
  const accountSyncs = project.syncs.filter((s) => syncEntity(s).kind === 'account');
  const target = accountSyncs.find((s) => s.sync === sync.account?.sync);
  if (!target) {
    out.push(error('unknown-sync', `account sync '${sync.account.sync}' does not exist`, at(['account', 'sync']), suggestion(sync.account.sync, accountSyncs.map((s) => s.sync)) ?? 'name a sync whose object is companies (HubSpot) or Account (Salesforce)'));
  } else if (target.destination !== sync.destination) {
    out.push(error('unknown-sync', `account sync '${target.sync}' sends to '${target.destination}', not to '${sync.destination}'`, at(['account', 'sync'])));
  }
  if (!names.declared) out.push(error('account-without-membership', `sync '${sync.sync}' associates contacts with accounts, but the project declares no accounts:`, at(['account'], true), 'declare accounts: with membership: in models/*.yaml; see docs/accounts-sync.md'));
}
