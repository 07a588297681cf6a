import jsforce from 'jsforce';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_PASSWORD,
  DEFAULT_USERNAME,
  startSalesforceSandbox,
  type SalesforceSandbox,
  type SalesforceSandboxOptions,
} from '@cdp-oss/crm-sandbox';

export const API_VERSION = '62.0';

/** The custom fields a cdp sync declares in these tests. */
export const TEST_CUSTOM_FIELDS: SalesforceSandboxOptions['customFields'] = {
  Account: [
    { name: 'CDP_Account_Id__c', type: 'string', length: 64, externalId: true, unique: true },
    { name: 'CDP_MRR__c', type: 'double', precision: 18, scale: 2 },
    { name: 'CDP_Hot_Account__c', type: 'boolean' },
  ],
  Contact: [
    { name: 'CDP_Account_Engagement__c', type: 'double', precision: 18, scale: 2 },
    { name: 'Ext_Id__c', type: 'string', length: 64, externalId: true },
    { name: 'CDP_Lifetime_Value__c', type: 'double', precision: 18, scale: 2 },
    { name: 'CDP_High_Intent__c', type: 'boolean' },
    { name: 'CDP_Last_Seen__c', type: 'date' },
  ],
  Lead: [{ name: 'Ext_Id__c', type: 'string', length: 64, externalId: true }],
  CampaignMember: [{ name: 'CDP_Key__c', type: 'string', externalId: true, unique: true }],
};

export function startTestSandbox(options: SalesforceSandboxOptions = {}): Promise<SalesforceSandbox> {
  return startSalesforceSandbox({ customFields: TEST_CUSTOM_FIELDS, bulkProcessingMs: 30, ...options });
}

/** A jsforce connection pointed at the sandbox, with the default connected app configured. */
export function newConnection(sandbox: SalesforceSandbox, version = API_VERSION): jsforce.Connection {
  return new jsforce.Connection({
    loginUrl: sandbox.url,
    version,
    oauth2: { clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET, loginUrl: sandbox.url },
  });
}

/** Logged in through the OAuth password grant (jsforce's `login` with a client id and secret). */
export async function passwordConnection(sandbox: SalesforceSandbox, version = API_VERSION): Promise<jsforce.Connection> {
  const conn = newConnection(sandbox, version);
  await conn.login(DEFAULT_USERNAME, DEFAULT_PASSWORD);
  return conn;
}

export interface CaughtError {
  readonly name: string;
  readonly message: string;
  readonly errorCode: unknown;
  readonly data: unknown;
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: PromiseLike<unknown>): Promise<CaughtError> {
  try {
    await promise;
  } catch (e) {
    if (!(e instanceof Error)) throw new Error(`rejected with a non-Error: ${String(e)}`);
    const extra = e as Error & { errorCode?: unknown; data?: unknown };
    return { name: e.name, message: e.message, errorCode: extra.errorCode, data: extra.data };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** A raw REST call with a Bearer token (for status codes and headers jsforce hides). */
export async function rawRequest(sandbox: SalesforceSandbox, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${sandbox.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

export function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`expected an object, got ${JSON.stringify(value)}`);
  return value as Record<string, unknown>;
}

export function asArray(value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw new Error(`expected an array, got ${JSON.stringify(value)}`);
  return value;
}
