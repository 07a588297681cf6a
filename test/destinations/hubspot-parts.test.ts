import { describe, expect, it } from 'vitest';
import { mapBatchResults } from '../../src/destinations/hubspot/hubspot-batch-results.js';
import { classifyHubSpotError } from '../../src/destinations/hubspot/hubspot-failure.js';
import { hubspotValue } from '../../src/destinations/hubspot/hubspot-values.js';
import { secretScrubber } from '../../src/diagnostics/secret-scrubber.js';

const token = 'pat-na1-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const scrub = secretScrubber([token]);
const apiException = (code: number, body: Record<string, unknown>) => Object.assign(new Error(`HTTP-Code: ${code}`), { code, body, headers: {} });
const email = { field: 'email', caseInsensitive: true };

describe('HubSpot batch results', () => {
  const sent = [
    { traceId: 'cdp-0', key: 'a@x.com' },
    { traceId: 'cdp-1', key: 'b@x.com' },
    { traceId: 'cdp-2', key: 'c@x.com' },
  ];

  it('lines results and 207 errors up with inputs by trace id, key or id', () => {
    const results = mapBatchResults(
      sent,
      {
        results: [
          { id: '12', properties: { email: 'C@X.com' } },
          { id: '10', objectWriteTraceId: 'cdp-0', properties: {} },
        ],
        errors: [{ category: 'VALIDATION_ERROR', message: 'Property values were not valid: [{"isValid":false,"message":"Email address b@x is invalid","error":"INVALID_EMAIL","name":"email"}]', context: { objectWriteTraceId: ['cdp-1'] } }],
      },
      email,
      scrub,
    );
    expect(results).toEqual([
      { ok: true, id: '10' },
      { ok: false, code: 'INVALID_EMAIL', message: 'Email address b@x is invalid', retryable: false },
      { ok: true, id: '12' },
    ]);
  });

  it('marks ids HubSpot does not have as not found, and retries what it did not report on', () => {
    const results = mapBatchResults(
      sent,
      { results: [{ id: '10', objectWriteTraceId: 'cdp-0' }], errors: [{ category: 'OBJECT_NOT_FOUND', message: 'Could not get some CONTACT objects', context: { ids: ['B@x.com'] } }] },
      email,
      scrub,
    );
    expect(results[1]).toMatchObject({ ok: false, notFound: true, code: 'OBJECT_NOT_FOUND' });
    expect(results[2]).toMatchObject({ ok: false, code: 'UNREPORTED', retryable: true });
  });

  it('gives a lone unexplained error to the lone input, and falls back to order when nothing else matches', () => {
    expect(mapBatchResults([sent[0]], { results: [], errors: [{ category: 'CONFLICT', message: 'Contact already exists. Existing ID: 5' }] }, email, scrub)).toEqual([
      { ok: false, code: 'CONFLICT', message: 'Contact already exists. Existing ID: 5', retryable: false },
    ]);
    expect(mapBatchResults(sent.slice(0, 2), { results: [{ id: '1' }, { id: '2' }] }, email, scrub)).toEqual([
      { ok: true, id: '1' },
      { ok: true, id: '2' },
    ]);
  });
});

describe('HubSpot failures', () => {
  const classify = (e: unknown) => classifyHubSpotError(e, scrub, 'hubspot');

  it('waits the rolling window on TEN_SECONDLY_ROLLING, a second on the secondly limit, and stops on DAILY', () => {
    expect(classify(apiException(429, { policyName: 'TEN_SECONDLY_ROLLING', message: 'You have reached your ten_secondly_rolling limit.' }))).toMatchObject({ kind: 'retry', retryAfterMs: 10_000 });
    expect(classify(apiException(429, { policyName: 'SECONDLY', message: 'You have reached your secondly limit.' }))).toMatchObject({ kind: 'retry', retryAfterMs: 1_000 });
    expect(classify(apiException(429, { policyName: 'DAILY', message: 'You have reached your daily limit.' }))).toMatchObject({ kind: 'stop', code: 'rate-limit-daily' });
  });

  it('retries 5xx and network errors, splits batches on 400/409, stops on 401', () => {
    expect(classify(apiException(503, { message: 'Service Unavailable' }))).toMatchObject({ kind: 'retry', code: 'http-503' });
    expect(classify(Object.assign(new Error('request to http://127.0.0.1/x failed, reason: socket hang up'), { type: 'system' }))).toMatchObject({ kind: 'retry', code: 'network' });
    expect(classify(apiException(409, { category: 'CONFLICT', message: 'Contact already exists. Existing ID: 5' }))).toMatchObject({ kind: 'split', code: 'CONFLICT' });
    const auth = classify(apiException(401, { category: 'INVALID_AUTHENTICATION', message: `Authentication credentials not found (Bearer ${token})` }));
    expect(auth).toMatchObject({ kind: 'stop', code: 'destination-auth' });
    expect(JSON.stringify(auth)).not.toContain(token);
    expect(auth.hint).toContain("destination 'hubspot'");
  });
});

describe('HubSpot values and secrets', () => {
  it('formats warehouse values as HubSpot takes them', () => {
    expect(hubspotValue(null, 'string')).toBe('');
    expect(hubspotValue(true, 'boolean')).toBe('true');
    expect(hubspotValue(12.5, 'float')).toBe('12.5');
    expect(hubspotValue(3, 'integer')).toBe('3');
    expect(hubspotValue('2026-01-02T03:04:05.000Z', 'timestamp')).toBe('2026-01-02T03:04:05.000Z');
    expect(hubspotValue('2026-01-02 03:04:05', 'timestamp')).toBe('2026-01-02T03:04:05.000Z');
    expect(hubspotValue('2026-01-02T00:00:00.000Z', 'date')).toBe('2026-01-02');
  });

  it('scrubs configured secrets and anything shaped like a bearer or private-app token', () => {
    expect(scrub(`token ${token} and Bearer abc.def and pat-eu1-12345678-1234-1234-1234-123456789012`)).toBe('token [redacted] and Bearer [redacted] and [redacted]');
  });
});
