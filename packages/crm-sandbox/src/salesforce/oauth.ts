import { createHmac, timingSafeEqual } from 'node:crypto';
import { jsonReply, type HttpReply } from '../http/http-reply.js';
import { verifyJwtAssertion } from './jwt-bearer.js';
import type { GrantType, SandboxUser, Session, SessionRegistry } from './sessions.js';

export interface SandboxClient {
  readonly clientId: string;
  readonly clientSecret?: string;
  /** SPKI public key or X.509 certificate (PEM) that verifies JWT bearer assertions. */
  readonly publicKeyPem?: string;
}

export interface AuthEnv {
  readonly clients: readonly SandboxClient[];
  readonly users: readonly SandboxUser[];
  readonly orgId: string;
  readonly sessions: SessionRegistry;
  readonly url: () => string;
  readonly onTokenIssued: (grant: GrantType) => void;
}

export const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** OAuth errors: 400 `{error, error_description}` (docs/crm/salesforce.md#oauth; descriptions other than invalid_grant's UNCONFIRMED). */
export function oauthError(error: string, description: string, status = 400): HttpReply {
  return jsonReply(status, { error, error_description: description });
}

const authFailure = (): HttpReply => oauthError('invalid_grant', 'authentication failure');
const badClientId = (): HttpReply => oauthError('invalid_client_id', 'client identifier invalid');
const badClient = (): HttpReply => oauthError('invalid_client', 'invalid client credentials');

export function identityUrl(env: AuthEnv, user: SandboxUser): string {
  return `${env.url()}/id/${env.orgId}/${user.id}`;
}

function secretMatches(expected: string | undefined, given: string | null): boolean {
  if (expected === undefined) return given === null || given === '';
  if (given === null) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function findUser(env: AuthEnv, username: string | null): SandboxUser | undefined {
  const name = (username ?? '').toLowerCase();
  return env.users.find((u) => u.username.toLowerCase() === name);
}

/** The 200 body: `id` ends in /orgId/userId, `instance_url` is the sandbox itself, `signature` per Salesforce. */
function tokenReply(env: AuthEnv, session: Session, client: SandboxClient | undefined, refreshToken?: string): HttpReply {
  const id = identityUrl(env, session.user);
  const issuedAt = String(session.issuedAt);
  const signature = createHmac('sha256', client?.clientSecret ?? '').update(id + issuedAt).digest('base64');
  env.onTokenIssued(session.grant);
  return jsonReply(200, {
    access_token: session.accessToken,
    ...(refreshToken ? { refresh_token: refreshToken, scope: 'api refresh_token' } : {}),
    signature,
    instance_url: env.url(),
    id,
    token_type: 'Bearer',
    issued_at: issuedAt,
  });
}

/** `POST /services/oauth2/token` (form-encoded): password, client_credentials, JWT bearer, refresh_token, authorization_code. */
export async function handleTokenRequest(env: AuthEnv, bodyText: string): Promise<HttpReply> {
  const params = new URLSearchParams(bodyText);
  const grant = params.get('grant_type');
  const client = env.clients.find((c) => c.clientId === params.get('client_id'));
  switch (grant) {
    case 'password': {
      if (!client) return badClientId();
      if (!secretMatches(client.clientSecret, params.get('client_secret'))) return badClient();
      const user = findUser(env, params.get('username'));
      if (!user || user.password === undefined || user.password !== params.get('password')) return authFailure();
      return tokenReply(env, env.sessions.issue(user, client.clientId, 'password'), client);
    }
    case 'client_credentials': {
      if (!client) return badClientId();
      if (client.clientSecret === undefined || !secretMatches(client.clientSecret, params.get('client_secret'))) return badClient();
      const user = env.users[0];
      return tokenReply(env, env.sessions.issue(user, client.clientId, 'client_credentials'), client);
    }
    case JWT_GRANT: {
      const assertion = params.get('assertion');
      if (!assertion) return oauthError('invalid_grant', 'invalid assertion');
      const audiences = [env.url(), 'https://login.salesforce.com', 'https://test.salesforce.com'];
      const check = await verifyJwtAssertion(assertion, env.clients, env.users, audiences);
      if (!check.ok) return oauthError(check.error, check.description);
      const jwtClient = env.clients.find((c) => c.clientId === check.client.clientId);
      return tokenReply(env, env.sessions.issue(check.user, check.client.clientId, 'jwt-bearer'), jwtClient);
    }
    case 'refresh_token': {
      const refreshToken = params.get('refresh_token') ?? '';
      const granted = env.sessions.refreshGrant(refreshToken);
      if (!client) return badClientId();
      if (client.clientSecret !== undefined && params.has('client_secret') && !secretMatches(client.clientSecret, params.get('client_secret'))) return badClient();
      if (!granted || granted.clientId !== client.clientId) return oauthError('invalid_grant', 'expired access/refresh token');
      return tokenReply(env, env.sessions.issue(granted.user, client.clientId, 'refresh_token'), client, refreshToken);
    }
    case 'authorization_code': {
      if (!client) return badClientId();
      if (!secretMatches(client.clientSecret, params.get('client_secret'))) return badClient();
      const code = env.sessions.redeemCode(params.get('code') ?? '');
      if (!code || code.clientId !== client.clientId || code.redirectUri !== (params.get('redirect_uri') ?? '')) {
        return oauthError('invalid_grant', 'invalid authorization code');
      }
      const refresh = env.sessions.issueRefreshToken(code.user, client.clientId);
      return tokenReply(env, env.sessions.issue(code.user, client.clientId, 'authorization_code'), client, refresh);
    }
    default:
      return oauthError('unsupported_grant_type', 'grant type not supported');
  }
}

/**
 * `GET /services/oauth2/authorize?response_type=code&client_id&redirect_uri[&state][&login_hint]`:
 * consent is automatic (no login page): 302 to the redirect URI with a code for `login_hint` or the
 * first user. Lets tests reach the refresh-token grant through jsforce's authorization-code flow.
 */
export function handleAuthorize(env: AuthEnv, query: URLSearchParams): HttpReply {
  const client = env.clients.find((c) => c.clientId === query.get('client_id'));
  const redirectUri = query.get('redirect_uri');
  if (!client || !redirectUri) return oauthError('invalid_client_id', 'client identifier invalid');
  if (query.get('response_type') !== 'code') return oauthError('unsupported_response_type', 'response type not supported');
  const user = findUser(env, query.get('login_hint')) ?? env.users[0];
  const location = new URL(redirectUri);
  location.searchParams.set('code', env.sessions.issueCode(user, client.clientId, redirectUri));
  const state = query.get('state');
  if (state !== null) location.searchParams.set('state', state);
  return { status: 302, headers: { Location: location.toString() }, contentType: 'text/plain', body: '' };
}

/** `POST /services/oauth2/revoke` (token=…): 200 for a known token, 400 otherwise. */
export function handleRevoke(env: AuthEnv, bodyText: string, query: URLSearchParams): HttpReply {
  const token = new URLSearchParams(bodyText).get('token') ?? query.get('token') ?? '';
  return env.sessions.revoke(token) ? { status: 200, contentType: 'application/json;charset=UTF-8', body: '' } : oauthError('unsupported_token_type', 'this token type is not supported');
}
