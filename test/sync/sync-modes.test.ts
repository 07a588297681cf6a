import { describe, expect, it } from 'vitest';
import { CONTACTS } from '@cdp-oss/crm-sandbox';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { contacts, listEmails, makeProject, membersOf, people, query, runCdp, seed, startSandbox, writes, type ConnectorOptions, type Profile, useSandbox } from './sync-fixture.js';

let sandbox: HubSpotSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started), { resetEach: true });

async function synced(profiles: readonly Profile[], connector: ConnectorOptions = {}): Promise<string> {
  const dir = await makeProject({ where: 'marketing_consent', ...connector });
  dirs.push(dir);
  await seed(dir, profiles, membersOf(profiles));
  const first = await runCdp(dir, sandbox, ['sync']);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  sandbox.resetStats();
  return dir;
}

async function reseed(dir: string, profiles: readonly Profile[]): Promise<void> {
  await seed(dir, profiles, membersOf(profiles));
}

const props = (email: string) => Object.fromEntries(contacts(sandbox).get(email)?.properties ?? []);
const stateKeys = async (dir: string) => (await query(dir, 'select match_key from cdp.sync_state_contacts order by 1')).map((r) => String(r.match_key));

describe('consent gate and modes', () => {
  it('upsert: consent withdrawal removes the memberships cdp added (list and segment field), keeps the fields, and then stops syncing', async () => {
    const profiles = people(20);
    const dir = await synced(profiles);
    const gone = ['p00012', 'p00013', 'p00017'];
    expect(listEmails(sandbox, 'CDP: High value')).toEqual(expect.arrayContaining(['person12@example.com', 'person13@example.com', 'person17@example.com']));
    expect(props('person17@example.com')).toMatchObject({ cdp_loyal: 'true' });
    const withdrawn = profiles.map((p) => (gone.includes(p.profile_id) ? { ...p, marketing_consent: false, first_name: 'Changed' } : p));
    await reseed(dir, withdrawn);
    const plan = await runCdp(dir, sandbox, ['plan']);
    expect(plan.stdout).toMatch(/high_value -> list "CDP: High value" {2}\+0 -3/);
    expect(plan.stdout).toMatch(/loyal -> field cdp_loyal {2}\+0 -1/);
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    for (const email of ['person12@example.com', 'person13@example.com', 'person17@example.com']) expect(listEmails(sandbox, 'CDP: High value')).not.toContain(email);
    expect(listEmails(sandbox, 'CDP: High value')).toContain('person14@example.com');
    expect(props('person17@example.com')).toMatchObject({ cdp_loyal: 'false', firstname: 'Name17', cdp_lifetime_value: '170' });
    expect(props('person12@example.com')).toMatchObject({ firstname: 'Name12', cdp_lifetime_value: '120' });
    // removed, so cdp forgets them now; a later change of a withdrawn profile is not sent
    expect(await stateKeys(dir)).not.toContain('person12@example.com');
    sandbox.resetStats();
    await reseed(dir, withdrawn.map((p) => (p.profile_id === 'p00012' ? { ...p, first_name: 'Again' } : p)));
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(sandbox.stats.writeRequests).toBe(0);
  });

  it('upsert: a removal that did not go through keeps the state row, so the next run removes the membership', async () => {
    const profiles = people(20);
    const dir = await synced(profiles);
    await reseed(dir, profiles.map((p) => (p.profile_id === 'p00012' ? { ...p, marketing_consent: false } : p)));
    sandbox.faults.set({ rules: [{ kind: 'serverError', status: 503, count: 20, match: { method: 'PUT', path: '/crm/v3/lists/{listId}/memberships/remove' } }] });
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(1);
    sandbox.faults.clear();
    expect(listEmails(sandbox, 'CDP: High value')).toContain('person12@example.com');
    expect(await stateKeys(dir)).toContain('person12@example.com');
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(listEmails(sandbox, 'CDP: High value')).not.toContain('person12@example.com');
    expect(await stateKeys(dir)).not.toContain('person12@example.com');
  });

  // Clearing, removal and state in mirror mode, for every destination: test/destinations/modes.test.ts.
  it('mirror: plan shows the removal; the clear is one batch update that writes cdp_loyal false and keeps the email', async () => {
    const profiles = people(20);
    const dir = await synced(profiles, { mode: 'mirror' });
    expect(props('person17@example.com')).toMatchObject({ cdp_loyal: 'true' });
    await reseed(dir, profiles.map((p) => (p.profile_id === 'p00017' ? { ...p, marketing_consent: false } : p)));
    const plan = await runCdp(dir, sandbox, ['plan']);
    expect(plan.stdout).toContain('remove  1');
    expect(plan.stdout).toMatch(/high_value -> list "CDP: High value" {2}\+0 -1/);
    const result = await runCdp(dir, sandbox, ['sync']);
    expect(result.code).toBe(0);
    const cleared = props('person17@example.com');
    expect(cleared).toMatchObject({ email: 'person17@example.com', cdp_loyal: 'false' });
    expect(cleared.cdp_last_order_at).toBeUndefined();
    expect(writes(sandbox)).toEqual({ 'POST /crm/v3/objects/contacts/batch/update': 1, 'PUT /crm/v3/lists/{listId}/memberships/remove': 1 });
    expect(await stateKeys(dir)).not.toContain('person17@example.com');
  });

  it('update: only records that exist in HubSpot are written; unknown ones are skipped, never created', async () => {
    const dir = await makeProject({ mode: 'update', where: 'marketing_consent' });
    dirs.push(dir);
    const profiles = people(10);
    await seed(dir, profiles, membersOf(profiles));
    const existing = ['person2@example.com', 'person5@example.com', 'person9@example.com'].map((email) => sandbox.store.createRecord(CONTACTS, { email }).id);
    const result = await runCdp(dir, sandbox, ['sync', '--json']);
    expect(result.code).toBe(0);
    expect(contacts(sandbox).size).toBe(3);
    expect(props('person9@example.com')).toMatchObject({ firstname: 'Name9', cdp_loyal: 'true' });
    expect(sandbox.stats.requests['POST /crm/v3/objects/contacts/batch/upsert']).toBeUndefined();
    const summary = JSON.parse(result.stdout) as { syncs: { sent: { created: number; skipped: number } }[] };
    expect(summary.syncs[0].sent).toMatchObject({ created: 3, skipped: 7 });
    const state = await query(dir, 'select match_key, destination_id from cdp.sync_state_contacts order by 1');
    expect(state.map((r) => r.destination_id)).toEqual(existing);
    // next run: a known record changes (updated by id) while the unknown ones are looked up again (by email)
    await reseed(dir, profiles.map((p) => (p.profile_id === 'p00002' ? { ...p, first_name: 'Two' } : p)));
    sandbox.resetStats();
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(props('person2@example.com').firstname).toBe('Two');
    expect(contacts(sandbox).size).toBe(3);
    expect(sandbox.stats.batchInputs['POST /crm/v3/objects/contacts/batch/update']?.slice().sort()).toEqual([1, 7]);
  });

  it('nulls: skip never overwrites with null; clear empties the field', async () => {
    const profiles = people(5);
    const skip = await synced(profiles);
    await reseed(skip, profiles.map((p) => (p.profile_id === 'p00001' ? { ...p, first_name: null } : p)));
    expect((await runCdp(skip, sandbox, ['sync'])).code).toBe(0);
    expect(sandbox.stats.writeRequests).toBe(0);
    expect(props('person1@example.com').firstname).toBe('Name1');

    sandbox.reset();
    const clear = await synced(profiles, { nulls: 'clear' });
    await reseed(clear, profiles.map((p) => (p.profile_id === 'p00001' ? { ...p, first_name: null } : p)));
    expect((await runCdp(clear, sandbox, ['sync'])).code).toBe(0);
    expect(props('person1@example.com').firstname).toBeUndefined();
    expect(sandbox.stats.batchInputs['POST /crm/v3/objects/contacts/batch/upsert']).toEqual([1]);
  });

  it('--full-resync sends every record again', async () => {
    const profiles = people(150);
    const dir = await synced(profiles);
    expect((await runCdp(dir, sandbox, ['sync', '--full-resync'])).code).toBe(0);
    expect(sandbox.stats.batchInputs['POST /crm/v3/objects/contacts/batch/upsert']).toEqual([100, 50]);
    expect(contacts(sandbox).size).toBe(150);
  });
});

describe('profiles that merge or change their match key', () => {
  it('keeps the destination id of a key when another profile takes it over; a changed key leaves and enters', async () => {
    const profiles = people(6);
    const dir = await synced(profiles);
    const idOf = (email: string) => contacts(sandbox).get(email)?.id;
    const before = { b: idOf('person2@example.com'), c: idOf('person3@example.com') };
    // p00001 absorbs p00002 and takes its email; p00003 changes its email
    const merged = profiles
      .filter((p) => p.profile_id !== 'p00002')
      .map((p) => (p.profile_id === 'p00001' ? { ...p, email: 'person2@example.com' } : p.profile_id === 'p00003' ? { ...p, email: 'Person3.New@Example.com ' } : p));
    await reseed(dir, merged);
    const plan = await runCdp(dir, sandbox, ['plan', '--json']);
    expect(JSON.parse(plan.stdout)).toMatchObject({ syncs: [{ diff: { creates: 1, removals: 2 } }] });
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    const state = await query(dir, 'select match_key, profile_id, destination_id from cdp.sync_state_contacts order by 1');
    expect(state.find((r) => r.match_key === 'person2@example.com')).toMatchObject({ profile_id: 'p00001', destination_id: before.b });
    expect(state.map((r) => r.match_key)).toContain('person3.new@example.com');
    expect(state.map((r) => r.match_key)).not.toContain('person1@example.com');
    expect(idOf('person3.new@example.com')).toBeDefined();
    expect(idOf('person3@example.com')).toBe(before.c);
    expect(contacts(sandbox).size).toBe(7);
  });
});

describe('max_removals_pct', () => {
  it('stops before sending anything when too many synced records would leave', async () => {
    const profiles = people(20);
    const dir = await synced(profiles, { mode: 'mirror', maxRemovalsPct: 20 });
    const state = await stateKeys(dir);
    await reseed(dir, profiles.slice(0, 12));
    const plan = await runCdp(dir, sandbox, ['plan']);
    expect(plan.code).toBe(0);
    expect(plan.stderr).toContain('more than max_removals_pct');
    const result = await runCdp(dir, sandbox, ['sync']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('gate contacts: would remove 8 of 20 synced records');
    expect(result.stderr).toContain('would remove 8 of 20 synced records (40%)');
    expect(sandbox.stats.totalRequests).toBe(0);
    expect(await stateKeys(dir)).toEqual(state);
    const runs = await query(dir, `select status, error from cdp.runs order by started_at`);
    expect(runs.at(-1)).toMatchObject({ status: 'blocked' });
  });
});
