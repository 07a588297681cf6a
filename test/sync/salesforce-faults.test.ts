import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SalesforceFaultInput, SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { removeProject } from '../helpers/project.js';
import { campaignEmails, contacts, highValueEmails, makeProject, people, query, runCdp, seed, startSandbox, type Profile } from './salesforce-fixture.js';

let sandbox: SalesforceSandbox;
const dirs: string[] = [];
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeProject));
});

/** Random concurrent-limit 403s, 5xx (JSON and HTML), answers slower than the client's timeout, dropped connections. */
function chaos(seed: number): SalesforceFaultInput {
  return {
    seed,
    rules: [
      { kind: 'rateLimit', policy: 'ConcurrentPerOrgLongTxn', probability: 0.05 },
      { kind: 'serverError', status: 503, probability: 0.08 },
      { kind: 'serverError', status: 500, probability: 0.04 },
      { kind: 'serverError', status: 502, probability: 0.03 },
      { kind: 'delay', ms: 1_200, probability: 0.04 },
      { kind: 'drop', when: 'beforeHandling', probability: 0.05 },
      { kind: 'drop', when: 'afterHandling', probability: 0.07 },
    ],
  };
}

/** The org holds exactly the warehouse's desired state: one contact per profile, its values, the campaign's members. */
function expectMirrors(profiles: readonly Profile[]): void {
  const byEmail = contacts(sandbox);
  expect(sandbox.store.count('Contact')).toBe(profiles.length);
  for (const p of profiles) {
    const values = byEmail.get(p.email ?? '');
    expect(values, p.email ?? '').toMatchObject({ FirstName: p.first_name, CDP_Lifetime_Value__c: p.lifetime_value, CDP_Order_Count__c: p.order_count, CDP_Loyal__c: (p.order_count ?? 0) > 5 });
  }
  // campaignEmails reads the oldest campaign of the name, the one cdp uses. A create whose answer came
  // after the client's timeout may have left a younger duplicate: it must be empty.
  expect(campaignEmails(sandbox, 'CDP: High value')).toEqual(highValueEmails(profiles));
  const [used, ...duplicates] = sandbox.store.list('Campaign').map((c) => c.id);
  expect(sandbox.store.list('CampaignMember').filter((m) => m.values.CampaignId !== used)).toEqual([]);
  expect(duplicates.length).toBeLessThanOrEqual(1);
}

/** Runs `cdp sync` under faults until one run succeeds; returns how many runs it took. */
async function converge(dir: string, seedBase: number): Promise<number> {
  for (let run = 1; run <= 8; run++) {
    sandbox.faults.set(chaos(seedBase + run));
    const result = await runCdp(dir, sandbox, ['sync'], { CDP_SYNC_REQUEST_TIMEOUT_MS: '1000' });
    // Requests abandoned at the client's timeout still land a moment later; let them, before the next run.
    await sleep(400);
    if (result.code === 0) return run;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/gave up after \d+ attempts/);
  }
  throw new Error('did not converge in 8 runs');
}

describe('under injected faults', () => {
  for (const [path, bulkThreshold] of [['sObject Collections', 2000], ['Bulk API 2.0', 100]] as const) {
    it(`repeated runs through ${path} converge with nothing lost and nothing duplicated`, async () => {
      sandbox.reset();
      const dir = await makeProject({ where: 'marketing_consent', bulkThreshold });
      dirs.push(dir);
      const profiles = people(300);
      await seed(dir, profiles);
      await converge(dir, bulkThreshold);
      const injected = sandbox.stats.injected;
      expect(injected.serverErrors + injected.dropped + sandbox.stats.limitExceeded.injected).toBeGreaterThan(0);
      sandbox.faults.clear();
      expectMirrors(profiles);

      // change half of the profiles (values, segment entries and exits), converge again under faults
      const changed = profiles.map((p, i) => (i % 2 === 0 ? { ...p, first_name: `New${i}`, lifetime_value: (p.lifetime_value ?? 0) > 100 ? 1 : 500, order_count: 9 - (p.order_count ?? 0) } : p));
      await seed(dir, changed);
      await converge(dir, bulkThreshold + 50);
      sandbox.faults.clear();
      expectMirrors(changed);

      sandbox.resetStats();
      expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
      expect(sandbox.stats.totalRequests).toBe(0);
    });
  }

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
