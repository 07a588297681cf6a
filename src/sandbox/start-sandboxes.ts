import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedProject } from '../config/load-project.js';
import type { TraitConfig } from '../config/schema.js';
import { DEFAULT_SANDBOX_TOKEN, startHubSpotSandbox, type HubSpotSandbox } from './hubspot/hubspot-sandbox.js';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_USERNAME,
  generateJwtKeyPair,
  startSalesforceSandbox,
  type FieldSpec,
  type SalesforceSandbox,
} from './salesforce/salesforce-sandbox.js';

export interface Sandboxes {
  readonly hubspot: HubSpotSandbox;
  readonly salesforce: SalesforceSandbox;
  /** The environment a project needs to sync to these sandboxes (its destinations read these variables). */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export interface SandboxesOptions {
  readonly host?: string;
  readonly hubspotPort?: number;
  readonly salesforcePort?: number;
  readonly requestsPer10s?: number;
}

/**
 * Both CRM sandboxes, set up for a project: the Salesforce org has the custom fields the project's
 * Salesforce connectors write (typed from their traits, as an admin would create them), and a fresh
 * JWT key pair whose public key the org trusts; the private key is written to .cdp/ for SF_PRIVATE_KEY.
 */
export async function startSandboxes(project: LoadedProject | undefined, dir: string, options: SandboxesOptions = {}): Promise<Sandboxes> {
  const host = options.host ?? '127.0.0.1';
  const keys = generateJwtKeyPair();
  const keyPath = join(dir, '.cdp', 'sandbox-jwt-key.pem');
  await mkdir(join(dir, '.cdp'), { recursive: true });
  await writeFile(keyPath, keys.privateKeyPem, { mode: 0o600 });
  const hubspot = await startHubSpotSandbox({ host, port: options.hubspotPort ?? 0, requestsPer10s: options.requestsPer10s });
  let salesforce: SalesforceSandbox;
  try {
    salesforce = await startSalesforceSandbox({
      host,
      port: options.salesforcePort ?? 0,
      clients: [{ clientId: DEFAULT_CLIENT_ID, publicKeyPem: keys.publicKeyPem }],
      customFields: project ? salesforceCustomFields(project) : {},
    });
  } catch (error) {
    await hubspot.close();
    throw error;
  }
  const env = {
    HUBSPOT_BASE_URL: hubspot.url,
    HUBSPOT_ACCESS_TOKEN: DEFAULT_SANDBOX_TOKEN,
    SALESFORCE_LOGIN_URL: salesforce.url,
    SF_CLIENT_ID: DEFAULT_CLIENT_ID,
    SF_USERNAME: DEFAULT_USERNAME,
    SF_PRIVATE_KEY: keyPath,
  };
  return { hubspot, salesforce, env, close: async () => void (await Promise.all([hubspot.close(), salesforce.close()])) };
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
