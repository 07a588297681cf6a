import { describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { contacts, listEmails, makeProject, membersOf, people, query, runCdp, seed, startSandbox, TOKEN, writes, type ConnectorOptions, type Profile, useSandbox } from './sync-fixture.js';

let sandbox: HubSpotSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started), { resetEach: true });

async function project(profiles: readonly Profile[], connector: ConnectorOptions = {}): Promise<string> {
  const dir = await makeProject(connector);
  dirs.push(dir);
  await seed(dir, profiles, membersOf(profiles));
  return dir;
}

/** Rejected records in sync_log, retried next run: test/destinations/rejections.test.ts, for every destination. */
describe('rejected records', () => {
  it('never puts one key twice in a batch: keys differing in case and spaces are one record', async () => {
    const profiles: Profile[] = [
      ...people(150),
      { profile_id: 'q1', email: 'Dup@Example.com', first_name: 'First' },
      { profile_id: 'q2', email: ' dup@example.com', first_name: 'Second' },
      { profile_id: 'q3', email: 'DUP@EXAMPLE.COM ', first_name: 'Third' },
    ];
    const dir = await project(profiles, { match: '{ trait: email, field: email, on_collision: keep_one }' });
    const result = await runCdp(dir, sandbox, ['sync']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(contacts(sandbox).size).toBe(151);
    expect(contacts(sandbox).get('dup@example.com')?.properties.get('firstname')).toBe('First');
    expect(sandbox.stats.batchInputs['POST /crm/v3/objects/contacts/batch/upsert']).toEqual([100, 51]);
  });

  it('names the connector file and line of a field HubSpot lacks when create_fields is off', async () => {
    const dir = await project(people(3), { createFields: false, segments: 'segments: {}', fields: { firstname: 'first_name', cdp_lifetim_value: 'lifetime_value' } });
    const result = await runCdp(dir, sandbox, ['sync']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^connectors\/contacts\.yaml:10:3 unknown-field HubSpot contacts have no property 'cdp_lifetim_value'/m);
    expect(result.stderr).toContain('create it in HubSpot, or set create_fields: true');
    expect(sandbox.stats.writeRequests).toBe(0);
  });
});

describe('destination failures', () => {
  it('a rejected token stops the sync with what to check, and the token appears nowhere', async () => {
    const dir = await project(people(5));
    const secret = 'pat-na1-11111111-2222-3333-4444-555555555555';
    const result = await runCdp(dir, sandbox, ['sync', '--json', '--verbose'], { HUBSPOT_ACCESS_TOKEN: secret });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error destination-auth');
    expect(result.stderr).toContain('check the accessToken of destination');
    const everything = `${result.stdout}${result.stderr}${JSON.stringify(await query(dir, 'select * from cdp.runs'))}${JSON.stringify(await query(dir, 'select * from cdp.sync_log'))}`;
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(TOKEN);
  });

  it('stops at the daily limit after committing what was confirmed; the next run sends the rest', async () => {
    const dir = await project(people(300));
    sandbox.faults.set({ rules: [{ kind: 'rateLimit', policy: 'DAILY', after: 1, match: { path: '/crm/v3/objects/contacts/batch/upsert' } }] });
    const first = await runCdp(dir, sandbox, ['sync']);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain("error rate-limit-daily: destination 'hubspot': HubSpot's daily API limit is used up");
    expect(sandbox.stats.rateLimitedByPolicy.DAILY).toBeLessThanOrEqual(4);
    const landed = contacts(sandbox).size;
    const state = await query(dir, 'select count(*) as n from cdp.sync_state_contacts');
    expect(state[0].n).toBe(landed);
    sandbox.faults.clear();
    sandbox.resetStats();
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(contacts(sandbox).size).toBe(300);
    expect(sandbox.stats.batchInputs['POST /crm/v3/objects/contacts/batch/upsert'].reduce((a, b) => a + b, 0)).toBe(300 - landed);
    expect(writes(sandbox)['POST /crm/v3/objects/contacts/batch/upsert']).toBe(Math.ceil((300 - landed) / 100));
  });
});
