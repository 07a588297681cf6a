import { Client } from '@hubspot/api-client';
import { expect } from 'vitest';
import { DEFAULT_SANDBOX_TOKEN, startHubSpotSandbox, type HubSpotSandbox, type HubSpotSandboxOptions } from '@cdp-oss/crm-sandbox';

export const TOKEN = DEFAULT_SANDBOX_TOKEN;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Rate limits off unless a test asks for them, so suites do not throttle themselves. */
export function startSandbox(options: HubSpotSandboxOptions = {}): Promise<HubSpotSandbox> {
  return startHubSpotSandbox({ requestsPer10s: 0, searchPerSecond: 0, ...options });
}

/**
 * The real SDK pointed at the sandbox. Its retry decorators are process-wide, so make the client
 * right before using it.
 */
export function sdk(sandbox: HubSpotSandbox, numberOfApiCallRetries = 1, accessToken = TOKEN): Client {
  return new Client({ accessToken, basePath: sandbox.url, numberOfApiCallRetries });
}

export interface CaughtApiError {
  readonly code: number;
  readonly body: Record<string, unknown>;
  readonly headers: Record<string, string>;
}

/** The SDK's ApiException from a call that must fail. */
export async function apiError(call: Promise<unknown>): Promise<CaughtApiError> {
  let caught: unknown;
  try {
    await call;
  } catch (error) {
    caught = error;
  }
  expect(caught, 'the call should have thrown').toBeInstanceOf(Error);
  const e = caught as { code?: unknown; body?: unknown; headers?: unknown };
  expect(typeof e.code, `not an ApiException: ${String(caught)}`).toBe('number');
  return { code: e.code as number, body: e.body as Record<string, unknown>, headers: e.headers as Record<string, string> };
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

/** A plain HTTP request, for what the SDK hides (exact status codes, headers, trailing slashes). */
export async function raw(sandbox: HubSpotSandbox, method: string, path: string, body?: unknown, token: string | null = TOKEN): Promise<RawResponse> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${sandbox.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

export function contact(email: string, properties: Record<string, string> = {}): { idProperty: string; id: string; properties: Record<string, string> } {
  return { idProperty: 'email', id: email, properties };
}

/** The array inside "Property values were not valid: [...]". */
export function propertyIssues(message: unknown): readonly Record<string, unknown>[] {
  expect(typeof message).toBe('string');
  const m = /^Property values were not valid: (\[.*\])$/s.exec(String(message));
  expect(m, `unexpected message: ${String(message)}`).not.toBeNull();
  return JSON.parse(m?.[1] ?? '[]') as Record<string, unknown>[];
}
