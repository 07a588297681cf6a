import { describe, expect, it } from 'vitest';
import { CONTACTS } from '@cdp-oss/crm-sandbox';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { writeProject, yaml } from '../helpers/project.js';
import { contacts, listEmails, makeProject, membersOf, people, projectFiles, query, runCdp, seed, startSandbox, writes, type Profile, useSandbox } from './sync-fixture.js';

let sandbox: HubSpotSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started), { resetEach: true });

async function project(profiles: readonly Profile[], connector: Parameters<typeof makeProject>[0] = {}): Promise<string> {
  const dir = await makeProject({ where: 'marketing_consent', ...connector });
  dirs.push(dir);
  await seed(dir, profiles, membersOf(profiles));
  return dir;
}

describe('cdp sync against the HubSpot sandbox', () => {
  // Creating, re-running and sending only changes, for every destination: test/destinations/basics.test.ts.
  it('creates typed properties in the cdp group, and a change touches only the changed properties and one list route', async () => {
    const profiles = people(250);
    const dir = await project(profiles);
    const first = await runCdp(dir, sandbox, ['sync']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(Object.fromEntries(contacts(sandbox).get('person7@example.com')?.properties ?? [])).toMatchObject({ cdp_last_order_at: '2026-01-02T03:04:05.000Z', cdp_loyal: 'true' });
    // created properties in the cdp group, with types from the warehouse
    expect(sandbox.store.property(CONTACTS, 'cdp_lifetime_value')).toMatchObject({ type: 'number', groupName: 'cdp' });
    expect(sandbox.store.property(CONTACTS, 'cdp_last_order_at')).toMatchObject({ type: 'datetime' });
    expect(sandbox.store.property(CONTACTS, 'cdp_loyal')).toMatchObject({ type: 'bool' });

    // change three profiles: two fields on one, one on another, a segment entry on the third
    const changed = profiles.map((p) =>
      p.profile_id === 'p00003' ? { ...p, first_name: 'Renamed', order_count: 42 } : p.profile_id === 'p00004' ? { ...p, lifetime_value: 41 } : p.profile_id === 'p00005' ? { ...p, lifetime_value: 500 } : p,
    );
    await seed(dir, changed, membersOf(changed));
    const history = (email: string, prop: string) => sandbox.store.allRecords(CONTACTS).find((r) => r.properties.get('email') === email)?.history.get(prop)?.length ?? 0;
    const before = { first3: history('person3@example.com', 'firstname'), ltv3: history('person3@example.com', 'cdp_lifetime_value'), first4: history('person4@example.com', 'firstname') };
    sandbox.resetStats();
    const third = await runCdp(dir, sandbox, ['sync', '--json']);
    expect(third.code).toBe(0);
    expect(writes(sandbox)).toEqual({ 'POST /crm/v3/objects/contacts/batch/upsert': 1, 'PUT /crm/v3/lists/{listId}/memberships/add': 1 });
    expect(history('person3@example.com', 'firstname')).toBe(before.first3 + 1);
    expect(history('person3@example.com', 'cdp_lifetime_value')).toBe(before.ltv3);
    expect(history('person4@example.com', 'firstname')).toBe(before.first4);
    const summary = JSON.parse(third.stdout) as { syncs: { diff: { field_updates: Record<string, number> } }[] };
    expect(summary.syncs[0].diff.field_updates).toEqual({ firstname: 1, cdp_lifetime_value: 2, cdp_order_count: 1, cdp_last_order_at: 0 });
  });

  it('removes a profile that leaves a segment from its list, and records the run counts', async () => {
    const profiles = people(20);
    const dir = await project(profiles);
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(listEmails(sandbox, 'CDP: High value')).toContain('person17@example.com');
    const dropped = profiles.map((p) => (p.profile_id === 'p00017' ? { ...p, lifetime_value: 5, order_count: 1 } : p));
    await seed(dir, dropped, membersOf(dropped));
    sandbox.resetStats();
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(listEmails(sandbox, 'CDP: High value')).not.toContain('person17@example.com');
    expect(contacts(sandbox).get('person17@example.com')?.properties.get('cdp_loyal')).toBe('false');
    expect(writes(sandbox)).toEqual({ 'POST /crm/v3/objects/contacts/batch/upsert': 1, 'PUT /crm/v3/lists/{listId}/memberships/remove': 1 });
    const runs = await query(dir, `select command, status, counts from cdp.runs order by started_at`);
    expect(runs.map((r) => r.status)).toEqual(['success', 'success']);
    expect(JSON.parse(String(runs[1].counts))).toMatchObject({ syncs: { contacts: { updated: 1, removed: 1, rejected: 0 } } });
    const history = await runCdp(dir, sandbox, ['history']);
    expect(history.stdout).toContain('contacts: +0 ~1 members +0/-1');
    const json = JSON.parse((await runCdp(dir, sandbox, ['history', '--json'])).stdout) as { runs: { counts: { syncs: Record<string, { removed: number }> } }[] };
    expect(json.runs[0].counts.syncs.contacts.removed).toBe(1);
  });

  it('cdp run builds identity, profiles and segments, then syncs them; the run counts both', async () => {
    const connector = projectFiles({ where: 'marketing_consent', fields: { firstname: 'first_name', cdp_lifetime_value: 'lifetime_value' }, segments: 'segments:\n  high_value: { list: "CDP: High value" }' });
    const dir = await writeProject({
      'cdp.config.yaml': connector['cdp.config.yaml'],
      'connectors/contacts.yaml': connector['connectors/contacts.yaml'],
      'data/people.csv': 'email,first_name,amount,consent,updated_at\nann@x.com,Ann,150,true,2026-01-01 10:00:00\nANN@X.COM ,Annie,20,true,2026-01-02 10:00:00\nbob@x.com,Bob,5,false,2026-01-01 10:00:00\ncy@x.com,Cy,30,true,2026-01-01 10:00:00\n',
      'models/people.yaml': yaml`
        sources:
          - name: people
            path: data/people.csv
            timestamp: updated_at
            identifiers:
              - { column: email, type: email }
        identity:
          id_types:
            email: { priority: 1, normalize: email }
        traits:
          - { name: email, from: people, aggregate: last, column: email }
          - { name: first_name, from: people, aggregate: last, column: first_name }
          - { name: lifetime_value, from: people, aggregate: sum, column: amount }
          - { name: marketing_consent, from: people, aggregate: last, column: consent }
        segments:
          - { name: high_value, where: "lifetime_value > 100" }
      `,
    });
    dirs.push(dir);
    const result = await runCdp(dir, sandbox, ['run', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('contacts: 2 created, 0 updated, memberships +1 -0, 0 rejected');
    expect([...contacts(sandbox).keys()].sort()).toEqual(['ann@x.com', 'cy@x.com']);
    expect(contacts(sandbox).get('ann@x.com')?.properties.get('firstname')).toBe('Annie');
    expect(listEmails(sandbox, 'CDP: High value')).toEqual(['ann@x.com']);
    expect(JSON.parse(result.stdout)).toMatchObject({ command: 'run', rejected: 0, syncs: [{ sync: 'contacts', sent: { created: 2, added: 1 } }] });
    const runs = await query(dir, 'select command, status, counts from cdp.runs');
    expect(runs).toHaveLength(1);
    expect(JSON.parse(String(runs[0].counts))).toMatchObject({ syncs: { contacts: { created: 2, added: 1 } } });
    expect(JSON.parse(String(runs[0].counts))).toHaveProperty('build');
  });
});
