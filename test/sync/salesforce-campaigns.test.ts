import { describe, expect, it } from 'vitest';
import jsforce from 'jsforce';
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PASSWORD, DEFAULT_USERNAME, type SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { campaignEmails, highValueEmails, makeProject, people, query, runCdp, seed, startSandbox, type ConnectorOptions, type Profile, useSandbox } from './salesforce-fixture.js';

let sandbox: SalesforceSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started), { resetEach: true });

async function project(profiles: readonly Profile[], connector: ConnectorOptions = {}): Promise<string> {
  const dir = await makeProject(connector);
  dirs.push(dir);
  await seed(dir, profiles);
  return dir;
}

function members(campaignName: string): { readonly contactId: string; readonly status: unknown }[] {
  const campaign = sandbox.store.list('Campaign').find((c) => c.values.Name === campaignName);
  return sandbox.store
    .list('CampaignMember')
    .filter((m) => m.values.CampaignId === campaign?.id)
    .map((m) => ({ contactId: String(m.values.ContactId), status: m.values.Status }));
}

describe('segments as Salesforce campaign members', () => {
  it('uses the existing campaign, treats "Already a campaign member." as success, sets the configured status', async () => {
    const [campaignId] = sandbox.seed('Campaign', [{ Name: 'CDP: High value', IsActive: true }]);
    const [contactId] = sandbox.seed('Contact', [{ LastName: 'Existing', Email: 'person20@example.com' }]);
    sandbox.seed('CampaignMember', [{ CampaignId: campaignId, ContactId: contactId }]);
    const profiles = people(30);
    const dir = await project(profiles, { segments: 'segments:\n  high_value: { campaign: "CDP: High value", status: responded }' });

    const result = await runCdp(dir, sandbox, ['sync']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('memberships +19 -0, 0 rejected');
    expect(sandbox.store.list('Campaign')).toHaveLength(1);
    expect(campaignEmails(sandbox, 'CDP: High value')).toEqual(highValueEmails(profiles));
    // the label is matched case-insensitively and sent as Salesforce spells it; the old member keeps its status
    const statuses = members('CDP: High value');
    expect(statuses.filter((m) => m.contactId !== contactId).every((m) => m.status === 'Responded')).toBe(true);
    expect(statuses.find((m) => m.contactId === contactId)?.status).toBe('Sent');
    expect(await query(dir, 'select count(*) as n from cdp.sync_log')).toEqual([{ n: 0 }]);
  });

  it('creates a missing campaign once and removes members that leave the segment', async () => {
    const profiles = people(30);
    const dir = await project(profiles, { segments: 'segments:\n  high_value: { campaign: "CDP: New" }' });
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(sandbox.store.list('Campaign').map((c) => c.values.Name)).toEqual(['CDP: New']);
    expect(members('CDP: New').every((m) => m.status === 'Sent')).toBe(true);

    // someone removed a member by hand meanwhile: removing it again is fine
    const gone = members('CDP: New')[0];
    const memberRecord = sandbox.store.list('CampaignMember').find((m) => String(m.values.ContactId) === gone.contactId);
    const changed = profiles.map((p) => ((p.lifetime_value ?? 0) > 100 && (p.lifetime_value ?? 0) < 200 ? { ...p, lifetime_value: 5 } : p));
    await seed(dir, changed);
    const conn = new jsforce.Connection({ loginUrl: sandbox.url, version: '62.0', oauth2: { clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET } });
    await conn.login(DEFAULT_USERNAME, DEFAULT_PASSWORD);
    await conn.sobject('CampaignMember').destroy(memberRecord?.id ?? '');
    sandbox.resetStats();
    const second = await runCdp(dir, sandbox, ['sync']);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('memberships +0 -9');
    expect(campaignEmails(sandbox, 'CDP: New')).toEqual(highValueEmails(changed));
    expect(sandbox.stats.requests['POST /sobjects/Campaign']).toBeUndefined();
    expect(sandbox.stats.recordsPerCall['DELETE /composite/sobjects']).toEqual([8]);
  });
});
