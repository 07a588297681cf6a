import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { SalesforceFaultInput, SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { campaignEmails, contacts, highValueEmails, makeProject, people, query, runCdp, seed, startSandbox, type Profile, useSandbox } from './salesforce-fixture.js';

let sandbox: SalesforceSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started));

/** Random faults on every route are in test/destinations/faults.test.ts, for every destination. */
describe('Salesforce API limits', () => {
  it('stops at the daily API limit after committing what landed; the next run sends only the rest', async () => {
    sandbox.reset();
    const dir = await makeProject({ segments: 'segments: {}' });
    dirs.push(dir);
    await seed(dir, people(1000));
    sandbox.faults.set({ rules: [{ kind: 'rateLimit', policy: 'TotalRequests', after: 2, match: { path: '/composite/sobjects/Contact/{field}' } }] });
    const first = await runCdp(dir, sandbox, ['sync']);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain("error rate-limit-daily: destination 'salesforce': Salesforce's daily API request limit is used up (TotalRequests Limit exceeded.)");
    expect(first.stderr).toContain('rolling 24 hours');
    const landed = contacts(sandbox).size;
    expect(landed).toBeGreaterThanOrEqual(400);
    expect(landed).toBeLessThan(1000);
    expect(await query(dir, 'select count(*) as n from cdp.sync_state_contacts')).toEqual([{ n: landed }]);

    sandbox.faults.clear();
    sandbox.resetStats();
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(contacts(sandbox).size).toBe(1000);
    expect((sandbox.stats.recordsPerCall['PATCH /composite/sobjects/Contact/{field}'] ?? []).reduce((a, b) => a + b, 0)).toBe(1000 - landed);
  });

  it('waits out the concurrent-request limit and finishes the run', async () => {
    sandbox.reset();
    const dir = await makeProject({ segments: 'segments: {}' });
    dirs.push(dir);
    await seed(dir, people(600));
    sandbox.faults.set({ rules: [{ kind: 'rateLimit', policy: 'ConcurrentPerOrgLongTxn', count: 4, match: { path: '/composite/sobjects/Contact/{field}' } }] });
    const result = await runCdp(dir, sandbox, ['sync', '--json']);
    expect(result.code).toBe(0);
    expect(sandbox.stats.limitExceeded.injected).toBe(4);
    expect(JSON.parse(result.stdout)).toMatchObject({ syncs: [{ sent: { created: 600 }, rate_limited: 4 }] });
    expect(contacts(sandbox).size).toBe(600);
  });
});
