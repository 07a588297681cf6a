import { describe, expect, it } from 'vitest';
import { DESTINATIONS, people, query, runCdp, seed, useDestination } from './destination-fixture.js';

describe.each(DESTINATIONS)('modes on $label', (destination) => {
  const suite = useDestination(destination);

  it('mirror: consent withdrawal clears the fields cdp set and removes the memberships; a re-run sends nothing', async () => {
    const profiles = people(20);
    const dir = await suite.project({ where: 'marketing_consent', mode: 'mirror' }, profiles);
    const first = await runCdp(dir, suite.crm, ['sync']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(suite.crm.contacts().get('person17@example.com')).toEqual(destination.stored(profiles[17]));
    expect(suite.crm.memberEmails('CDP: High value')).toContain('person17@example.com');

    await seed(dir, profiles.map((p) => (p.profile_id === 'p00017' ? { ...p, marketing_consent: false } : p)));
    suite.crm.resetStats();
    const result = await runCdp(dir, suite.crm, ['sync']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(suite.crm.contacts().get('person17@example.com')).toEqual(destination.cleared);
    expect(suite.crm.memberEmails('CDP: High value')).not.toContain('person17@example.com');
    expect(await query(dir, "select count(*) as n from cdp.sync_state_contacts where match_key = 'person17@example.com'")).toEqual([{ n: 0 }]);

    suite.crm.resetStats();
    expect((await runCdp(dir, suite.crm, ['sync'])).code).toBe(0);
    expect(suite.crm.totalRequests()).toBe(0);
  });
});
