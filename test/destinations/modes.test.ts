import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { removeProject } from '../helpers/project.js';
import { DESTINATIONS, makeProject, people, query, runCdp, seed, type Crm } from './destination-fixture.js';

describe.each(DESTINATIONS)('modes on $label', (destination) => {
  let crm: Crm;
  const dirs: string[] = [];
  beforeAll(async () => {
    crm = await destination.start();
  });
  afterAll(() => crm.close());
  beforeEach(() => crm.reset());
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map(removeProject));
  });

  it('mirror: consent withdrawal clears the fields cdp set and removes the memberships; a re-run sends nothing', async () => {
    const profiles = people(20);
    const dir = await makeProject(destination, { where: 'marketing_consent', mode: 'mirror' });
    dirs.push(dir);
    await seed(dir, profiles);
    const first = await runCdp(dir, crm, ['sync']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(crm.contacts().get('person17@example.com')).toEqual(destination.stored(profiles[17]));
    expect(crm.memberEmails('CDP: High value')).toContain('person17@example.com');

    await seed(dir, profiles.map((p) => (p.profile_id === 'p00017' ? { ...p, marketing_consent: false } : p)));
    crm.resetStats();
    const result = await runCdp(dir, crm, ['sync']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(crm.contacts().get('person17@example.com')).toEqual(destination.cleared);
    expect(crm.memberEmails('CDP: High value')).not.toContain('person17@example.com');
    expect(await query(dir, "select count(*) as n from cdp.sync_state_contacts where match_key = 'person17@example.com'")).toEqual([{ n: 0 }]);

    crm.resetStats();
    expect((await runCdp(dir, crm, ['sync'])).code).toBe(0);
    expect(crm.totalRequests()).toBe(0);
  });
});
