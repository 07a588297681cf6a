import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { SignJWT } from 'jose';
import type { SalesforceDestinationConfig } from '../../config/schema.js';
import { SalesforceSetupError } from './salesforce-failure.js';

export type SalesforceAuth = SalesforceDestinationConfig['auth'];

/** Parameters of one OAuth token request (jsforce `conn.authorize(params)`; client id/secret are added by jsforce). */
export interface TokenParams {
  readonly grant_type: string;
  readonly [name: string]: string;
}

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Salesforce accepts a JWT bearer assertion that expires at most 3 minutes ahead (docs/crm/salesforce.md#client-library). */
const JWT_LIFETIME_S = 170;

/** jsforce's OAuth2 options: a client secret only for the flows that have one (JWT signs instead). */
export function oauth2Options(config: SalesforceDestinationConfig): { readonly clientId: string; readonly clientSecret?: string; readonly loginUrl: string } {
  const loginUrl = trimSlash(config.loginUrl);
  return config.auth.flow === 'jwt' ? { clientId: config.auth.clientId, loginUrl } : { clientId: config.auth.clientId, clientSecret: config.auth.clientSecret, loginUrl };
}

/**
 * The token request for the configured flow. The password flow goes through the OAuth password
 * grant (client id and secret always set), never jsforce's SOAP login fallback (docs/crm/salesforce.md#client-library).
 */
export async function tokenParams(config: SalesforceDestinationConfig, projectDir: string | undefined): Promise<TokenParams> {
  const auth = config.auth;
  switch (auth.flow) {
    case 'jwt': {
      const key = await privateKey(auth.privateKeyPath, projectDir);
      const now = Math.floor(Date.now() / 1000);
      const assertion = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(auth.clientId)
        .setSubject(auth.username)
        .setAudience(jwtAudience(config.loginUrl))
        .setIssuedAt(now)
        .setExpirationTime(now + JWT_LIFETIME_S)
        .sign(key);
      return { grant_type: JWT_BEARER_GRANT, assertion };
    }
    case 'client_credentials':
      return { grant_type: 'client_credentials' };
    case 'password':
      return { grant_type: 'password', username: auth.username, password: auth.password };
  }
}

/**
 * The JWT `aud`: the login host. A My Domain login URL authenticates against login.salesforce.com
 * (test.salesforce.com for sandboxes), as Salesforce documents for the JWT bearer flow.
 */
export function jwtAudience(loginUrl: string): string {
  const host = safeHost(loginUrl);
  if (host?.endsWith('.sandbox.my.salesforce.com')) return 'https://test.salesforce.com';
  if (host?.endsWith('.my.salesforce.com')) return 'https://login.salesforce.com';
  return trimSlash(loginUrl);
}

/** What to check when Salesforce rejects the credentials, for the configured flow. Never contains a secret. */
export function authHint(name: string, config: SalesforceDestinationConfig): string {
  const where = `destination '${name}' in cdp.config.yaml`;
  const login = `that loginUrl (${trimSlash(config.loginUrl)}) is your org's login host`;
  switch (config.auth.flow) {
    case 'jwt':
      return `check auth.clientId (the connected app's consumer key) and auth.username of ${where}, that auth.privateKeyPath is the private key of the certificate uploaded to the connected app, ${login} (test.salesforce.com for a sandbox org), and that the connected app is approved for the user (admin pre-authorized, with the user's profile or permission set)`;
    case 'client_credentials':
      return `check auth.clientId and auth.clientSecret of ${where}, that the connected app enables the client credentials flow with a run-as user, and ${login} (the client credentials flow needs your My Domain URL)`;
    case 'password':
      return `check auth.clientId, auth.clientSecret, auth.username and auth.password (with the security token appended unless the IP is trusted) of ${where}, ${login}, and that the connected app allows the OAuth username-password flow`;
  }
}

/** The configured secrets, to be scrubbed from every message. */
export function authSecrets(auth: SalesforceAuth): readonly string[] {
  switch (auth.flow) {
    case 'jwt':
      return auth.privateKeyPath.includes('-----BEGIN') ? [auth.privateKeyPath] : [];
    case 'client_credentials':
      return [auth.clientSecret];
    case 'password':
      return [auth.clientSecret, auth.password];
  }
}

/** The PEM key (PKCS#8 or PKCS#1) from a file, or inline when the value itself is a PEM block (CI secrets). */
async function privateKey(pathOrPem: string, projectDir: string | undefined): Promise<KeyObject> {
  const inline = pathOrPem.includes('-----BEGIN');
  const path = inline ? '' : isAbsolute(pathOrPem) || projectDir === undefined ? pathOrPem : join(projectDir, pathOrPem);
  let pem: string;
  try {
    pem = inline ? pathOrPem.replace(/\\n/g, '\n') : await readFile(path, 'utf8');
  } catch (e) {
    const reason = e instanceof Error && 'code' in e ? String(e.code) : 'unreadable';
    throw new SalesforceSetupError('destination-auth', `cannot read the JWT private key file ${path} (${reason})`, 'set auth.privateKeyPath to the PEM private key of the certificate uploaded to the connected app');
  }
  try {
    return createPrivateKey(pem);
  } catch {
    throw new SalesforceSetupError(
      'destination-auth',
      inline ? 'auth.privateKeyPath holds a PEM block that is not a private key' : `${path} is not a PEM private key`,
      'use the RSA private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----) whose certificate is uploaded to the connected app',
    );
  }
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}
