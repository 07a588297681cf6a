import type jsforce from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { passwordConnection, startTestSandbox } from './salesforce-test-helpers.js';

let sandbox: SalesforceSandbox;
let conn: jsforce.Connection;
let campaignId: string;
let contactIds: readonly string[];

beforeAll(async () => {
  sandbox = await startTestSandbox();
  conn = await passwordConnection(sandbox);
});
beforeEach(async () => {
  sandbox.reset();
  const created = await conn.sobject('Campaign').create({ Name: 'CDP: High intent' });
  campaignId = created.success ? created.id : '';
  contactIds = sandbox.seed('Contact', [{ LastName: 'A' }, { LastName: 'B' }, { LastName: 'C' }]);
});
afterAll(async () => {
  await sandbox.close();
});

interface RawResult {
  readonly success: boolean;
  readonly errors: readonly { readonly statusCode: string; readonly message: string; readonly fields: readonly string[] }[];
}

describe('campaigns as audiences', () => {
  it('a new campaign gets "Sent" (default) and "Responded" member statuses; Name is required', async () => {
    const statuses = await conn.query<{ Label: string; IsDefault: boolean; HasResponded: boolean }>(
      `SELECT Label, IsDefault, HasResponded FROM CampaignMemberStatus WHERE CampaignId = '${campaignId}' ORDER BY SortOrder`,
    );
    expect(statuses.records.map(({ Label, IsDefault, HasResponded }) => ({ Label, IsDefault, HasResponded }))).toEqual([
      { Label: 'Sent', IsDefault: true, HasResponded: false },
      { Label: 'Responded', IsDefault: false, HasResponded: true },
    ]);
    const noName = await conn.sobject('Campaign').create([{ Type: 'Email' }]);
    expect(noName[0].success).toBe(false);
  });

  it('adds members with the default status; a second add is DUPLICATE_VALUE "Already a campaign member."', async () => {
    const first = await conn.sobject('CampaignMember').create([
      { CampaignId: campaignId, ContactId: contactIds[0] },
      { CampaignId: campaignId, ContactId: contactIds[1], Status: 'Responded' },
    ]);
    expect(first.map((r) => r.success)).toEqual([true, true]);
    const members = await conn.query<{ ContactId: string; Status: string; HasResponded: boolean }>(
      `SELECT ContactId, Status, HasResponded FROM CampaignMember WHERE CampaignId = '${campaignId}' ORDER BY ContactId`,
    );
    expect(members.records.map(({ ContactId, Status, HasResponded }) => ({ ContactId, Status, HasResponded }))).toEqual([
      { ContactId: contactIds[0], Status: 'Sent', HasResponded: false },
      { ContactId: contactIds[1], Status: 'Responded', HasResponded: true },
    ]);

    const again = (await conn.sobject('CampaignMember').create([
      { CampaignId: campaignId, ContactId: contactIds[0], Status: 'Sent' },
      { CampaignId: campaignId, ContactId: contactIds[2], Status: 'Sent' },
    ])) as unknown as readonly RawResult[];
    expect(again[0]).toEqual({ success: false, errors: [{ statusCode: 'DUPLICATE_VALUE', message: 'Already a campaign member.', fields: [] }] });
    expect(again[1].success).toBe(true);
  });

  it('validates Status against the campaign labels, and needs CampaignId plus ContactId or LeadId', async () => {
    const res = (await conn.sobject('CampaignMember').create([
      { CampaignId: campaignId, ContactId: contactIds[0], Status: 'Bogus' },
      { ContactId: contactIds[1] },
      { CampaignId: campaignId },
      { CampaignId: '7018d0000000zzzAAA', ContactId: contactIds[2] },
    ])) as unknown as readonly RawResult[];
    expect(res[0].errors[0]).toMatchObject({ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Status'] });
    expect(res[1].errors[0]).toMatchObject({ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['CampaignId'] });
    expect(res[2].errors[0].statusCode).toBe('REQUIRED_FIELD_MISSING');
    expect(res[3].errors[0].statusCode).toBe('INVALID_CROSS_REFERENCE_KEY');
  });

  it('removal: query the members of some contacts, then destroy them; status updates recompute HasResponded', async () => {
    const added = await conn.sobject('CampaignMember').create(contactIds.map((ContactId) => ({ CampaignId: campaignId, ContactId, Status: 'Sent' })));
    const firstId = added[0].success ? added[0].id : '';
    await conn.sobject('CampaignMember').update([{ Id: firstId, Status: 'Responded' }]);
    expect(sandbox.store.get(firstId)?.values).toMatchObject({ Status: 'Responded', HasResponded: true });

    const leaving = await conn.query<{ Id: string }>(`SELECT Id FROM CampaignMember WHERE CampaignId = '${campaignId}' AND ContactId IN ('${contactIds[0]}', '${contactIds[1]}')`);
    expect(leaving.totalSize).toBe(2);
    const removed = await conn.sobject('CampaignMember').destroy(leaving.records.map((r) => r.Id));
    expect(removed.every((r) => r.success)).toBe(true);
    expect((await conn.query(`SELECT Id FROM CampaignMember WHERE CampaignId = '${campaignId}'`)).totalSize).toBe(1);

    const remaining = added[2].success ? added[2].id : '';
    const moveContact = (await conn.sobject('CampaignMember').update([{ Id: remaining, ContactId: contactIds[0] }])) as unknown as readonly RawResult[];
    expect(moveContact[0].errors[0]).toMatchObject({ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['ContactId'] });
  });
});
