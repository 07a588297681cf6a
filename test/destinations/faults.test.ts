import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { removeProject } from '../helpers/project.js';
import { DESTINATIONS, highValueEmails, makeProject, people, runCdp, seed, type Crm, type Profile } from './destination-fixture.js';

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
  let crm: Crm;
  const dirs: string[] = [];
  beforeAll(async () => {
    crm = await destination.start();
  });
  afterAll(() => crm.close());
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map(removeProject));
  });

  /** The CRM holds exactly the warehouse's desired state: one contact per profile, its values, the list/campaign members. */
  function expectMirrors(profiles: readonly Profile[]): void {
    const byEmail = crm.contacts();
    expect(byEmail.size).toBe(profiles.length);
    for (const p of profiles) expect(byEmail.get(p.email ?? ''), p.email ?? '').toEqual(destination.stored(p));
    expect(crm.memberEmails('CDP: High value')).toEqual(highValueEmails(profiles));
    crm.expectNoStrayMembers('CDP: High value', expect);
  }

  /** Runs `cdp sync` under faults until one run succeeds; returns how many runs it took. */
  async function converge(dir: string, seedBase: number): Promise<number> {
    for (let run = 1; run <= 8; run++) {
      crm.chaos(seedBase + run);
      const result = await runCdp(dir, crm, ['sync'], { CDP_SYNC_REQUEST_TIMEOUT_MS: '1000' });
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
    crm.reset();
    const dir = await makeProject(destination, { where: 'marketing_consent', bulkThreshold });
    dirs.push(dir);
    const profiles = people(count);
    await seed(dir, profiles);
    await converge(dir, bulkThreshold ?? 100);
    expect(crm.injectedFaults()).toBeGreaterThan(0);
    crm.clearFaults();
    expectMirrors(profiles);

    // change some profiles (values, segment entries and exits), converge again under faults
    const changed = profiles.map((p, i) => (i % changeEvery === 0 ? { ...p, first_name: `New${i}`, lifetime_value: (p.lifetime_value ?? 0) > 100 ? 1 : 500, order_count: 9 - (p.order_count ?? 0) } : p));
    await seed(dir, changed);
    await converge(dir, (bulkThreshold ?? 150) + 50);
    crm.clearFaults();
    expectMirrors(changed);

    crm.resetStats();
    expect((await runCdp(dir, crm, ['sync'])).code).toBe(0);
    expect(crm.totalRequests()).toBe(0);
  });
});
