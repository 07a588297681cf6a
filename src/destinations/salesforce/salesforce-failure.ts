import type { BatchFailure } from '../destination.js';
import type { Scrubber } from '../../diagnostics/secret-scrubber.js';
import { RequestTimeout } from '../with-timeout.js';

/** How long to hold every request back after Salesforce's concurrent-request limit answered (docs/crm/salesforce.md#limits). */
export const CONCURRENCY_BACKOFF_MS = 20_000;

/** What jsforce throws, reduced to what cdp reads: HttpApiError carries `errorCode`; OAuth errors only a `name`. */
export interface SalesforceErrorParts {
  readonly name: string;
  readonly errorCode?: string;
  readonly code?: string;
  readonly message: string;
}

export function errorParts(error: unknown): SalesforceErrorParts {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const extra = error as Error & { readonly errorCode?: unknown; readonly code?: unknown };
  const errorCode = typeof extra.errorCode === 'string' ? extra.errorCode : undefined;
  const inner = errorCode?.startsWith('ERROR_HTTP_') ? embeddedError(error.message) : undefined;
  if (inner) return { name: inner.errorCode, ...inner };
  return {
    name: error.name,
    message: error.message,
    ...(errorCode !== undefined ? { errorCode } : {}),
    ...(typeof extra.code === 'string' ? { code: extra.code } : {}),
  };
}

/**
 * A Bulk API call that expects CSV leaves a JSON error body unparsed: jsforce then reports
 * `ERROR_HTTP_<status>` with the body as message. The real error is inside.
 */
function embeddedError(text: string): { readonly errorCode: string; readonly message: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    const first: unknown = Array.isArray(parsed) ? parsed[0] : undefined;
    if (typeof first !== 'object' || first === null) return undefined;
    const { errorCode, message } = first as { readonly errorCode?: unknown; readonly message?: unknown };
    return typeof errorCode === 'string' ? { errorCode, message: typeof message === 'string' ? message : errorCode } : undefined;
  } catch {
    return undefined;
  }
}

/** A problem cdp found before asking Salesforce (an unreadable key file): stop, with what to check. */
export class SalesforceSetupError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'SalesforceSetupError';
  }
}

/** The session stayed invalid right after cdp re-authenticated: stop rather than loop (docs/crm/salesforce.md#client-library). */
export class SessionRejected extends Error {
  constructor() {
    super('Salesforce answered INVALID_SESSION_ID again right after cdp re-authenticated');
    this.name = 'SessionRejected';
  }
}

/** The OAuth token endpoint's error codes (docs/crm/salesforce.md#oauth) and their usual relatives. */
const OAUTH_ERRORS: ReadonlySet<string> = new Set(['invalid_grant', 'invalid_client_id', 'invalid_client', 'unsupported_grant_type', 'invalid_request', 'inactive_user', 'inactive_org', 'unauthorized_client', 'invalid_app_access']);
const TRANSIENT_CODES: ReadonlySet<string> = new Set(['UNKNOWN_EXCEPTION', 'SERVER_UNAVAILABLE', 'UNABLE_TO_LOCK_ROW', 'QUERY_TIMEOUT', 'REQUEST_RUNNING_TOO_LONG']);
const PERMISSION_CODES: ReadonlySet<string> = new Set(['API_DISABLED_FOR_ORG', 'API_CURRENTLY_DISABLED', 'INSUFFICIENT_ACCESS', 'INSUFFICIENT_ACCESS_OR_READONLY', 'FUNCTIONALITY_NOT_ENABLED']);

export interface FailureContext {
  readonly scrub: Scrubber;
  /** What to check when Salesforce rejects the credentials (depends on the auth flow). */
  readonly authHint: string;
}

/**
 * Turns anything a jsforce call threw into what the engine should do (docs/crm/salesforce.md#client-library, #oauth, #errors, #limits):
 * rejected credentials, a session that stays invalid, the daily limit, missing permissions → stop;
 * the concurrent-request limit → wait long; 5xx, timeouts and dropped connections → retry.
 * Other API errors (a bad field, a malformed query) stop: nothing works until a person acts.
 */
export function classifySalesforceError(error: unknown, ctx: FailureContext): BatchFailure {
  if (error instanceof SalesforceSetupError) return { kind: 'stop', code: error.code, message: ctx.scrub(error.message), hint: error.hint };
  if (error instanceof RequestTimeout) return { kind: 'retry', code: 'timeout', message: `no answer from Salesforce: ${error.message}` };
  const parts = errorParts(error);
  const message = ctx.scrub(parts.message);
  const refresh = /^Unable to refresh session due to: (.*)$/s.exec(parts.message);
  if (error instanceof SessionRejected || (refresh && refresh[1].includes('INVALID_SESSION_ID again'))) {
    return {
      kind: 'stop',
      code: 'session-invalid',
      message: 'Salesforce rejected the session (INVALID_SESSION_ID) again right after cdp re-authenticated',
      hint: `the org may restrict sessions (IP ranges, session policies of the connected app, "Lock sessions to the IP address"); ${ctx.authHint}`,
    };
  }
  if (refresh) return authOrTransient(refresh[1], ctx);
  if (OAUTH_ERRORS.has(parts.name)) {
    return { kind: 'stop', code: 'destination-auth', message: `Salesforce rejected the credentials (${parts.name}: ${message})`, hint: ctx.authHint };
  }
  const code = parts.errorCode;
  if (code === undefined) return { kind: 'retry', code: parts.code ?? 'network', message: `no answer from Salesforce: ${message}` };
  if (code === 'REQUEST_LIMIT_EXCEEDED') {
    if (/concurrent/i.test(parts.message)) return { kind: 'retry', code: 'rate-limit-concurrent', message: `Salesforce's concurrent request limit was hit (${message})`, retryAfterMs: CONCURRENCY_BACKOFF_MS };
    return {
      kind: 'stop',
      code: 'rate-limit-daily',
      message: `Salesforce's daily API request limit is used up (${message})`,
      hint: 'the allocation counts a rolling 24 hours (Setup > Company Information shows it); the next run sends what is still unconfirmed, and diffs above bulkThreshold go through Bulk API 2.0, which needs far fewer calls',
    };
  }
  if (code === 'INVALID_SESSION_ID') return { kind: 'stop', code: 'session-invalid', message: `Salesforce rejected the session: ${message}`, hint: ctx.authHint };
  if (/^ERROR_HTTP_(5\d\d|420|429|408)$/.test(code) || TRANSIENT_CODES.has(code)) return { kind: 'retry', code, message: firstLine(message) };
  if (PERMISSION_CODES.has(code)) {
    return { kind: 'stop', code, message: `Salesforce refused the request (${code}): ${message}`, hint: 'give the integration user API access and read/edit permission on the object and fields (profile or permission set)' };
  }
  return { kind: 'stop', code, message: `Salesforce answered ${code}: ${firstLine(message)}` };
}

/** A failed re-authentication, as the refresh function reported it (`name: message`, see SalesforceSession). */
function authOrTransient(inner: string, ctx: FailureContext): BatchFailure {
  const name = /^(\w+): /.exec(inner)?.[1] ?? '';
  if (OAUTH_ERRORS.has(name) || name === 'SalesforceSetupError') {
    return { kind: 'stop', code: 'destination-auth', message: ctx.scrub(`the Salesforce session expired and re-authenticating failed: ${inner}`), hint: ctx.authHint };
  }
  return { kind: 'retry', code: 'network', message: ctx.scrub(`re-authenticating failed: ${inner}`) };
}

function firstLine(text: string): string {
  return text.split('\n')[0];
}
