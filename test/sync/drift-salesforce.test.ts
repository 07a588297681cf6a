import { appendFile, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type jsforce from 'jsforce';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { sameValue } from '../../src/sync/drift/same-value.js';
import { removeProject } from '../helpers/project.js';
import { passwordConnection } from '../sandbox/salesforce-test-helpers.js';
import { campaignEmails, contacts, highValueEmails, makeProject, people, query, runCdp, seed, startSandbox, writes, type Profile } from './salesforce-fixture.js';

let sandbox: SalesforceSandbox;
let conn: jsforce.Connection;
const dirs: string[] = [];
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  sandbox.reset();
  conn = await passwordConnection(sandbox);
});
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeProject));
});

interface SyncJson {
  readonly syncs: readonly { readonly sent: { readonly created: number; readonly updated: number }; readonly rejected: number; readonly drift?: { edited: number; kept: number; deleted: number; merged: number } }[];
}

const PROFILES: readonly Profile[] = people(20);

async function drifted(extra = ''): Promise<string> {
  const dir = await makeProject({});
  dirs.push(dir);
  await appendFile(join(dir, 'connectors/contacts.yaml'), `drift: true\n${extra}`);
  await seed(dir, PROFILES);
  const first = await runCdp(dir, sandbox, ['sync']);
  expect(first.code).toBe(0);
  sandbox.resetStats();
  return dir;
}

async function sync(dir: string, code = 0): Promise<SyncJson['syncs'][number]> {
  const result = await runCdp(dir, sandbox, ['sync', '--json'], { CDP_DRIFT_OVERLAP_MS: '60000' });
  expect(result.code, result.stderr).toBe(code);
  return (JSON.parse(result.stdout) as SyncJson).syncs[0];
}

const idOf = (email: string) => String(contacts(sandbox).get(email)?.Id ?? '');

function expectMatchesWarehouse(except: readonly string[] = []): void {
  const live = contacts(sandbox);
  for (const p of PROFILES) {
    if (p.email === null || except.includes(p.email)) continue;
    const values = live.get(p.email);
    expect(values, p.email).toBeDefined();
    expect(values?.FirstName).toBe(p.first_name);
    expect(values?.LastName).toBe(p.last_name);
    expect(values?.CDP_Lifetime_Value__c).toBe(p.lifetime_value);
    expect(values?.CDP_Order_Count__c).toBe(p.order_count);
    expect(sameValue('timestamp', p.last_order_at ?? null, String(values?.CDP_Last_Order_At__c))).toBe(true);
  }
}

async function control(path: string, body: unknown): Promise<Response> {
  return fetch(`${sandbox.url}/__sandbox/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('drift: Salesforce changes made by people are noticed and repaired', () => {
  it('restores a hand edit (cdp ownership) and keeps one in a crm-owned field, reporting both', async () => {
    const dir = await drifted('ownership:\n  FirstName: crm\n');
    await conn.sobject('Contact').update({ Id: idOf('person3@example.com'), CDP_Lifetime_Value__c: 1 });
    await conn.sobject('Contact').update({ Id: idOf('person4@example.com'), FirstName: 'Typed' });
    const result = await sync(dir);
    expect(result.drift).toMatchObject({ edited: 1, kept: 1, deleted: 0, merged: 0 });
    expect(contacts(sandbox).get('person3@example.com')?.CDP_Lifetime_Value__c).toBe(30);
    expect(contacts(sandbox).get('person4@example.com')?.FirstName).toBe('Typed');
    expectMatchesWarehouse(['person4@example.com']);
    sandbox.resetStats();
    expect((await sync(dir)).drift).toMatchObject({ edited: 0, kept: 0 });
    expect(writes(sandbox)).toEqual({});
  });

  it('re-creates a deleted contact once, back in its campaign', async () => {
    const dir = await drifted();
    const oldId = idOf('person16@example.com');
    await conn.sobject('Contact').destroy(oldId);
    const result = await sync(dir);
    expect(result.drift).toMatchObject({ deleted: 1, merged: 0 });
    expect(result.sent.created).toBe(1);
    expect(idOf('person16@example.com')).not.toBe(oldId);
    expect(campaignEmails(sandbox, 'CDP: High value')).toEqual(highValueEmails(PROFILES));
    expectMatchesWarehouse();
    sandbox.resetStats();
    expect((await sync(dir)).drift?.deleted).toBe(0);
    expect(writes(sandbox)).toEqual({});
  });

  it('follows a merge made in the UI: state moves to the master, campaign membership kept, no duplicate, no loop', async () => {
    const dir = await drifted();
    const master = idOf('person14@example.com');
    expect((await control('merge', { masterId: master, mergeIds: [idOf('person15@example.com')] })).status).toBe(200);
    const result = await sync(dir);
    expect(result.drift).toMatchObject({ merged: 1, deleted: 0 });
    expect(result.sent.created).toBe(0);
    const state = await query(dir, "select destination_id from cdp.sync_state_contacts where match_key in ('person14@example.com', 'person15@example.com')");
    expect(state.map((r) => r.destination_id)).toEqual([master, master]);
    expect(sandbox.store.list('Contact')).toHaveLength(PROFILES.length - 1);
    expect(campaignEmails(sandbox, 'CDP: High value')).toEqual(highValueEmails(PROFILES).filter((e) => e !== 'person15@example.com'));
    expectMatchesWarehouse(['person15@example.com']);
    sandbox.resetStats();
    expect((await sync(dir)).drift).toMatchObject({ merged: 0, deleted: 0 });
    expect(writes(sandbox)).toEqual({});
  });

  it('rebuilds an org emptied behind its back on the next plain sync, creates counted as creates', async () => {
    const dir = await drifted();
    sandbox.reset();
    const result = await sync(dir);
    expect(result.drift?.deleted).toBe(PROFILES.length);
    expect(result.sent).toMatchObject({ created: PROFILES.length, updated: 0 });
    expect(campaignEmails(sandbox, 'CDP: High value')).toEqual(highValueEmails(PROFILES));
    expectMatchesWarehouse();
  });
});

describe('Salesforce duplicate rules (DUPLICATES_DETECTED)', () => {
  const rule = () => control('duplicate-rules', { object: 'Contact', fields: ['LastName', 'FirstName'] });
  const existing = () => sandbox.seed('Contact', [{ FirstName: 'Name7', LastName: 'Family7', Email: 'old.address7@example.com' }])[0];

  it('duplicates: match writes to the record the rule names, once, and the next run sends nothing', async () => {
    const dir = await makeProject({});
    dirs.push(dir);
    await seed(dir, PROFILES);
    const id = existing();
    expect((await rule()).status).toBe(200);
    const result = await sync(dir);
    expect(result.rejected).toBe(0);
    expect(result.sent.created).toBe(PROFILES.length);
    expect(sandbox.store.list('Contact')).toHaveLength(PROFILES.length);
    expect(contacts(sandbox).get('person7@example.com')?.Id).toBe(id);
    expectMatchesWarehouse();
    sandbox.resetStats();
    await sync(dir);
    expect(writes(sandbox)).toEqual({});
  });

  it('duplicates: allow_save sends the header and the org keeps both; without a single match the record is reported, not retried', async () => {
    const dir = await makeProject({});
    dirs.push(dir);
    await seed(dir, PROFILES);
    existing();
    sandbox.seed('Contact', [{ FirstName: 'Name8', LastName: 'Family8', Email: 'a8@example.com' }, { FirstName: 'Name8', LastName: 'Family8', Email: 'b8@example.com' }]);
    expect((await rule()).status).toBe(200);
    const refused = await sync(dir, 3);
    expect(refused.rejected).toBe(1);
    const log = await query(dir, 'select key, code, message from cdp.sync_log');
    expect(log).toEqual([{ key: 'person8@example.com', code: 'DUPLICATES_DETECTED', message: expect.stringContaining('matches 2 records') }]);
    const upserts = sandbox.stats.requests['PATCH /composite/sobjects/Contact/{field}'];
    await writeFile(join(dir, 'cdp.config.yaml'), (await readFile(join(dir, 'cdp.config.yaml'), 'utf8')).replace('bulkThreshold: 2000', 'bulkThreshold: 2000\n    duplicates: allow_save'));
    sandbox.resetStats();
    const saved = await sync(dir);
    expect(saved.rejected).toBe(0);
    expect(sandbox.store.list('Contact').filter((c) => c.values.LastName === 'Family8')).toHaveLength(3);
    expect(upserts).toBe(1);
  });
});
