import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
  /** The environment a client needs to reach these sandboxes (HUBSPOT_*, SALESFORCE_LOGIN_URL, SF_*). */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export interface SandboxesOptions {
  readonly host?: string;
  readonly hubspotPort?: number;
  readonly salesforcePort?: number;
  readonly requestsPer10s?: number;
  /** Custom (`__c`) fields the Salesforce org has, per object, as an admin would have created them. */
  readonly customFields?: Readonly<Record<string, readonly FieldSpec[]>>;
}

/**
 * Both CRM sandboxes: the Salesforce org has the given custom fields and trusts a fresh JWT key pair,
 * whose private key is written to `<dir>/.cdp/sandbox-jwt-key.pem` (named by `env.SF_PRIVATE_KEY`).
 */
export async function startCrmSandboxes(dir: string, options: SandboxesOptions = {}): Promise<Sandboxes> {
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
      customFields: Object.fromEntries(Object.entries(options.customFields ?? {}).map(([object, fields]) => [object, [...fields]])),
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
