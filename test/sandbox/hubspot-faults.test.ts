import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { apiError, contact, propertyIssues, raw, sdk, startSandbox } from './hubspot-sandbox-helpers.js';

let sandbox: HubSpotSandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

async function setFaults(config: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(config) });
  return { status: res.status, json: (await res.json()) as unknown };
}

interface StateDump {
  readonly objects: { readonly contacts: readonly { readonly id: string; readonly properties: Record<string, string> }[] };
}

async function state(): Promise<StateDump> {
  return (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as StateDump;
}

describe('fault injection over HTTP', () => {
  it('serves N server errors on a matching route, which the SDK retries through', async () => {
    const set = await setFaults({ rules: [{ kind: 'serverError', status: 503, count: 2, match: { method: 'POST', path: '/crm/v3/objects/contacts/batch/upsert' } }] });
    expect(set.status).toBe(200);
    const first = await apiError(sdk(sandbox, 1).crm.contacts.batchApi.upsert({ inputs: [contact('a@example.com')] }));
    expect(first.code).toBe(503);
    expect(first.body).toMatchObject({ status: 'error' });
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    const ok = await sdk(sandbox, 3).crm.contacts.batchApi.upsert({ inputs: [contact('a@example.com')] });
    expect(ok.results[0]._new).toBe(true);
    expect(sandbox.stats.injected.serverErrors).toBe(2);
    expect(sandbox.stats.requests['POST /crm/v3/objects/contacts/batch/upsert']).toBe(3);
    const faults = (await (await fetch(`${sandbox.url}/__sandbox/faults`)).json()) as { faults: { rules: { fired: number }[] } };
    expect(faults.faults.rules[0].fired).toBe(2);
  });

  it('drops the connection after applying the write, so the record landed though the client saw no answer', async () => {
    await setFaults({ rules: [{ kind: 'drop', when: 'afterHandling', count: 1, match: { path: '/crm/v3/objects/{objectType}/batch/upsert' } }] });
    let thrown: unknown;
    try {
      await sdk(sandbox, 1).crm.contacts.batchApi.upsert({ inputs: [contact('landed@example.com')] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as { code?: unknown }).code).not.toBe(200);
    expect((await state()).objects.contacts.map((c) => c.properties.email)).toEqual(['landed@example.com']);
    expect(sandbox.stats.injected.dropped).toBe(1);
  });

  it('drops the connection before handling, so nothing lands', async () => {
    await setFaults({ rules: [{ kind: 'drop', count: 1 }] });
    await expect(sdk(sandbox, 1).crm.contacts.batchApi.upsert({ inputs: [contact('lost@example.com')] })).rejects.toThrow();
    expect((await state()).objects.contacts).toEqual([]);
  });

  it('injects 429 storms with a chosen policy', async () => {
    sandbox.faults.set({ rules: [{ kind: 'rateLimit', policy: 'TEN_SECONDLY_ROLLING', count: 1 }] });
    const err = await apiError(sdk(sandbox, 1).crm.contacts.basicApi.getPage());
    expect(err.code).toBe(429);
    expect(err.body.policyName).toBe('TEN_SECONDLY_ROLLING');
    expect(sandbox.stats).toMatchObject({ rateLimited: 1, injected: { rateLimited: 1 } });
    expect((await raw(sandbox, 'GET', '/crm/v3/objects/contacts')).status).toBe(200);
  });

  it('rejects records whose email matches: the whole batch without trace ids, per record with them', async () => {
    await setFaults({ rejectRecords: [{ field: 'email', pattern: '@bounce\\.example$' }] });
    const err = await apiError(sdk(sandbox).crm.contacts.batchApi.upsert({ inputs: [contact('ok@example.com'), contact('no@bounce.example')] }));
    expect(err.code).toBe(400);
    expect(propertyIssues(err.body.message)).toEqual([expect.objectContaining({ error: 'INVALID_EMAIL', name: 'email', message: 'Email address no@bounce.example is invalid' })]);
    expect((await state()).objects.contacts).toEqual([]);

    const traced = await sdk(sandbox).crm.contacts.batchApi.upsert({
      inputs: [
        { ...contact('ok@example.com'), objectWriteTraceId: 'a' },
        { ...contact('no@bounce.example'), objectWriteTraceId: 'b' },
      ],
    });
    expect(traced.results.map((r) => r.properties.email)).toEqual(['ok@example.com']);
    expect('errors' in traced ? traced.errors?.map((e) => e.context) : undefined).toEqual([{ objectWriteTraceId: ['b'] }]);
  });

  it('delays responses', async () => {
    await setFaults({ rules: [{ kind: 'delay', ms: 250 }] });
    const started = Date.now();
    expect((await raw(sandbox, 'GET', '/crm/v3/objects/contacts')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(sandbox.stats.injected.delayed).toBe(1);
  });

  it('is reproducible for a seed', async () => {
    const outcomes = async (): Promise<number[]> => {
      await setFaults({ seed: 42, rules: [{ kind: 'serverError', status: 500, probability: 0.5 }] });
      const statuses: number[] = [];
      for (let i = 0; i < 24; i++) statuses.push((await raw(sandbox, 'GET', '/crm/v3/objects/contacts')).status);
      return statuses;
    };
    const first = await outcomes();
    const second = await outcomes();
    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 500]));
  });

  it('refuses an invalid config with 400 and keeps the old one', async () => {
    await setFaults({ rules: [{ kind: 'serverError', count: 1 }] });
    const bad = await setFaults({ rules: [{ kind: 'explode' }] });
    expect(bad.status).toBe(400);
    const badPolicy = await setFaults({ rules: [{ kind: 'rateLimit', policy: 'HOURLY' }] });
    expect(badPolicy.status).toBe(400);
    expect(badPolicy.json).toMatchObject({ issues: [expect.stringContaining('policy')] });
    expect((await raw(sandbox, 'GET', '/crm/v3/objects/contacts')).status).toBe(503);
  });

  it('resets the store, stats and faults over HTTP', async () => {
    await sdk(sandbox).crm.contacts.batchApi.upsert({ inputs: [contact('a@example.com')] });
    await setFaults({ rules: [{ kind: 'serverError' }] });
    const res = await fetch(`${sandbox.url}/__sandbox/reset`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect((await state()).objects.contacts).toEqual([]);
    expect(sandbox.stats.totalRequests).toBe(0);
    expect((await raw(sandbox, 'GET', '/crm/v3/objects/contacts')).status).toBe(200);
  });
});
