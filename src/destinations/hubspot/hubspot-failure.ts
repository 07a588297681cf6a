import type { BatchFailure } from '../destination.js';
import type { Scrubber } from '../../diagnostics/secret-scrubber.js';

/** What the SDK throws for a non-success status (ApiException), reduced to what cdp reads. */
export interface HubSpotApiError {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
}

/** The rolling window HubSpot's TEN_SECONDLY_ROLLING policy counts over. */
export const TEN_SECONDS = 10_000;

export function apiError(error: unknown): HubSpotApiError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, body } = error as { code?: unknown; body?: unknown };
  if (typeof code !== 'number') return undefined;
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  return { status: code, body: typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {} };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

/** The first invalid property of "Property values were not valid: [...]", as a code and message. */
export function propertyIssue(message: string): { readonly code: string; readonly message: string } | undefined {
  const m = /^Property values were not valid: (\[.*\])$/s.exec(message);
  if (!m) return undefined;
  const issues = safeJson(m[1]);
  if (!Array.isArray(issues) || issues.length === 0) return undefined;
  const first = issues[0] as { error?: unknown; message?: unknown; name?: unknown };
  if (typeof first.error !== 'string') return undefined;
  const text = typeof first.message === 'string' ? first.message : message;
  const named = typeof first.name === 'string' && !text.toLowerCase().includes(first.name.toLowerCase());
  return { code: first.error, message: named ? `${String(first.name)}: ${text}` : text };
}

/**
 * Turns anything a HubSpot call threw into what the engine should do (docs/crm/hubspot.md#client-library, #errors, #rate-limits):
 * 429 rolling → wait the window; DAILY → stop; 5xx, timeouts and dropped connections → retry;
 * 400/409 → the batch holds a bad record (split); 401/403 → stop. Messages are scrubbed of secrets.
 */
export function classifyHubSpotError(error: unknown, scrub: Scrubber, destination: string): BatchFailure {
  const api = apiError(error);
  if (!api) {
    const text = error instanceof Error ? error.message : String(error);
    return { kind: 'retry', code: 'network', message: scrub(`no answer from HubSpot: ${text}`) };
  }
  const message = scrub(typeof api.body.message === 'string' ? api.body.message : `HTTP ${api.status}`);
  const category = typeof api.body.category === 'string' ? api.body.category : undefined;
  if (api.status === 429) {
    const policy = typeof api.body.policyName === 'string' ? api.body.policyName : undefined;
    if (policy === 'DAILY') {
      return {
        kind: 'stop',
        code: 'rate-limit-daily',
        message: `HubSpot's daily API limit is used up (${message})`,
        hint: "it resets at midnight in the HubSpot account's time zone; the next run sends what is still unconfirmed",
      };
    }
    const secondly = policy === 'SECONDLY' || message === 'You have reached your secondly limit.';
    return { kind: 'retry', code: `rate-limit-${(policy ?? 'unknown').toLowerCase()}`, message, retryAfterMs: secondly ? 1_000 : TEN_SECONDS };
  }
  if (api.status === 401) {
    return {
      kind: 'stop',
      code: 'destination-auth',
      message: `HubSpot rejected the access token (401 ${category ?? ''}): ${message}`.replace('( ', '('),
      hint: `check the accessToken of destination '${destination}' (usually \${HUBSPOT_ACCESS_TOKEN}) and the baseUrl it is sent to`,
    };
  }
  if (api.status === 403) {
    return { kind: 'stop', code: 'destination-forbidden', message: `HubSpot refused the request (403 ${category ?? ''}): ${message}`, hint: 'give the private app the crm.objects, crm.schemas and crm.lists read/write scopes' };
  }
  if (api.status >= 500 || api.status === 408) return { kind: 'retry', code: `http-${api.status}`, message };
  if (api.status === 400 || api.status === 409 || api.status === 422) {
    const issue = propertyIssue(message);
    return { kind: 'split', code: issue?.code ?? category ?? `http-${api.status}`, message: issue?.message ?? message };
  }
  return { kind: 'stop', code: `http-${api.status}`, message: `HubSpot answered ${api.status}: ${message}` };
}
