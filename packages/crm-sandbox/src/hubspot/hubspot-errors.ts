import { randomUUID } from 'node:crypto';
import { jsonReply, type HttpReply } from '../http/http-reply.js';

/** HubSpot's error envelope (docs/crm/hubspot.md#errors). */
export type ErrorCategory =
  | 'VALIDATION_ERROR'
  | 'CONFLICT'
  | 'OBJECT_NOT_FOUND'
  | 'OBJECT_ALREADY_EXISTS'
  | 'INVALID_AUTHENTICATION'
  | 'EXPIRED_AUTHENTICATION'
  | 'MISSING_SCOPES'
  | 'RATE_LIMITS';

export type ErrorContext = Readonly<Record<string, readonly string[]>>;

export interface ErrorExtras {
  readonly subCategory?: string;
  readonly context?: ErrorContext;
}

export const AUTH_MESSAGE =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

export type RateLimitPolicy = 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY';
export const RATE_LIMIT_POLICIES: readonly RateLimitPolicy[] = ['TEN_SECONDLY_ROLLING', 'SECONDLY', 'DAILY'];

export function isRateLimitPolicy(value: string): value is RateLimitPolicy {
  return (RATE_LIMIT_POLICIES as readonly string[]).includes(value);
}

const RATE_LIMIT_MESSAGES: Readonly<Record<RateLimitPolicy, string>> = {
  TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
  // The SDK retries (after 1 s) on exactly this message.
  SECONDLY: 'You have reached your secondly limit.',
  DAILY: 'You have reached your daily limit.',
};

export function errorBody(category: ErrorCategory, message: string, extras: ErrorExtras = {}): Record<string, unknown> {
  return {
    status: 'error',
    message,
    correlationId: randomUUID(),
    ...(extras.context ? { context: extras.context } : {}),
    category,
    ...(extras.subCategory ? { subCategory: extras.subCategory } : {}),
  };
}

export function errorReply(status: number, category: ErrorCategory, message: string, extras: ErrorExtras = {}): HttpReply {
  return jsonReply(status, errorBody(category, message, extras));
}

/** Thrown from deep inside a handler to answer with an error; the dispatcher turns it into its reply. */
export class HubSpotHttpError extends Error {
  constructor(readonly reply: HttpReply) {
    super(`HubSpot sandbox error ${reply.status}`);
    this.name = 'HubSpotHttpError';
  }
}

export function fail(status: number, category: ErrorCategory, message: string, extras: ErrorExtras = {}): never {
  throw new HubSpotHttpError(errorReply(status, category, message, extras));
}

export function failValidation(message: string, extras: ErrorExtras = {}): never {
  return fail(400, 'VALIDATION_ERROR', message, extras);
}

export function unauthorizedReply(): HttpReply {
  return errorReply(401, 'INVALID_AUTHENTICATION', AUTH_MESSAGE);
}

/**
 * Spec A9's 429 body. For SECONDLY (search) the body shape is UNCONFIRMED: we reuse A9's shape with
 * policyName "SECONDLY" and the message the SDK recognises.
 */
export function rateLimitReply(policy: RateLimitPolicy): HttpReply {
  return jsonReply(429, {
    status: 'error',
    message: RATE_LIMIT_MESSAGES[policy],
    errorType: 'RATE_LIMIT',
    correlationId: randomUUID(),
    policyName: policy,
    requestId: randomUUID(),
  });
}

const SERVER_ERROR_MESSAGES: Readonly<Record<number, string>> = {
  500: 'internal error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Injected 5xx, always with a JSON body so the SDK can tell the status (and retry). */
export function serverErrorReply(status: number, message?: string): HttpReply {
  return jsonReply(status, {
    status: 'error',
    message: message ?? SERVER_ERROR_MESSAGES[status] ?? 'internal error',
    correlationId: randomUUID(),
  });
}

/** One item of a 207 response's `errors` array (docs/crm/hubspot.md#batch-writes). */
export interface BatchErrorItem {
  readonly status: 'error';
  readonly category: ErrorCategory;
  readonly message: string;
  readonly context: ErrorContext;
  readonly errors: readonly unknown[];
  readonly links: Readonly<Record<string, string>>;
  readonly subCategory?: string;
}

export function batchErrorItem(category: ErrorCategory, message: string, context: ErrorContext = {}): BatchErrorItem {
  return { status: 'error', category, message, context, errors: [], links: {} };
}

/** One entry of the JSON array inside "Property values were not valid: [...]". */
export interface PropertyIssue {
  readonly isValid: false;
  readonly message: string;
  readonly error: string;
  readonly name: string;
  readonly localizedErrorMessage: string;
  readonly portalId: number;
}

export function propertyIssue(name: string, error: string, message: string, portalId: number): PropertyIssue {
  return { isValid: false, message, error, name, localizedErrorMessage: message, portalId };
}

export function propertyIssuesMessage(issues: readonly PropertyIssue[]): string {
  return `Property values were not valid: ${JSON.stringify(issues)}`;
}
