import { describe, expect, it } from 'vitest';
import { changeFour, DESTINATIONS, highValueEmails, people, runCdp, seed, useDestination } from './destination-fixture.js';

describe.each(DESTINATIONS)('cdp sync to $label', (destination) => {
  const suite = useDestination(destination);

  it('creates everything on the first run, then a re-run sends nothing, then only the changed fields and memberships', async () => {
    const profiles = people(250);
    const dir = await suite.project({ where: 'marketing_consent' }, profiles);
    const first = await runCdp(dir, suite.crm, ['sync']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('contacts: 250 created, 0 updated');

    const byEmail = suite.crm.contacts();
    expect(byEmail.size).toBe(250);
    expect(byEmail.get('person7@example.com')).toEqual(destination.stored(profiles[7]));
    expect(byEmail.get('person3@example.com')?.loyal).toBe(false);
    expect(suite.crm.memberEmails('CDP: High value')).toEqual(highValueEmails(profiles));
    // full batches of the destination's size, each key once
    const batch = destination.upsertBatch;
    expect(suite.crm.upsertedRecords()).toEqual(Array.from({ length: Math.ceil(250 / batch) }, (_, i) => Math.min(batch, 250 - i * batch)));

    suite.crm.resetStats();
    const again = await runCdp(dir, suite.crm, ['sync']);
    expect(again.code).toBe(0);
    expect(suite.crm.totalRequests()).toBe(0);

    const changed = changeFour(profiles);
    await seed(dir, changed);
    suite.crm.resetStats();
    const third = await runCdp(dir, suite.crm, ['sync', '--json']);
    expect(third.code).toBe(0);
    expect(suite.crm.upsertedRecords()).toEqual([4]);
    const after = suite.crm.contacts();
    for (const i of [3, 4, 5, 200]) expect(after.get(`person${i}@example.com`)).toEqual(destination.stored(changed[i]));
    expect(after.get('person3@example.com')?.loyal).toBe(true);
    expect(suite.crm.memberEmails('CDP: High value')).toEqual(highValueEmails(changed));
    const summary = JSON.parse(third.stdout) as { syncs: { diff: { field_updates: Record<string, number> }; sent: Record<string, number> }[] };
    const { first_name, lifetime_value, order_count } = destination.fieldOf;
    expect(summary.syncs[0].diff.field_updates).toMatchObject({ [first_name]: 1, [lifetime_value]: 3, [order_count]: 1 });
    expect(summary.syncs[0].sent).toMatchObject({ updated: 4, added: 1, removed: 1 });
  });
});
