import type { IncomingMessage, ServerResponse } from 'node:http';
import { jsonReply, withHeaders, writeReply, type HttpReply } from '../http/http-reply.js';
import type { Router, RouteMatch } from '../http/router.js';
import type { RouteContext, RouteDefinition, SalesforceEnv } from './route-context.js';
import { apiError, invalidSession, notFound, SalesforceHttpError } from './salesforce-errors.js';
import { DATA_PREFIX } from './salesforce-routes.js';
import type { SessionRegistry } from './sessions.js';

/** The lowest REST version the sandbox serves: sObject Collections need 42.0 (docs/crm/salesforce.md#client-library). */
export const MIN_API_VERSION = 42;

export interface DataDispatcher {
  readonly router: Router<RouteDefinition>;
  readonly env: SalesforceEnv;
  readonly sessions: SessionRegistry;
}

export function bearerToken(header: string | undefined): string | undefined {
  const m = /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1] : undefined;
}

/** `PATCH /composite/sobjects/Contact/{field}`: the template without the version prefix, sObject filled in. */
export function statsKey(method: string, match: RouteMatch<RouteDefinition>, env: SalesforceEnv, path: string): string {
  if (match.kind !== 'found') return `${method} ${match.kind === 'not-found' ? '(unmatched)' : path}`;
  let template = match.route.template.startsWith(DATA_PREFIX) ? match.route.template.slice(DATA_PREFIX.length) || '/' : match.route.template;
  const sobject = match.params.sobject !== undefined ? env.registry.get(match.params.sobject)?.name : undefined;
  if (sobject) template = template.replace('{sobject}', sobject);
  return `${method} ${template}`;
}

function serverErrorReply(status: number, message: string | undefined): HttpReply {
  if (status === 502 || status === 504) {
    const title = status === 502 ? 'Bad Gateway' : 'Gateway Timeout';
    return { status, contentType: 'text/html', body: `<html><head><title>${status} ${title}</title></head><body><h1>${title}</h1></body></html>` };
  }
  if (status === 503) return apiError(503, 'SERVER_UNAVAILABLE', message ?? 'Server temporarily unavailable, please retry later');
  return apiError(500, 'UNKNOWN_EXCEPTION', message ?? 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)');
}

const limitExceeded = (policy: string): HttpReply => apiError(403, 'REQUEST_LIMIT_EXCEEDED', `${policy} Limit exceeded.`);

/**
 * One REST call, in order: route → session (401 INVALID_SESSION_ID for unknown tokens only) →
 * version → daily allocation (403) → injected faults → handler. `Sforce-Limit-Info` on every reply.
 */
export async function dispatchDataRequest(parts: DataDispatcher, req: IncomingMessage, res: ServerResponse, url: URL, bodyText: string | undefined): Promise<void> {
  const { env } = parts;
  const method = (req.method ?? 'GET').toUpperCase();
  const path = url.pathname;
  const answer = (reply: HttpReply): void => writeReply(res, withHeaders(reply, { 'Sforce-Limit-Info': env.usage.header() }));
  if (method === 'GET' && /^\/services\/data\/?$/.test(path)) {
    const versions = Array.from({ length: 66 - MIN_API_VERSION + 1 }, (_, i) => `${MIN_API_VERSION + i}.0`);
    answer(jsonReply(200, versions.map((v) => ({ label: `API ${v}`, url: `/services/data/v${v}`, version: v }))));
    return;
  }
  const match = parts.router.match(method, path);
  const key = statsKey(method, match, env, path);
  const route = match.kind === 'found' ? match.route.handler : undefined;
  env.stats.request(key, route?.writes === true);

  const token = bearerToken(req.headers.authorization);
  const session = token === undefined ? undefined : parts.sessions.verify(token);
  if (!session) {
    env.stats.unauthorizedRequest();
    answer(invalidSession());
    return;
  }
  const versionSegment = path.split('/')[3] ?? '';
  const version = /^v(\d{2,3}\.\d)$/.exec(versionSegment)?.[1];
  if (!version) {
    answer(notFound());
    return;
  }
  if (Number(version) < MIN_API_VERSION) {
    // UNCONFIRMED: status and wording for a version below the sandbox's minimum.
    answer(apiError(410, 'UNSUPPORTED_API_VERSION', `API version ${version} is not supported; use ${MIN_API_VERSION}.0 or later`));
    return;
  }
  if (!env.usage.take()) {
    env.stats.limitHit('daily');
    answer(limitExceeded('TotalRequests'));
    return;
  }

  const decision = env.faults.decide({ method, path, aliases: [key.slice(method.length + 1), match.kind === 'found' ? match.route.template : path] });
  if (decision.delayMs > 0) {
    env.stats.injectedFault('delayed');
    await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
  }
  switch (decision.action.kind) {
    case 'rateLimit':
      env.stats.limitHit('injected');
      answer(limitExceeded(decision.action.policy ?? 'TotalRequests'));
      return;
    case 'serverError':
      env.stats.injectedFault('serverErrors');
      answer(serverErrorReply(decision.action.status, decision.action.message));
      return;
    case 'drop':
      if (decision.action.when === 'beforeHandling') {
        env.stats.injectedFault('dropped');
        req.socket.destroy();
        return;
      }
      break;
    case 'none':
      break;
  }

  let reply: HttpReply;
  if (match.kind === 'not-found') reply = notFound();
  else if (match.kind === 'method-not-allowed') reply = apiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are ${match.allowed.join(',')}`);
  else if (bodyText === undefined) reply = apiError(413, 'REQUEST_TOO_LARGE', 'The request body is too large');
  else {
    const ctx: RouteContext = {
      env,
      params: match.params,
      query: url.searchParams,
      headers: req.headers,
      bodyText,
      version,
      versionPath: `/services/data/v${version}`,
      session,
      noteRecords: (count) => env.stats.records(key, count),
    };
    reply = await run(match.route.handler, ctx);
  }
  if (decision.action.kind === 'drop') {
    env.stats.injectedFault('dropped');
    req.socket.destroy();
    return;
  }
  answer(reply);
}

async function run(route: RouteDefinition, ctx: RouteContext): Promise<HttpReply> {
  try {
    return await route.handler(ctx);
  } catch (error) {
    if (error instanceof SalesforceHttpError) return error.reply;
    console.error('Salesforce sandbox handler failed', error);
    return serverErrorReply(500, undefined);
  }
}
