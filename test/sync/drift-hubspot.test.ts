import { Client } from '@hubspot/api-client';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sameValue } from '../../src/sync/drift/same-value.js';
import { CONTACTS } from '@cdp-oss/crm-sandbox';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { removeProject } from '../helpers/project.js';
import { contacts, listEmails, makeProject, membersOf, people, query, runCdp, seed, startSandbox, TOKEN, writes, type Profile } from './sync-fixture.js';

let sandbox: HubSpotSandbox;
let client: Client;
const dirs: string[] = [];
beforeAll(async () => {
  sandbox = await startSandbox();
  client = new Client({ accessToken: TOKEN, basePath: sandbox.url, numberOfApiCallRetries: 0 });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeProject));
});

interface SyncJson {
  readonly syncs: readonly { readonly sent: { readonly created: number; readonly updated: number }; readonly drift?: { edited: number; kept: number; deleted: number; merged: number; requests: number } }[];
}

const PROFILES: readonly Profile[] = people(20);

async function drifted(ownership = ''): Promise<string> {
  const dir = await makeProject({});
  dirs.push(dir);
  await appendFile(join(dir, 'connectors/contacts.yaml'), `drift: true\n${ownership}`);
  await seed(dir, PROFILES, membersOf(PROFILES));
  const first = await runCdp(dir, sandbox, ['sync']);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  sandbox.resetStats();
  return dir;
}

async function sync(dir: string): Promise<SyncJson['syncs'][number]> {
  const result = await runCdp(dir, sandbox, ['sync', '--json'], { CDP_DRIFT_OVERLAP_MS: '60000' });
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as SyncJson).syncs[0];
}

const idOf = (email: string) => contacts(sandbox).get(email)?.id ?? '';

/** Every live contact holding a profile's email says what the warehouse says, field by field. */
function expectMatchesWarehouse(except: readonly string[] = []): void {
  const live = contacts(sandbox);
  for (const p of PROFILES) {
    if (p.email === null || except.includes(p.email)) continue;
    const props = live.get(p.email)?.properties;
    expect(props, p.email).toBeDefined();
    expect(props?.get('firstname')).toBe(p.first_name);
    expect(sameValue('float', String(p.lifetime_value), props?.get('cdp_lifetime_value') ?? null), `${p.email} cdp_lifetime_value`).toBe(true);
    expect(props?.get('cdp_order_count')).toBe(String(p.order_count));
    expect(sameValue('timestamp', p.last_order_at ?? null, props?.get('cdp_last_order_at') ?? null)).toBe(true);
  }
}

describe('drift: HubSpot changes made by people are noticed and repaired', () => {
  it('restores a hand edit of a cdp-owned field, keeps and reports a crm-owned one, once', async () => {
    const dir = await drifted('ownership:\n  firstname: crm\n');
    await client.crm.contacts.basicApi.update(idOf('person3@example.com'), { properties: { cdp_lifetime_value: '1' } });
    await client.crm.contacts.basicApi.update(idOf('person4@example.com'), { properties: { firstname: 'Typed By Sales' } });
    sandbox.resetStats();
    const result = await sync(dir);
    expect(result.drift).toMatchObject({ edited: 1, kept: 1, deleted: 0, merged: 0 });
    expect(contacts(sandbox).get('person3@example.com')?.properties.get('cdp_lifetime_value')).toBe('30');
    expect(contacts(sandbox).get('person4@example.com')?.properties.get('firstname')).toBe('Typed By Sales');
    expect(writes(sandbox)).toEqual({ 'POST /crm/v3/objects/contacts/batch/upsert': 1 });
    expect(sandbox.stats.batchInputs['POST /crm/v3/objects/contacts/batch/upsert']).toEqual([1]);
    const events = await query(dir, 'select key, kind, field, crm_value, warehouse_value from cdp.sync_drift order by kind');
    expect(events).toEqual([
      { key: 'person3@example.com', kind: 'edited', field: 'cdp_lifetime_value', crm_value: '1', warehouse_value: '30.0' },
      { key: 'person4@example.com', kind: 'kept', field: 'firstname', crm_value: 'Typed By Sales', warehouse_value: 'Name4' },
    ]);
    // Next run: nothing to repair, nothing re-reported, no writes; the crm-owned field stays the person's.
    sandbox.resetStats();
    const again = await sync(dir);
    expect(again.drift).toMatchObject({ edited: 0, kept: 0, deleted: 0, merged: 0 });
    expect(sandbox.stats.writeRequests).toBe(0);
    expectMatchesWarehouse(['person4@example.com']);
    expect(contacts(sandbox).get('person4@example.com')?.properties.get('firstname')).toBe('Typed By Sales');
  });

  it('re-creates a contact deleted in HubSpot once, with its list membership, counted as a create', async () => {
    const dir = await drifted();
    const oldId = idOf('person15@example.com');
    await client.crm.contacts.basicApi.archive(oldId);
    const result = await sync(dir);
    expect(result.drift).toMatchObject({ deleted: 1, merged: 0, edited: 0 });
    expect(result.sent.created).toBe(1);
    const newId = idOf('person15@example.com');
    expect(newId).not.toBe('');
    expect(newId).not.toBe(oldId);
    expect(listEmails(sandbox, 'CDP: High value')).toContain('person15@example.com');
    expectMatchesWarehouse();
    sandbox.resetStats();
    const again = await sync(dir);
    expect(again.drift?.deleted).toBe(0);
    expect(sandbox.stats.writeRequests).toBe(0);
    expect(sandbox.store.allRecords(CONTACTS).filter((r) => r.properties.get('email') === 'person15@example.com')).toHaveLength(1);
  });

  it('follows a merge: one record, holding the memberships, no duplicate, no loop', async () => {
    const dir = await drifted();
    // @hubspot/api-client 13 has no contacts merge API object: its generic request sends the documented call.
    const response = await client.apiRequest({ method: 'POST', path: '/crm/v3/objects/contacts/merge', body: { primaryObjectId: idOf('person12@example.com'), objectIdToMerge: idOf('person13@example.com') } });
    const merged = (await response.json()) as { id: string };
    const result = await sync(dir);
    expect(result.drift).toMatchObject({ merged: 2, deleted: 0 });
    expect(result.sent.created).toBe(0);
    const state = await query(dir, "select match_key, destination_id from cdp.sync_state_contacts where match_key in ('person12@example.com', 'person13@example.com') order by 1");
    expect(state.map((r) => r.destination_id)).toEqual([merged.id, merged.id]);
    const live = sandbox.store.allRecords(CONTACTS);
    expect(live.filter((r) => ['person12@example.com', 'person13@example.com'].includes(r.properties.get('email') ?? ''))).toHaveLength(1);
    expect(live).toHaveLength(PROFILES.length - 1);
    expect(listEmails(sandbox, 'CDP: High value')).toContain('person12@example.com');
    expectMatchesWarehouse(['person13@example.com']);
    sandbox.resetStats();
    const again = await sync(dir);
    expect(again.drift).toMatchObject({ merged: 0, deleted: 0, edited: 0 });
    expect(sandbox.stats.writeRequests).toBe(0);
  });

  it('rebuilds a sandbox restarted empty on the next plain sync, counting creates as creates', async () => {
    const dir = await drifted();
    sandbox.reset();
    const result = await sync(dir);
    expect(result.drift?.deleted).toBe(PROFILES.length);
    expect(result.sent).toMatchObject({ created: PROFILES.length, updated: 0 });
    expect(sandbox.store.allRecords(CONTACTS)).toHaveLength(PROFILES.length);
    expect(listEmails(sandbox, 'CDP: High value')).toEqual(PROFILES.filter((p) => (p.lifetime_value ?? 0) > 100).map((p) => p.email).sort());
    expectMatchesWarehouse();
    sandbox.resetStats();
    expect((await sync(dir)).drift?.deleted).toBe(0);
    expect(sandbox.stats.writeRequests).toBe(0);
  });

  it('validate points at an ownership entry for a field the sync does not write, with a did-you-mean', async () => {
    const dir = await makeProject({});
    dirs.push(dir);
    await appendFile(join(dir, 'connectors/contacts.yaml'), 'drift: true\nownership:\n  firstnme: crm\n');
    const result = await runCdp(dir, sandbox, ['validate']);
    expect(result.code).toBe(2);
    expect(result.stderr + result.stdout).toMatch(/connectors\/contacts\.yaml:\d+:\d+ unknown-field ownership names 'firstnme'.*firstname/);
  });

  it('without drift, --full-resync into an emptied portal counts what HubSpot created as creates', async () => {
    const dir = await makeProject({});
    dirs.push(dir);
    await seed(dir, PROFILES, membersOf(PROFILES));
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    sandbox.reset();
    const result = await runCdp(dir, sandbox, ['sync', '--full-resync', '--json']);
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as SyncJson).syncs[0].sent).toMatchObject({ created: PROFILES.length, updated: 0 });
    expectMatchesWarehouse();
  });
});
