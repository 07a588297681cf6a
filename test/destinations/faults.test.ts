import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { DESTINATIONS, highValueEmails, people, type Profile, runCdp, seed, useDestination } from './destination-fixture.js';

/** Each destination's converge runs: how many profiles, which share changes between the two rounds, and its batch paths. */
interface Case {
  readonly profiles: number;
  readonly changeEvery: number;
  readonly paths: readonly { readonly path: string; readonly bulkThreshold?: number }[];
}
const CASES: Readonly<Record<'hubspot' | 'salesforce', Case>> = {
  hubspot: { profiles: 900, changeEvery: 5, paths: [{ path: 'batch upsert' }] },
  salesforce: {
    profiles: 300,
    changeEvery: 2,
    paths: [
      { path: 'sObject Collections', bulkThreshold: 2000 },
      { path: 'Bulk API 2.0', bulkThreshold: 100 },
    ],
  },
};

describe.each(DESTINATIONS)('$label under injected faults', (destination) => {
  const suite = useDestination(destination, { resetEach: false });

  /** The CRM holds exactly the warehouse's desired state: one contact per profile, its values, the list/campaign members. */
  function expectMirrors(profiles: readonly Profile[]): void {
    const byEmail = suite.crm.contacts();
    expect(byEmail.size).toBe(profiles.length);
    for (const p of profiles) expect(byEmail.get(p.email ?? ''), p.email ?? '').toEqual(destination.stored(p));
    expect(suite.crm.memberEmails('CDP: High value')).toEqual(highValueEmails(profiles));
    suite.crm.expectNoStrayMembers('CDP: High value', expect);
  }

  /** Runs `cdp sync` under faults until one run succeeds; returns how many runs it took. */
  async function converge(dir: string, seedBase: number): Promise<number> {
    for (let run = 1; run <= 8; run++) {
      suite.crm.chaos(seedBase + run);
      const result = await runCdp(dir, suite.crm, ['sync'], { CDP_SYNC_REQUEST_TIMEOUT_MS: '1000' });
      // Requests abandoned at the client's timeout still land a moment later; let them, before the next run.
      await sleep(400);
      if (result.code === 0) return run;
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/gave up after \d+ attempts/);
    }
    throw new Error('did not converge in 8 runs');
  }

  const { profiles: count, changeEvery, paths } = CASES[destination.name];
  it.each([...paths])('repeated runs through $path converge to the warehouse state with nothing lost and nothing duplicated', async ({ bulkThreshold }) => {
    suite.crm.reset();
    const profiles = people(count);
    const dir = await suite.project({ where: 'marketing_consent', bulkThreshold }, profiles);
    await converge(dir, bulkThreshold ?? 100);
    expect(suite.crm.injectedFaults()).toBeGreaterThan(0);
    suite.crm.clearFaults();
    expectMirrors(profiles);

    // change some profiles (values, segment entries and exits), converge again under faults
    const changed = profiles.map((p, i) => (i % changeEvery === 0 ? { ...p, first_name: `New${i}`, lifetime_value: (p.lifetime_value ?? 0) > 100 ? 1 : 500, order_count: 9 - (p.order_count ?? 0) } : p));
    await seed(dir, changed);
    await converge(dir, (bulkThreshold ?? 150) + 50);
    suite.crm.clearFaults();
    expectMirrors(changed);

    suite.crm.resetStats();
    expect((await runCdp(dir, suite.crm, ['sync'])).code).toBe(0);
    expect(suite.crm.totalRequests()).toBe(0);
  });
});
