import { describe, expect, it } from 'vitest';
import jsforce from 'jsforce';
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PASSWORD, DEFAULT_USERNAME, type SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { campaignEmails, contacts, highValueEmails, makeProject, people, query, runCdp, seed, startSandbox, type Profile, useSandbox } from './salesforce-fixture.js';

let sandbox: SalesforceSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started), { resetEach: true });

async function project(profiles: readonly Profile[], bulkThreshold: number): Promise<string> {
  const dir = await makeProject({ bulkThreshold });
  dirs.push(dir);
  await seed(dir, profiles);
  return dir;
}

const UPLOAD = 'PUT /jobs/ingest/{jobId}/batches';
const UPSERT = 'PATCH /composite/sobjects/Contact/{field}';

describe('diffs above bulkThreshold go through Bulk API 2.0', () => {
  it('upserts and adds campaign members in jobs, maps every row back, then sends nothing, then only changes', async () => {
    const profiles = people(700, (i) => (i === 5 ? { last_name: null } : {}));
    const dir = await project(profiles, 300);
    const first = await runCdp(dir, sandbox, ['sync', '--json']);
    expect(first.code).toBe(3);
    expect(JSON.parse(first.stdout)).toMatchObject({ syncs: [{ sent: { created: 699, added: 689 }, rejected: 1, notes: ["created Salesforce campaign 'CDP: High value' (7018d0000000001AAA)", 'writing Contact through Bulk API 2.0 (700 pending writes > bulkThreshold 300)'] }] });
    // one upsert job for the records, one insert job for the 689 campaign members, no collection calls
    expect(sandbox.stats.bulkJobs).toMatchObject({ created: 2, completed: 2, aborted: 0 });
    expect(sandbox.stats.recordsPerCall[UPLOAD]).toEqual([700, 689]);
    expect(sandbox.stats.requests[UPSERT]).toBeUndefined();
    expect(contacts(sandbox).size).toBe(699);
    expect(contacts(sandbox).get('person650@example.com')).toMatchObject({ FirstName: 'Name650', CDP_Lifetime_Value__c: 6500, CDP_Loyal__c: false });
    expect(campaignEmails(sandbox, 'CDP: High value')).toEqual(highValueEmails(profiles));
    // a failed row comes back from failedResults with its code and message
    expect(await query(dir, 'select key, code, message from cdp.sync_log')).toEqual([{ key: 'person5@example.com', code: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]' }]);
    const state = await query(dir, 'select count(*) as n, count(distinct destination_id) as ids from cdp.sync_state_contacts');
    expect(state).toEqual([{ n: 699, ids: 699 }]);

    sandbox.resetStats();
    await seed(dir, profiles.map((p) => (p.profile_id === 'p00005' ? { ...p, last_name: 'Fixed' } : p)));
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(sandbox.stats.recordsPerCall[UPSERT]).toEqual([1]);
    sandbox.resetStats();
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(sandbox.stats.totalRequests).toBe(0);

    // someone edits person600's LastName in Salesforce; cdp changes FirstName on 400 (LastName on one other) and removes 320 from the campaign
    const conn = new jsforce.Connection({ loginUrl: sandbox.url, version: '62.0', oauth2: { clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET } });
    await conn.login(DEFAULT_USERNAME, DEFAULT_PASSWORD);
    await conn.sobject('Contact').update({ Id: String(contacts(sandbox).get('person600@example.com')?.Id), LastName: 'EditedInSalesforce' });
    const changed = profiles.map((p, i) => ({
      ...p,
      last_name: i === 5 ? 'Fixed' : i === 301 ? 'NewFamily' : p.last_name,
      ...(i >= 300 ? { first_name: `Renamed${i}` } : {}),
      ...(i >= 380 ? { lifetime_value: 1 } : {}),
    }));
    await seed(dir, changed);
    sandbox.resetStats();
    const third = await runCdp(dir, sandbox, ['sync']);
    expect(third.stderr).toBe('');
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('0 created, 400 updated, memberships +0 -320');
    expect(sandbox.stats.bulkJobs).toMatchObject({ created: 2, completed: 2 });
    expect(sandbox.stats.recordsPerCall[UPLOAD]).toEqual([400, 320]);
    // the LastName column exists (person301) but person600's cell is empty: "no change", the edit in Salesforce stays
    expect(contacts(sandbox).get('person600@example.com')).toMatchObject({ FirstName: 'Renamed600', LastName: 'EditedInSalesforce', CDP_Lifetime_Value__c: 1 });
    expect(contacts(sandbox).get('person301@example.com')).toMatchObject({ FirstName: 'Renamed301', LastName: 'NewFamily' });
    expect(campaignEmails(sandbox, 'CDP: High value')).toEqual(highValueEmails(changed));
  });
});
