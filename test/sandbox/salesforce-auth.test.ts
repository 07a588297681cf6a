import { importPKCS8, SignJWT } from 'jose';
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_PASSWORD,
  DEFAULT_USERNAME,
  generateJwtKeyPair,
  type SalesforceSandbox,
} from '@cdp-oss/crm-sandbox';
import { API_VERSION, asRecord, newConnection, passwordConnection, rejection, startTestSandbox } from './salesforce-test-helpers.js';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const keys = generateJwtKeyPair();
const otherKeys = generateJwtKeyPair();

let sandbox: SalesforceSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({
    clients: [
      { clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET, publicKeyPem: keys.publicKeyPem },
      { clientId: 'keyless-jwt-client' },
    ],
    users: [{ username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD }, { username: 'integration@example.invalid' }],
  });
});
afterAll(async () => {
  await sandbox.close();
});

async function assertion(claims: { iss?: string; sub?: string; aud?: string; exp?: number }, privateKeyPem = keys.privateKeyPem): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const key = await importPKCS8(privateKeyPem, 'RS256');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(claims.iss ?? DEFAULT_CLIENT_ID)
    .setSubject(claims.sub ?? DEFAULT_USERNAME)
    .setAudience(claims.aud ?? sandbox.url)
    .setExpirationTime(claims.exp ?? now + 120)
    .sign(key);
}

async function tokenCall(form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${sandbox.url}/services/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  return { status: res.status, body: asRecord(await res.json()) };
}

describe('OAuth token endpoint', () => {
  it('password grant through jsforce login: instance_url is the sandbox and id ends in /orgId/userId', async () => {
    const conn = newConnection(sandbox);
    const info = await conn.login(DEFAULT_USERNAME, DEFAULT_PASSWORD);
    expect(info.organizationId).toBe(sandbox.orgId);
    expect(info.id).toBe(sandbox.users[0].id);
    expect(conn.instanceUrl).toBe(sandbox.url);
    expect(conn.refreshToken ?? undefined).toBeUndefined();
    const result = await conn.query<{ Id: string }>('SELECT Id FROM Contact');
    expect(result.totalSize).toBe(0);
  });

  it('answers the documented token response shape, without refresh_token for the password grant', async () => {
    const { status, body } = await tokenCall({ grant_type: 'password', client_id: DEFAULT_CLIENT_ID, client_secret: DEFAULT_CLIENT_SECRET, username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD });
    expect(status).toBe(200);
    expect(body.instance_url).toBe(sandbox.url);
    expect(body.id).toBe(`${sandbox.url}/id/${sandbox.orgId}/${sandbox.users[0].id}`);
    expect(body.token_type).toBe('Bearer');
    expect(body.issued_at).toMatch(/^\d{13}$/);
    expect(typeof body.signature).toBe('string');
    expect(String(body.access_token)).toMatch(new RegExp(`^${sandbox.orgId.slice(0, 15)}!`));
    expect(body).not.toHaveProperty('refresh_token');
  });

  it('bad credentials → invalid_grant "authentication failure" (jsforce error name)', async () => {
    const error = await rejection(newConnection(sandbox).login(DEFAULT_USERNAME, 'wrong-password'));
    expect(error.name).toBe('invalid_grant');
    expect(error.message).toBe('authentication failure');
    const unknownUser = await tokenCall({ grant_type: 'password', client_id: DEFAULT_CLIENT_ID, client_secret: DEFAULT_CLIENT_SECRET, username: 'nobody@example.invalid', password: 'x' });
    expect(unknownUser).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'authentication failure' } });
  });

  it('rejects an unknown client id, a wrong secret and an unsupported grant type', async () => {
    const base = { grant_type: 'password', username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD };
    expect((await tokenCall({ ...base, client_id: 'nope', client_secret: DEFAULT_CLIENT_SECRET })).body.error).toBe('invalid_client_id');
    expect((await tokenCall({ ...base, client_id: DEFAULT_CLIENT_ID, client_secret: 'wrong' })).body.error).toBe('invalid_client');
    const unsupported = await tokenCall({ grant_type: 'device_code', client_id: DEFAULT_CLIENT_ID });
    expect(unsupported.status).toBe(400);
    expect(unsupported.body.error).toBe('unsupported_grant_type');
  });

  it('client_credentials through conn.authorize runs as the first user', async () => {
    const conn = newConnection(sandbox);
    const info = await conn.authorize({ grant_type: 'client_credentials' });
    expect(info.id).toBe(sandbox.users[0].id);
    expect(conn.refreshToken ?? undefined).toBeUndefined();
    expect((await conn.query('SELECT Id FROM Contact')).done).toBe(true);
    const wrong = new jsforce.Connection({ loginUrl: sandbox.url, version: API_VERSION, oauth2: { clientId: DEFAULT_CLIENT_ID, clientSecret: 'wrong', loginUrl: sandbox.url } });
    expect((await rejection(wrong.authorize({ grant_type: 'client_credentials' }))).name).toBe('invalid_client');
  });

  it('JWT bearer: verifies the RS256 signature with the configured public key', async () => {
    const conn = newConnection(sandbox);
    const info = await conn.authorize({ grant_type: JWT_GRANT, assertion: await assertion({}) });
    expect(info.id).toBe(sandbox.users[0].id);
    expect((await conn.query('SELECT Id FROM User')).totalSize).toBe(2);

    const forged = await rejection(newConnection(sandbox).authorize({ grant_type: JWT_GRANT, assertion: await assertion({}, otherKeys.privateKeyPem) }));
    expect(forged.name).toBe('invalid_grant');
  });

  it('JWT bearer: checks aud, exp (≤ 3 minutes ahead, not expired), sub and iss', async () => {
    const now = Math.floor(Date.now() / 1000);
    const grant = async (a: string) => rejection(newConnection(sandbox).authorize({ grant_type: JWT_GRANT, assertion: a }));
    expect((await grant(await assertion({ aud: 'https://example.invalid' }))).message).toBe('audience is invalid');
    expect((await grant(await assertion({ exp: now + 600 }))).name).toBe('invalid_grant');
    expect((await grant(await assertion({ exp: now - 60 }))).name).toBe('invalid_grant');
    expect((await grant(await assertion({ sub: 'stranger@example.invalid' }))).name).toBe('invalid_grant');
    expect((await grant(await assertion({ iss: 'unknown-app' }))).name).toBe('invalid_client_id');
    expect((await grant('not.a.jwt')).name).toBe('invalid_grant');
  });

  it('JWT bearer: a client without a public key accepts any well-formed RS256 assertion from it', async () => {
    const conn = newConnection(sandbox);
    const info = await conn.authorize({ grant_type: JWT_GRANT, assertion: await assertion({ iss: 'keyless-jwt-client', sub: 'integration@example.invalid' }, otherKeys.privateKeyPem) });
    expect(info.id).toBe(sandbox.users[1].id);
  });

  it('authorization code + refresh_token: jsforce refreshes after the session is invalidated', async () => {
    const redirectUri = 'http://localhost:1717/callback';
    const conn = new jsforce.Connection({ loginUrl: sandbox.url, version: API_VERSION, oauth2: { clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET, redirectUri, loginUrl: sandbox.url } });
    const consent = await fetch(conn.oauth2.getAuthorizationUrl({ state: 's1' }), { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const location = new URL(consent.headers.get('location') ?? '');
    expect(location.searchParams.get('state')).toBe('s1');
    await conn.authorize(location.searchParams.get('code') ?? '');
    expect(conn.refreshToken).toBeTruthy();
    const before = sandbox.stats.tokensIssued.refresh_token ?? 0;
    sandbox.faults.invalidateSessions();
    expect((await conn.query('SELECT Id FROM Contact')).done).toBe(true);
    expect(sandbox.stats.tokensIssued.refresh_token).toBe(before + 1);
  });

  it('SOAP login is enough for jsforce without a client secret', async () => {
    const conn = new jsforce.Connection({ loginUrl: sandbox.url, version: API_VERSION });
    const info = await conn.login(DEFAULT_USERNAME, DEFAULT_PASSWORD);
    expect(info.organizationId).toBe(sandbox.orgId);
    expect(conn.instanceUrl).toBe(sandbox.url);
    expect((await conn.query('SELECT Id FROM Contact')).done).toBe(true);
    const bad = await rejection(new jsforce.Connection({ loginUrl: sandbox.url, version: API_VERSION }).login(DEFAULT_USERNAME, 'wrong'));
    expect(bad.message).toMatch(/^INVALID_LOGIN: /);
  });
});

describe('sessions', () => {
  it('an unknown token → 401 INVALID_SESSION_ID surfaced as errorCode', async () => {
    const conn = new jsforce.Connection({ instanceUrl: sandbox.url, accessToken: '00D000000000000!bogus', version: API_VERSION });
    const error = await rejection(conn.query('SELECT Id FROM Contact'));
    expect(error.errorCode).toBe('INVALID_SESSION_ID');
    expect(error.message).toBe('Session expired or invalid');
  });

  it('after invalidation a token-only connection gets INVALID_SESSION_ID; a password login re-authenticates', async () => {
    const loggedIn = await passwordConnection(sandbox);
    const tokenOnly = new jsforce.Connection({ instanceUrl: sandbox.url, accessToken: loggedIn.accessToken ?? '', version: API_VERSION });
    expect((await tokenOnly.query('SELECT Id FROM Contact')).done).toBe(true);
    const issued = sandbox.stats.tokensIssued.password ?? 0;

    const res = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ invalidateSessions: true }) });
    expect(res.status).toBe(200);

    expect((await rejection(tokenOnly.query('SELECT Id FROM Contact'))).errorCode).toBe('INVALID_SESSION_ID');
    expect((await loggedIn.query('SELECT Id FROM Contact')).done).toBe(true);
    expect(sandbox.stats.tokensIssued.password).toBe(issued + 1);
  });

  it('a JWT session cannot refresh: jsforce reports that no refresh token exists', async () => {
    const conn = newConnection(sandbox);
    await conn.authorize({ grant_type: JWT_GRANT, assertion: await assertion({}) });
    sandbox.faults.invalidateSessions();
    expect((await rejection(conn.query('SELECT Id FROM Contact'))).message).toMatch(/No refresh token found/);
  });

  it('the identity URL answers for a valid token', async () => {
    const conn = await passwordConnection(sandbox);
    const identity = await conn.identity();
    expect(identity.user_id).toBe(sandbox.users[0].id);
    expect(identity.organization_id).toBe(sandbox.orgId);
    expect(identity.username).toBe(DEFAULT_USERNAME);
  });
});
