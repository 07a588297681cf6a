import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultInjector } from '../http/fault-injector.js';
import { withHeaders, writeReply, type HttpReply } from '../http/http-reply.js';
import { parseJsonText } from '../http/request-body.js';
import type { Router, RouteMatch } from '../http/router.js';
import { errorReply, HubSpotHttpError, isRateLimitPolicy, rateLimitReply, serverErrorReply, unauthorizedReply, type RateLimitPolicy } from './hubspot-errors.js';
import { resolveObjectType } from './hubspot-object-types.js';
import type { HubSpotRateLimits } from './hubspot-rate-limits.js';
import type { RouteDefinition } from './hubspot-route-context.js';
import type { SandboxStatsRecorder } from './hubspot-sandbox-stats.js';
import type { HubSpotStore } from './hubspot-store.js';

export interface DispatcherParts {
  readonly router: Router<RouteDefinition>;
  readonly store: HubSpotStore;
  readonly faults: FaultInjector;
  readonly limits: HubSpotRateLimits;
  readonly stats: SandboxStatsRecorder;
  readonly tokens: ReadonlySet<string>;
  readonly portalId: number;
  readonly baseUrl: () => string;
  readonly maxBodyBytes: number;
}

/**
 * One API request, in HubSpot's order: authenticate, rate-limit, inject faults, route, answer.
 * Every reply is JSON with the rate-limit headers of the token's windows.
 */
export async function dispatchApiRequest(parts: DispatcherParts, req: IncomingMessage, res: ServerResponse, url: URL, bodyText: string | undefined): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const path = url.pathname;
  const match = parts.router.match(method, path);
  const route = match.kind === 'found' ? match.route.handler : undefined;
  const key = statsKey(method, match, path);
  parts.stats.request(key, route?.writes === true);

  const token = bearerToken(req.headers.authorization);
  if (token === undefined || !parts.tokens.has(token)) {
    parts.stats.unauthorizedRequest();
    writeReply(res, unauthorizedReply());
    return;
  }
  const admission = parts.limits.admit(token, route?.search === true, Date.now());
  if (!admission.ok) {
    parts.stats.tooManyRequests(admission.policy, false);
    writeReply(res, withHeaders(rateLimitReply(admission.policy), admission.headers));
    return;
  }
  const answer = (reply: HttpReply): void => writeReply(res, withHeaders(reply, admission.headers));

  const decision = parts.faults.decide({ method, path, aliases: [key.slice(method.length + 1), match.kind === 'found' ? match.route.template : path] });
  if (decision.delayMs > 0) {
    parts.stats.injectedFault('delayed');
    await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
  }
  switch (decision.action.kind) {
    case 'rateLimit': {
      const requested = decision.action.policy ?? 'TEN_SECONDLY_ROLLING';
      const policy: RateLimitPolicy = isRateLimitPolicy(requested) ? requested : 'TEN_SECONDLY_ROLLING';
      parts.stats.tooManyRequests(policy, true);
      answer(rateLimitReply(policy));
      return;
    }
    case 'serverError':
      parts.stats.injectedFault('serverErrors');
      answer(serverErrorReply(decision.action.status, decision.action.message));
      return;
    case 'drop':
      if (decision.action.when === 'beforeHandling') {
        parts.stats.injectedFault('dropped');
        req.socket.destroy();
        return;
      }
      break;
    case 'none':
      break;
  }

  const reply = handle(parts, match, url, bodyText);
  if (decision.action.kind === 'drop') {
    parts.stats.injectedFault('dropped');
    req.socket.destroy();
    return;
  }
  answer(reply);
}

function handle(parts: DispatcherParts, match: RouteMatch<RouteDefinition>, url: URL, bodyText: string | undefined): HttpReply {
  if (match.kind === 'not-found') return errorReply(404, 'OBJECT_NOT_FOUND', 'resource not found');
  if (match.kind === 'method-not-allowed') return errorReply(405, 'VALIDATION_ERROR', `HTTP method not allowed here; allowed: ${match.allowed.join(', ')}`);
  if (bodyText === undefined) return errorReply(413, 'VALIDATION_ERROR', `Request body larger than ${parts.maxBodyBytes} bytes`);
  const parsed = parseJsonText(bodyText);
  if (!parsed.ok) return errorReply(400, 'VALIDATION_ERROR', `Invalid input JSON on line ${parsed.line}, column ${parsed.column}: ${parsed.message}`);
  const route = match.route.handler;
  const key = statsKey(route.method, match, url.pathname);
  try {
    return route.handler({
      params: match.params,
      query: url.searchParams,
      body: parsed.value,
      store: parts.store,
      faults: parts.faults,
      portalId: parts.portalId,
      baseUrl: parts.baseUrl(),
      noteBatchSize: (inputs) => parts.stats.batch(key, inputs),
    });
  } catch (error) {
    if (error instanceof HubSpotHttpError) return error.reply;
    console.error('HubSpot sandbox handler failed', error);
    return serverErrorReply(500);
  }
}

function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1] : undefined;
}

/** `POST /crm/v3/objects/contacts/batch/upsert`: the template with the object type filled in. */
export function statsKey(method: string, match: RouteMatch<RouteDefinition>, path: string): string {
  if (match.kind !== 'found') return `${method} ${match.kind === 'not-found' ? '(unmatched)' : path}`;
  const objectType = match.params.objectType !== undefined ? resolveObjectType(match.params.objectType) : undefined;
  const template = objectType ? match.route.template.replace('{objectType}', objectType.path) : match.route.template;
  return `${method} ${template}`;
}
