import { startCrmSandboxes, type FieldSpec, type Sandboxes, type SandboxesOptions } from '@cdp-oss/crm-sandbox';
import type { LoadedProject } from '../config/load-project.js';
import type { TraitConfig } from '../config/schema.js';

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

/** Custom (`__c`) fields written by the project's Salesforce syncs, per object. */
export function salesforceCustomFields(project: LoadedProject): Record<string, FieldSpec[]> {
  const out: Record<string, FieldSpec[]> = {};
  for (const sync of project.syncs) {
    if (project.config.destinations[sync.destination]?.type !== 'salesforce') continue;
    const fields = (out[sync.object] ??= []);
    const add = (field: FieldSpec) => {
      if (field.name.endsWith('__c') && !fields.some((f) => f.name === field.name)) fields.push(field);
    };
    for (const [name, trait] of Object.entries(sync.fields)) add({ name, ...fieldType(project.traits.find((t) => t.name === trait)) });
    for (const target of Object.values(sync.segments)) if ('field' in target) add({ name: target.field, type: 'boolean' });
  }
  return out;
}

function fieldType(trait: TraitConfig | undefined): Pick<FieldSpec, 'type' | 'scale' | 'precision' | 'length'> {
  const type = trait?.type;
  if (type === 'boolean' || trait?.aggregate === 'exists') return { type: 'boolean' };
  if (type === 'integer' || trait?.aggregate === 'count' || trait?.aggregate === 'count_distinct') return { type: 'double', precision: 18, scale: 0 };
  if (type === 'float' || trait?.aggregate === 'sum' || trait?.aggregate === 'avg') return { type: 'double', precision: 18, scale: 2 };
  if (type === 'timestamp') return { type: 'datetime' };
  if (type === 'date') return { type: 'date' };
  return { type: 'string', length: 255 };
}
