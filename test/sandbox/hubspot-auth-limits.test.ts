import { afterEach, describe, expect, it } from 'vitest';
import { CONTACTS } from '@cdp-oss/crm-sandbox';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { apiError, contact, raw, sdk, startSandbox, UUID } from './hubspot-sandbox-helpers.js';

const AUTH_MESSAGE =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

let sandbox: HubSpotSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('authentication', () => {
  it('answers 401 INVALID_AUTHENTICATION with the exact body for a missing or unknown token', async () => {
    sandbox = await startSandbox({ accessTokens: ['pat-na1-11111111-1111-1111-1111-111111111111'] });
    const missing = await raw(sandbox, 'GET', '/crm/v3/objects/contacts', undefined, null);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toMatch(/^application\/json/);
    expect(missing.json).toEqual({ status: 'error', message: AUTH_MESSAGE, correlationId: expect.stringMatching(UUID), category: 'INVALID_AUTHENTICATION' });
    const unknown = await apiError(sdk(sandbox, 1, 'pat-na1-00000000-0000-0000-0000-000000000000').crm.contacts.basicApi.getPage());
    expect(unknown.code).toBe(401);
    expect(unknown.body).toEqual({ status: 'error', message: AUTH_MESSAGE, correlationId: expect.stringMatching(UUID), category: 'INVALID_AUTHENTICATION' });
    const known = await sdk(sandbox, 1, 'pat-na1-11111111-1111-1111-1111-111111111111').crm.contacts.basicApi.getPage();
    expect(known.results).toEqual([]);
    expect(sandbox.stats.unauthorized).toBe(2);
  });
});

describe('rate limits', () => {
  it('sends the rate headers on successes, errors and 429s', async () => {
    sandbox = await startSandbox({ requestsPer10s: 3, dailyLimit: 1000 });
    const ok = await raw(sandbox, 'GET', '/crm/v3/objects/contacts');
    expect(Object.fromEntries([...ok.headers].filter(([k]) => k.startsWith('x-hubspot-ratelimit')))).toEqual({
      'x-hubspot-ratelimit-max': '3',
      'x-hubspot-ratelimit-remaining': '2',
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
      'x-hubspot-ratelimit-daily': '1000',
      'x-hubspot-ratelimit-daily-remaining': '999',
    });
    const bad = await raw(sandbox, 'POST', '/crm/v3/objects/contacts/batch/create', { nope: true });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-hubspot-ratelimit-remaining')).toBe('1');
    await raw(sandbox, 'GET', '/crm/v3/objects/contacts');
    const limited = await raw(sandbox, 'GET', '/crm/v3/objects/contacts');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^application\/json/);
    expect(limited.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('997');
  });

  it('answers 429 TEN_SECONDLY_ROLLING past the rolling window, as an ApiException the SDK recognises', async () => {
    sandbox = await startSandbox({ requestsPer10s: 2 });
    const client = sdk(sandbox, 1);
    await client.crm.contacts.batchApi.upsert({ inputs: [contact('a@example.com')] });
    await client.crm.contacts.batchApi.upsert({ inputs: [contact('b@example.com')] });
    const err = await apiError(client.crm.contacts.batchApi.upsert({ inputs: [contact('c@example.com')] }));
    expect(err.code).toBe(429);
    expect(err.body).toEqual({
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      correlationId: expect.stringMatching(UUID),
      policyName: 'TEN_SECONDLY_ROLLING',
      requestId: expect.stringMatching(UUID),
    });
    expect(err.headers['content-type']).toMatch(/^application\/json/);
    expect(sandbox.stats).toMatchObject({ rateLimited: 1, rateLimitedByPolicy: { TEN_SECONDLY_ROLLING: 1 }, writeRequests: 3 });
    expect(sandbox.store.findByProperty(CONTACTS, 'email', 'c@example.com')).toBeUndefined();
  });

  it('answers 429 DAILY past the daily limit, which the SDK does not retry', async () => {
    sandbox = await startSandbox({ dailyLimit: 2 });
    await raw(sandbox, 'GET', '/crm/v3/objects/contacts');
    await raw(sandbox, 'GET', '/crm/v3/objects/contacts');
    const err = await apiError(sdk(sandbox, 3).crm.contacts.basicApi.getPage());
    expect(err.code).toBe(429);
    expect(err.body).toMatchObject({ message: 'You have reached your daily limit.', policyName: 'DAILY', errorType: 'RATE_LIMIT' });
    expect(sandbox.stats.totalRequests).toBe(3);
  });

  it('counts each token separately', async () => {
    sandbox = await startSandbox({ requestsPer10s: 1, accessTokens: ['pat-na1-aaaaaaaa-0000-0000-0000-000000000000', 'pat-na1-bbbbbbbb-0000-0000-0000-000000000000'] });
    expect((await raw(sandbox, 'GET', '/crm/v3/objects/contacts', undefined, 'pat-na1-aaaaaaaa-0000-0000-0000-000000000000')).status).toBe(200);
    expect((await raw(sandbox, 'GET', '/crm/v3/objects/contacts', undefined, 'pat-na1-bbbbbbbb-0000-0000-0000-000000000000')).status).toBe(200);
    expect((await raw(sandbox, 'GET', '/crm/v3/objects/contacts', undefined, 'pat-na1-aaaaaaaa-0000-0000-0000-000000000000')).status).toBe(429);
  });
});

describe('responses', () => {
  it('always carries Content-Type: application/json, also on 204, 404 and 405', async () => {
    sandbox = await startSandbox();
    for (const [method, path, status] of [
      ['DELETE', '/crm/v3/objects/contacts/1', 204],
      ['GET', '/crm/v3/nothing/here', 404],
      ['PUT', '/crm/v3/objects/contacts/batch/upsert', 405],
      ['GET', '/crm/v3/objects/widgets/1', 400],
    ] as const) {
      const res = await raw(sandbox, method, path);
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(res.headers.get('content-type'), `${method} ${path}`).toMatch(/^application\/json/);
    }
  });

  it('answers malformed JSON with 400 VALIDATION_ERROR', async () => {
    sandbox = await startSandbox();
    const res = await fetch(`${sandbox.url}/crm/v3/objects/contacts/batch/create`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sandbox.accessTokens[0]}`, 'Content-Type': 'application/json' },
      body: '{"inputs": [',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR', message: expect.stringMatching(/^Invalid input JSON/) });
  });
});
