import type jsforce from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { asArray, asRecord, passwordConnection, rawRequest, rejection, startTestSandbox } from './salesforce-test-helpers.js';

let sandbox: SalesforceSandbox;
let conn: jsforce.Connection;
const Q = 'SELECT Id FROM Contact';

beforeAll(async () => {
  sandbox = await startTestSandbox();
  conn = await passwordConnection(sandbox);
});
beforeEach(() => {
  sandbox.reset();
});
afterAll(async () => {
  await sandbox.close();
});

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${sandbox.url}/__sandbox/${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  return { status: res.status, json: await res.json() };
}

describe('request limits', () => {
  it('an injected REQUEST_LIMIT_EXCEEDED storm: 403, errorCode surfaced by jsforce, no Retry-After', async () => {
    sandbox.faults.set({ rules: [{ kind: 'rateLimit', count: 2 }] });
    const error = await rejection(conn.query(Q));
    expect(error.errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(error.message).toBe('TotalRequests Limit exceeded.');
    const raw = await rawRequest(sandbox, conn.accessToken ?? '', 'GET', '/services/data/v62.0/limits');
    expect(raw.status).toBe(403);
    expect(raw.headers.get('retry-after')).toBeNull();
    expect((await conn.query(Q)).done).toBe(true);
    expect(sandbox.stats.limitExceeded.injected).toBe(2);
  });

  it('the daily allocation: 403 once used up, with the usage in Sforce-Limit-Info', async () => {
    const small = await startTestSandbox({ dailyApiLimit: 3 });
    try {
      const c = await passwordConnection(small);
      await c.query(Q);
      await c.query(Q);
      await c.query(Q);
      expect((await rejection(c.query(Q))).errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
      const raw = await rawRequest(small, c.accessToken ?? '', 'GET', '/services/data/v62.0/limits');
      expect(raw.status).toBe(403);
      expect(raw.headers.get('sforce-limit-info')).toBe('api-usage=3/3');
      expect(raw.headers.get('retry-after')).toBeNull();
      expect(small.stats.apiCallsUsed).toBe(3);
    } finally {
      await small.close();
    }
  });
});

describe('transport faults', () => {
  it('a 503 on GET is retried by jsforce; on POST it surfaces', async () => {
    sandbox.faults.set({ rules: [{ kind: 'serverError', status: 503, count: 1 }] });
    expect((await conn.query(Q)).done).toBe(true);
    expect(sandbox.stats.injected.serverErrors).toBe(1);
    sandbox.faults.set({ rules: [{ kind: 'serverError', status: 503, count: 1, match: { method: 'POST' } }] });
    const error = await rejection(conn.sobject('Contact').create([{ LastName: 'X' }]));
    expect(error.errorCode).toBe('SERVER_UNAVAILABLE');
    expect(sandbox.store.count('Contact')).toBe(0);
  });

  it('a dropped connection after the write: the client fails but the record landed', async () => {
    sandbox.faults.set({ rules: [{ kind: 'drop', when: 'afterHandling', count: 1, match: { path: '/composite/sobjects/Contact/{field}' } }] });
    await rejection(conn.sobject('Contact').upsert([{ Ext_Id__c: 'landed', LastName: 'L' }], 'Ext_Id__c'));
    expect(sandbox.store.count('Contact')).toBe(1);
    const retry = await conn.sobject('Contact').upsert([{ Ext_Id__c: 'landed', LastName: 'L' }], 'Ext_Id__c');
    expect(retry[0]).toMatchObject({ success: true, created: false });
    expect(sandbox.stats.injected.dropped).toBe(1);
  });

  it('slow responses', async () => {
    sandbox.faults.set({ rules: [{ kind: 'delay', ms: 150 }] });
    const started = Date.now();
    await conn.query(Q);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('the same seed gives the same fault sequence', async () => {
    const pattern = async (sb: SalesforceSandbox, seed: number): Promise<string> => {
      sb.reset();
      sb.faults.set({ seed, rules: [{ kind: 'serverError', status: 500, probability: 0.5 }] });
      const c = await passwordConnection(sb);
      let out = '';
      for (let i = 0; i < 24; i++) out += (await rawRequest(sb, c.accessToken ?? '', 'GET', '/services/data/v62.0/limits')).status === 500 ? 'x' : '.';
      return out;
    };
    const other = await startTestSandbox();
    try {
      const a = await pattern(sandbox, 42);
      expect(await pattern(other, 42)).toBe(a);
      expect(a).toContain('x');
      expect(a).toContain('.');
      expect(await pattern(other, 7)).not.toBe(a);
    } finally {
      await other.close();
    }
  });
});

describe('record faults', () => {
  it('rejects records whose field matches a regex; the others go through', async () => {
    sandbox.faults.set({ rejectRecords: [{ field: 'Email', pattern: '@blocked\\.example$', flags: 'i' }] });
    const res = (await conn.sobject('Contact').upsert(
      [
        { Ext_Id__c: 'a', LastName: 'A', Email: 'a@BLOCKED.example' },
        { Ext_Id__c: 'b', LastName: 'B', Email: 'b@ok.example' },
      ],
      'Ext_Id__c',
    )) as unknown as readonly { success: boolean; errors: readonly { statusCode: string; fields: readonly string[] }[] }[];
    expect(res[0].errors[0]).toMatchObject({ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', fields: ['Email'] });
    expect(res[1].success).toBe(true);
  });

  it('UNABLE_TO_LOCK_ROW for batches above N records (collections and Bulk 2.0)', async () => {
    sandbox.faults.set({ lockRows: { above: 2 } });
    const big = (await conn.sobject('Contact').create([{ LastName: 'A' }, { LastName: 'B' }, { LastName: 'C' }])) as unknown as readonly { success: boolean; errors: readonly { statusCode: string }[] }[];
    expect(big.map((r) => r.errors[0]?.statusCode)).toEqual(['UNABLE_TO_LOCK_ROW', 'UNABLE_TO_LOCK_ROW', 'UNABLE_TO_LOCK_ROW']);
    const small = await conn.sobject('Contact').create([{ LastName: 'A' }, { LastName: 'B' }]);
    expect(small.every((r) => r.success)).toBe(true);
    const bulk = await conn.bulk2.loadAndWaitForResults({ object: 'Contact', operation: 'insert', input: [{ LastName: 'X' }, { LastName: 'Y' }, { LastName: 'Z' }], pollInterval: 20, pollTimeout: 10_000 });
    expect(bulk.failedResults.map((r) => String(r.sf__Error).split(':')[0])).toEqual(['UNABLE_TO_LOCK_ROW', 'UNABLE_TO_LOCK_ROW', 'UNABLE_TO_LOCK_ROW']);
  });
});

describe('control endpoints and stats', () => {
  it('sets faults over HTTP (validated), shows state and resets', async () => {
    const bad = await control('POST', 'faults', { rules: [{ kind: 'rateLimit', policy: 'Hourly' }] });
    expect(bad.status).toBe(400);
    const ok = await control('POST', 'faults', { seed: 3, rules: [{ kind: 'rateLimit', policy: 'ConcurrentPerOrgLongTxn', count: 1 }], lockRows: { above: 50 } });
    expect(ok.status).toBe(200);
    expect(asRecord(asRecord(ok.json).faults).lockRows).toMatchObject({ above: 50, fired: 0 });
    expect((await rejection(conn.query(Q))).message).toBe('ConcurrentPerOrgLongTxn Limit exceeded.');

    sandbox.seed('Contact', [{ LastName: 'Visible' }]);
    const state = asRecord((await control('GET', 'state')).json);
    expect(asArray(asRecord(state.records).Contact)).toHaveLength(1);
    expect((await control('POST', 'reset')).status).toBe(200);
    expect(sandbox.store.count('Contact')).toBe(0);
    expect(sandbox.faults.state().rules).toEqual([]);
  });

  it('counts requests by route template, write requests and records per call', async () => {
    await conn.sobject('Contact').upsert([{ Ext_Id__c: 'a', LastName: 'A' }, { Ext_Id__c: 'b', LastName: 'B' }], 'Ext_Id__c');
    await conn.sobject('Contact').upsert([{ Ext_Id__c: 'c', LastName: 'C' }], 'Ext_Id__c');
    await conn.query(Q);
    const stats = sandbox.stats;
    expect(stats.requests['PATCH /composite/sobjects/Contact/{field}']).toBe(2);
    expect(stats.requests['GET /query']).toBe(1);
    expect(stats.writeRequests).toBe(2);
    expect(stats.recordsPerCall['PATCH /composite/sobjects/Contact/{field}']).toEqual([2, 1]);
    expect(stats.apiCallsUsed).toBe(3);
  });
});
