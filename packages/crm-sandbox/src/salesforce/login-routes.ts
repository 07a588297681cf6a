import type { IncomingHttpHeaders } from 'node:http';
import type { HttpReply } from '../http/http-reply.js';
import { handleIdentity } from './identity.js';
import { handleAuthorize, handleRevoke, handleTokenRequest, oauthError, type AuthEnv } from './oauth.js';
import { handleSoapLogin } from './soap-login.js';

export interface LoginRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly bodyText: string;
}

/** The route key for stats, or undefined when `path` is not a login / identity endpoint. */
export function loginRouteKey(method: string, path: string): string | undefined {
  const p = path.replace(/\/+$/, '');
  if (p === '/services/oauth2/token' || p === '/services/oauth2/authorize' || p === '/services/oauth2/revoke') return `${method} ${p}`;
  if (/^\/services\/Soap\/u\/[^/]+$/.test(p)) return `${method} /services/Soap/u/{version}`;
  if (/^\/id\/[^/]+\/[^/]+$/.test(p)) return `${method} /id/{orgId}/{userId}`;
  return undefined;
}

/** OAuth token / authorize / revoke, SOAP partner login and the identity URL. */
export async function handleLoginRequest(env: AuthEnv, request: LoginRequest): Promise<HttpReply> {
  const p = request.path.replace(/\/+$/, '');
  const { method } = request;
  if (p === '/services/oauth2/token') {
    return method === 'POST' ? handleTokenRequest(env, request.bodyText) : oauthError('invalid_request', 'must use HTTP POST');
  }
  if (p === '/services/oauth2/authorize') return handleAuthorize(env, request.query);
  if (p === '/services/oauth2/revoke') return handleRevoke(env, request.bodyText, request.query);
  const soap = /^\/services\/Soap\/u\/([^/]+)$/.exec(p);
  if (soap) {
    if (method !== 'POST') return { status: 405, contentType: 'text/plain', body: 'Method Not Allowed' };
    return handleSoapLogin(env, soap[1], request.bodyText);
  }
  const id = /^\/id\/([^/]+)\/([^/]+)$/.exec(p);
  if (id) {
    const auth = request.headers.authorization;
    return handleIdentity(env, id[1], id[2], typeof auth === 'string' ? auth : undefined, request.query);
  }
  return { status: 404, contentType: 'text/plain', body: 'Not Found' };
}
