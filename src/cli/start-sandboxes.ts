import { startCrmSandboxes, type FieldSpec, type Sandboxes, type SandboxesOptions } from '@cdp-oss/crm-sandbox';
import type { LoadedProject } from '../config/load-project.js';
import type { AccountsConfig, TraitConfig } from '../config/schema.js';
import { accountIdField, isAccountTrait, syncEntity } from '../config/sync-entity.js';

export type { Sandboxes } from '@cdp-oss/crm-sandbox';

/**
 * Both CRM sandboxes (the @cdp-oss/crm-sandbox workspace package, packages/crm-sandbox/), set up for a
 * project: the Salesforce org has the custom fields the project's Salesforce syncs write (typed from
 * their traits, as an admin would create them), and a fresh JWT key pair whose public key the org
 * trusts; the private key is written to .cdp/ for SF_PRIVATE_KEY. The project is read here, on cdp's
 * side: the package knows nothing of cdp's config.
 */
export function startSandboxes(project: LoadedProject | undefined, dir: string, options: Omit<SandboxesOptions, 'customFields'> = {}): Promise<Sandboxes> {
  return startCrmSandboxes(dir, { ...options, customFields: project ? salesforceCustomFields(project) : {} });
}

/**
 * Custom (`__c`) fields written by the project's Salesforce syncs, per object. An account sync writes
 * account traits to Account and keeps cdp's account id in the external-id field CDP_Account_Id__c
 * (docs/accounts-sync.md); a person sync's `account.<trait>` is typed from that account trait.
 */
export function salesforceCustomFields(project: LoadedProject): Record<string, FieldSpec[]> {
  const out: Record<string, FieldSpec[]> = {};
  const accountTraits = project.accounts?.traits ?? [];
  for (const sync of project.syncs) {
    if (project.config.destinations[sync.destination]?.type !== 'salesforce') continue;
    const fields = (out[sync.object] ??= []);
    const add = (field: FieldSpec) => {
      if (field.name.endsWith('__c') && !fields.some((f) => f.name === field.name)) fields.push(field);
    };
    const onAccount = syncEntity(sync).kind === 'account';
    if (onAccount && sync.match.field === accountIdField('salesforce')) add({ name: accountIdField('salesforce'), type: 'string', length: 64, externalId: true, unique: true });
    for (const [name, trait] of Object.entries(sync.fields)) {
      const accountTrait = onAccount ? trait : isAccountTrait(trait) ? trait.slice('account.'.length) : undefined;
      add({ name, ...(accountTrait !== undefined ? accountFieldType(accountTraits.find((t) => t.name === accountTrait)) : fieldType(project.traits.find((t) => t.name === trait))) });
    }
    for (const target of Object.values(sync.segments)) if ('field' in target) add({ name: target.field, type: 'boolean' });
  }
  return out;
}

function accountFieldType(trait: AccountsConfig['traits'][number] | undefined): Pick<FieldSpec, 'type' | 'scale' | 'precision' | 'length'> {
  if (trait?.rollup === 'count') return { type: 'double', precision: 18, scale: 0 };
  if (trait?.rollup !== undefined || (trait?.sql !== undefined && trait.type === undefined)) return { type: 'double', precision: 18, scale: 2 };
  return fieldType(trait);
}

function fieldType(trait: Pick<TraitConfig, 'type' | 'aggregate'> | undefined): Pick<FieldSpec, 'type' | 'scale' | 'precision' | 'length'> {
  const type = trait?.type;
  if (type === 'boolean' || trait?.aggregate === 'exists') return { type: 'boolean' };
  if (type === 'integer' || trait?.aggregate === 'count' || trait?.aggregate === 'count_distinct') return { type: 'double', precision: 18, scale: 0 };
  if (type === 'float' || trait?.aggregate === 'sum' || trait?.aggregate === 'avg') return { type: 'double', precision: 18, scale: 2 };
  if (type === 'timestamp') return { type: 'datetime' };
  if (type === 'date') return { type: 'date' };
  return { type: 'string', length: 255 };
}
