import { describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { changeFour } from '../destinations/destination-fixture.js';
import { campaignEmails, contacts, highValueEmails, makeProject, people, query, runCdp, seed, startSandbox, writes, type ConnectorOptions, type Profile, useSandbox } from './salesforce-fixture.js';

let sandbox: SalesforceSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started), { resetEach: true });

async function project(profiles: readonly Profile[], connector: ConnectorOptions = {}): Promise<string> {
  const dir = await makeProject({ where: 'marketing_consent', ...connector });
  dirs.push(dir);
  await seed(dir, profiles);
  return dir;
}

const UPSERT = 'PATCH /composite/sobjects/Contact/{field}';

describe('cdp sync to Salesforce through sObject Collections', () => {
  // Creating, re-running and sending only changes, for every destination: test/destinations/basics.test.ts.
  it('stores dates and the required LastName as Salesforce does, creates campaign members 200 at a time, and sends a change through three routes', async () => {
    const profiles = people(250);
    const dir = await project(profiles);
    const first = await runCdp(dir, sandbox, ['sync']);
    expect(first.code).toBe(0);
    expect(contacts(sandbox).get('person7@example.com')).toMatchObject({ LastName: 'Family7', CDP_Last_Order_At__c: '2026-01-02T03:04:05.000+0000' });
    expect(sandbox.stats.recordsPerCall['POST /composite/sobjects']).toEqual([200, 39]);

    const changed = changeFour(profiles);
    await seed(dir, changed);
    sandbox.resetStats();
    const third = await runCdp(dir, sandbox, ['sync', '--json']);
    expect(third.code).toBe(0);
    expect(writes(sandbox)).toEqual({ [UPSERT]: 1, 'POST /composite/sobjects': 1, 'DELETE /composite/sobjects': 1 });
    const summary = JSON.parse(third.stdout) as { syncs: { diff: { field_updates: Record<string, number> } }[] };
    expect(summary.syncs[0].diff.field_updates).toMatchObject({ LastName: 0 });
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

  // Clearing, removal and state in mirror mode, for every destination: test/destinations/modes.test.ts.
  it('mirror mode keeps a field Salesforce requires, and clears in one sObject Collections update', async () => {
    const profiles = people(20);
    const dir = await project(profiles, { mode: 'mirror' });
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    await seed(dir, profiles.map((p) => (p.profile_id === 'p00017' ? { ...p, marketing_consent: false } : p)));
    sandbox.resetStats();
    const result = await runCdp(dir, sandbox, ['sync']);
    expect(result.code).toBe(0);
    expect(contacts(sandbox).get('person17@example.com')).toMatchObject({ LastName: 'Family17', CDP_Last_Order_At__c: null });
    expect(sandbox.stats.recordsPerCall['PATCH /composite/sobjects']).toEqual([1]);
  });
});
