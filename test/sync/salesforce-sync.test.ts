import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { removeProject } from '../helpers/project.js';
import { campaignEmails, contacts, highValueEmails, makeProject, people, query, runCdp, seed, startSandbox, writes, type ConnectorOptions, type Profile } from './salesforce-fixture.js';

let sandbox: SalesforceSandbox;
const dirs: string[] = [];
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeProject));
});

async function project(profiles: readonly Profile[], connector: ConnectorOptions = {}): Promise<string> {
  const dir = await makeProject({ where: 'marketing_consent', ...connector });
  dirs.push(dir);
  await seed(dir, profiles);
  return dir;
}

const UPSERT = 'PATCH /composite/sobjects/Contact/{field}';

describe('cdp sync to Salesforce through sObject Collections', () => {
  it('creates everything, then a re-run sends nothing, then only the changed fields and memberships', async () => {
    const profiles = people(250);
    const dir = await project(profiles);
    const first = await runCdp(dir, sandbox, ['sync']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('contacts: 250 created, 0 updated');

    const byEmail = contacts(sandbox);
    expect(byEmail.size).toBe(250);
    expect(byEmail.get('person7@example.com')).toMatchObject({
      FirstName: 'Name7',
      LastName: 'Family7',
      CDP_Lifetime_Value__c: 70,
      CDP_Order_Count__c: 7,
      CDP_Last_Order_At__c: '2026-01-02T03:04:05.000+0000',
      CDP_Loyal__c: true,
    });
    expect(byEmail.get('person3@example.com')).toMatchObject({ CDP_Loyal__c: false });
    expect(campaignEmails(sandbox, 'CDP: High value')).toEqual(highValueEmails(profiles));
    // batches of at most 200, each key once; campaign members created 200 at a time
    expect(sandbox.stats.recordsPerCall[UPSERT]).toEqual([200, 50]);
    expect(sandbox.stats.recordsPerCall['POST /composite/sobjects']).toEqual([200, 39]);

    sandbox.resetStats();
    const again = await runCdp(dir, sandbox, ['sync']);
    expect(again.code).toBe(0);
    expect(sandbox.stats.totalRequests).toBe(0);

    // two fields on one profile, one on another, a segment entry on a third, a segment exit on a fourth
    const changed = profiles.map((p) =>
      p.profile_id === 'p00003'
        ? { ...p, first_name: 'Renamed', order_count: 42 }
        : p.profile_id === 'p00004'
          ? { ...p, lifetime_value: 41 }
          : p.profile_id === 'p00005'
            ? { ...p, lifetime_value: 500 }
            : p.profile_id === 'p00200'
              ? { ...p, lifetime_value: 1 }
              : p,
    );
    await seed(dir, changed);
    sandbox.resetStats();
    const third = await runCdp(dir, sandbox, ['sync', '--json']);
    expect(third.code).toBe(0);
    expect(sandbox.stats.recordsPerCall[UPSERT]).toEqual([4]);
    expect(writes(sandbox)).toEqual({ [UPSERT]: 1, 'POST /composite/sobjects': 1, 'DELETE /composite/sobjects': 1 });
    expect(contacts(sandbox).get('person3@example.com')).toMatchObject({ FirstName: 'Renamed', CDP_Order_Count__c: 42, CDP_Loyal__c: true });
    expect(campaignEmails(sandbox, 'CDP: High value')).toEqual(highValueEmails(changed));
    const summary = JSON.parse(third.stdout) as { syncs: { diff: { field_updates: Record<string, number> }; sent: Record<string, number> }[] };
    expect(summary.syncs[0].diff.field_updates).toMatchObject({ FirstName: 1, CDP_Lifetime_Value__c: 3, CDP_Order_Count__c: 1, LastName: 0 });
    expect(summary.syncs[0].sent).toMatchObject({ updated: 4, added: 1, removed: 1 });
  });

  it('logs refused records in sync_log with the Salesforce code and message (exit 3) and retries them next run', async () => {
    const profiles = people(60, (i) => (i === 7 ? { last_name: null } : i === 8 ? { first_name: 'x'.repeat(41) } : i === 9 ? { first_name: 'Blocked' } : {}));
    const dir = await project(profiles);
    sandbox.faults.set({ rejectRecords: [{ field: 'FirstName', pattern: '^Blocked$' }] });
    const first = await runCdp(dir, sandbox, ['sync', '--json']);
    expect(first.code).toBe(3);
    expect(first.stderr).toContain('3 records were rejected; see sync_log');
    expect(contacts(sandbox).size).toBe(57);
    const log = await query(dir, 'select key, profile_id, operation, code, message from cdp.sync_log order by key');
    expect(log).toEqual([
      { key: 'person7@example.com', profile_id: 'p00007', operation: 'upsert', code: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]' },
      { key: 'person8@example.com', profile_id: 'p00008', operation: 'upsert', code: 'STRING_TOO_LONG', message: `First Name: data value too large: ${'x'.repeat(41)} (max length=40)` },
      { key: 'person9@example.com', profile_id: 'p00009', operation: 'upsert', code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Rejected by a sandbox validation rule: FirstName = Blocked' },
    ]);

    // the validation rule is lifted: only the refused records are sent again
    sandbox.faults.clear();
    sandbox.resetStats();
    const second = await runCdp(dir, sandbox, ['sync']);
    expect(second.code).toBe(3);
    expect(sandbox.stats.recordsPerCall[UPSERT]).toEqual([3]);
    expect(contacts(sandbox).get('person9@example.com')).toMatchObject({ FirstName: 'Blocked' });

    // the data is fixed in the warehouse: the last two land
    await seed(dir, profiles.map((p) => (p.profile_id === 'p00007' ? { ...p, last_name: 'Found' } : p.profile_id === 'p00008' ? { ...p, first_name: 'Short' } : p)));
    sandbox.resetStats();
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(sandbox.stats.recordsPerCall[UPSERT]).toEqual([2]);
    expect(contacts(sandbox).size).toBe(60);
  });

  it('retries rows Salesforce could not lock in smaller batches until they land', async () => {
    const profiles = people(200);
    const dir = await project(profiles);
    sandbox.faults.set({ seed: 7, lockRows: { above: 40, probability: 0.5 } });
    const result = await runCdp(dir, sandbox, ['sync']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const sizes = sandbox.stats.recordsPerCall[UPSERT];
    expect(sizes[0]).toBe(200);
    expect(sizes.length).toBeGreaterThan(2);
    expect(sizes.slice(1).every((n, i) => n < sizes[i])).toBe(true);
    expect(contacts(sandbox).size).toBe(200);
  });

  it('update mode changes existing contacts only, found by Email with SOQL, and skips the others', async () => {
    sandbox.seed('Contact', [
      { LastName: 'Seeded1', Email: 'person1@example.com' },
      { LastName: 'Seeded2', Email: 'PERSON2@example.com' },
    ]);
    const dir = await project(people(5), { mode: 'update', fields: { FirstName: 'first_name', CDP_Lifetime_Value__c: 'lifetime_value' } });
    const result = await runCdp(dir, sandbox, ['sync', '--json']);
    expect(result.code).toBe(0);
    // "created" counts records new to cdp's state; Salesforce got updates only
    expect(JSON.parse(result.stdout)).toMatchObject({ syncs: [{ sent: { updated: 0, created: 2, skipped: 3 } }] });
    const byEmail = contacts(sandbox);
    expect(byEmail.size).toBe(2);
    expect(byEmail.get('PERSON2@example.com')).toMatchObject({ LastName: 'Seeded2', FirstName: 'Name2', CDP_Lifetime_Value__c: 20 });
    expect(sandbox.stats.requests['PATCH /composite/sobjects']).toBe(1);
    expect(sandbox.stats.requests[UPSERT]).toBeUndefined();

    // next run: the ids are known, no lookup by Email
    await seed(dir, people(5, (i) => ({ first_name: `Again${i}` })));
    sandbox.resetStats();
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(contacts(sandbox).get('person1@example.com')).toMatchObject({ FirstName: 'Again1' });
    expect(sandbox.stats.recordsPerCall['PATCH /composite/sobjects']).toEqual([2]);
  });

  it('mirror mode clears what cdp set on contacts that leave, except a field Salesforce requires', async () => {
    const profiles = people(20);
    const dir = await project(profiles, { mode: 'mirror' });
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(contacts(sandbox).get('person17@example.com')).toMatchObject({ FirstName: 'Name17', CDP_Loyal__c: true });
    expect(campaignEmails(sandbox, 'CDP: High value')).toContain('person17@example.com');

    const withdrawn = profiles.map((p) => (p.profile_id === 'p00017' ? { ...p, marketing_consent: false } : p));
    await seed(dir, withdrawn);
    sandbox.resetStats();
    const result = await runCdp(dir, sandbox, ['sync']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(contacts(sandbox).get('person17@example.com')).toMatchObject({ FirstName: null, LastName: 'Family17', CDP_Lifetime_Value__c: null, CDP_Loyal__c: false });
    expect(campaignEmails(sandbox, 'CDP: High value')).not.toContain('person17@example.com');
    expect(sandbox.stats.recordsPerCall['PATCH /composite/sobjects']).toEqual([1]);
    expect(await query(dir, "select count(*) as n from cdp.sync_state_contacts where match_key = 'person17@example.com'")).toEqual([{ n: 0 }]);
  });
});
