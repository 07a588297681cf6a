import type { Declared, LoadedProject } from '../config/load-project.js';
import type { SyncConfig } from '../config/schema.js';
import { isAccountTrait, syncEntity } from '../config/sync-entity.js';
import { error, type Diagnostic } from '../diagnostics/diagnostic.js';
import { suggestion } from '../diagnostics/did-you-mean.js';

/**
 * The checks of account syncs and of what person syncs take from accounts (docs/accounts-sync.md), and the
 * project as the person-only sync checks (model/validate-project.ts) should see it: account syncs left
 * out (their traits and segments are the account's) and `account.<trait>` fields left out of person syncs.
 */
export function accountSyncChecks(project: LoadedProject): { readonly personView: LoadedProject; readonly diagnostics: readonly Diagnostic[] } {
  const out: Diagnostic[] = [];
  const accountsDeclared = hasAccounts(project);
  const accountSyncs = project.syncs.filter((s) => syncEntity(s).kind === 'account');
  for (const sync of project.syncs) {
    const at = (path: (string | number)[], key = false) => sync.origin.file.locate(path, { key });
    const destination = project.config.destinations[sync.destination]?.type;
    if (syncEntity(sync).kind === 'account') {
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
      }
      if (!project.config.destinations[sync.destination] && !project.invalidNames?.destinations.has(sync.destination)) {
        out.push(error('unknown-destination', `sync '${sync.sync}' uses unknown destination '${sync.destination}'`, at(['destination']), suggestion(sync.destination, Object.keys(project.config.destinations))));
      }
      for (const [field, trait] of Object.entries(sync.fields)) {
        if (isAccountTrait(trait)) out.push(error('invalid-trait', `an account sync maps account traits by name: '${trait.slice('account.'.length)}', not '${trait}'`, at(['fields', field])));
      }
      for (const [segment, target] of Object.entries(sync.segments)) {
        if ('campaign' in target) out.push(error('invalid-target', `campaigns hold contacts and leads, not accounts; use { ${destination === 'hubspot' ? 'list' : 'field'}: ... }`, at(['segments', segment])));
        if ('list' in target && destination === 'salesforce') out.push(error('invalid-target', `Salesforce has no lists; use { field: ... } (a checkbox on Account)`, at(['segments', segment])));
      }
      if (sync.account) out.push(error('invalid-option', `account: is for person syncs; sync '${sync.sync}' already sends accounts`, at(['account'], true)));
      continue;
    }
    for (const [field, trait] of Object.entries(sync.fields)) {
      if (isAccountTrait(trait) && !accountsDeclared) {
        out.push(error('account-without-membership', `field '${field}' maps account trait '${trait}', but the project declares no accounts: (no person belongs to an account)`, at(['fields', field]), 'declare accounts: with membership: in models/*.yaml; see docs/accounts-sync.md'));
      }
    }
    if (sync.account && destination === 'hubspot' && !['contacts', 'contact', '0-1'].includes(sync.object.toLowerCase())) {
      out.push(error('invalid-option', `account: associates HubSpot contacts with companies; sync '${sync.sync}' writes ${sync.object}`, at(['account'], true)));
    }
    if (sync.account) {
      const target = accountSyncs.find((s) => s.sync === sync.account?.sync);
      if (!target) {
        out.push(error('unknown-sync', `account sync '${sync.account.sync}' does not exist`, at(['account', 'sync']), suggestion(sync.account.sync, accountSyncs.map((s) => s.sync)) ?? 'name a sync whose object is companies (HubSpot) or Account (Salesforce)'));
      } else if (target.destination !== sync.destination) {
        out.push(error('unknown-sync', `account sync '${target.sync}' sends to '${target.destination}', not to '${sync.destination}'`, at(['account', 'sync'])));
      }
      if (!accountsDeclared) out.push(error('account-without-membership', `sync '${sync.sync}' associates contacts with accounts, but the project declares no accounts:`, at(['account'], true), 'declare accounts: with membership: in models/*.yaml; see docs/accounts-sync.md'));
    }
  }
  const personSyncs = project.syncs
    .filter((s) => syncEntity(s).kind === 'person')
    .map((s): Declared<SyncConfig> => ({ ...s, fields: Object.fromEntries(Object.entries(s.fields).filter(([, t]) => !isAccountTrait(t))) }));
  return { personView: { ...project, syncs: personSyncs }, diagnostics: out };
}

/**
 * Whether the project declares `accounts:` (docs/accounts-sync.md). The account model adds it to the loaded
 * project; until then a project without the key has no accounts.
 */
function hasAccounts(project: LoadedProject): boolean {
  return (project as LoadedProject & { readonly accounts?: unknown }).accounts !== undefined;
}
