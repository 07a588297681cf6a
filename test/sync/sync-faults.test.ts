import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultConfigInput } from '@cdp-oss/crm-sandbox';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { removeProject } from '../helpers/project.js';
import { contacts, listEmails, makeProject, membersOf, people, runCdp, seed, startSandbox, type Profile } from './sync-fixture.js';

let sandbox: HubSpotSandbox;
const dirs: string[] = [];
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeProject));
});

/** Random 429s, 5xx, answers slower than the client's timeout, and dropped connections, on every route. */
function chaos(seed: number): FaultConfigInput {
  return {
    seed,
    rules: [
      { kind: 'rateLimit', policy: 'TEN_SECONDLY_ROLLING', probability: 0.1 },
      { kind: 'serverError', status: 503, probability: 0.12 },
      { kind: 'serverError', status: 500, probability: 0.05 },
      { kind: 'delay', ms: 1_300, probability: 0.06 },
      { kind: 'drop', when: 'beforeHandling', probability: 0.08 },
      { kind: 'drop', when: 'afterHandling', probability: 0.1 },
    ],
  };
}

/** HubSpot holds exactly the warehouse's desired state: one contact per profile, values and list memberships. */
function expectMirrors(profiles: readonly Profile[]): void {
  const byEmail = contacts(sandbox);
  expect(byEmail.size).toBe(profiles.length);
  for (const p of profiles) {
    const props = byEmail.get(p.email ?? '')?.properties;
    expect(props, p.email ?? '').toBeDefined();
    expect(props?.get('firstname')).toBe(p.first_name);
    expect(props?.get('cdp_lifetime_value')).toBe(String(p.lifetime_value));
    expect(props?.get('cdp_order_count')).toBe(String(p.order_count));
    expect(props?.get('cdp_loyal') === 'true').toBe((p.order_count ?? 0) > 5);
  }
  expect(listEmails(sandbox, 'CDP: High value')).toEqual(profiles.filter((p) => (p.lifetime_value ?? 0) > 100).map((p) => String(p.email)).sort());
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
  it('repeated runs converge to the warehouse state with nothing lost and no duplicate', async () => {
    sandbox.reset();
    const dir = await makeProject({ where: 'marketing_consent' });
    dirs.push(dir);
    const profiles = people(900);
    await seed(dir, profiles, membersOf(profiles));
    await converge(dir, 100);
    expect(sandbox.stats.injected.serverErrors + sandbox.stats.injected.dropped + sandbox.stats.rateLimited).toBeGreaterThan(0);
    sandbox.faults.clear();
    expectMirrors(profiles);

    // change a fifth of the profiles (values and segment entries/exits), converge again under faults
    const changed = profiles.map((p, i) => (i % 5 === 0 ? { ...p, first_name: `New${i}`, lifetime_value: (p.lifetime_value ?? 0) > 100 ? 1 : 500, order_count: 9 - (p.order_count ?? 0) } : p));
    await seed(dir, changed, membersOf(changed));
    await converge(dir, 200);
    sandbox.faults.clear();
    expectMirrors(changed);

    sandbox.resetStats();
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(sandbox.stats.totalRequests).toBe(0);
  });
});
