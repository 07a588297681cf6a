import { describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { type CliResult } from '../helpers/project.js';
import { makeProject, people, runCdp, seed, startSandbox, type ConnectorOptions, useSandbox } from './salesforce-fixture.js';

let sandbox: SalesforceSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started), { resetEach: true });

/** Runs `cdp sync` on a connector that describe-based validation refuses: exit 2, nothing written. */
async function refused(connector: ConnectorOptions): Promise<CliResult> {
  const dir = await makeProject(connector);
  dirs.push(dir);
  await seed(dir, people(3));
  const campaigns = sandbox.store.count('Campaign');
  const result = await runCdp(dir, sandbox, ['sync']);
  expect(result.code).toBe(2);
  expect(sandbox.stats.writeRequests).toBe(0);
  expect(sandbox.store.count('Campaign')).toBe(campaigns);
  return result;
}

describe('describe-based validation, reported at the connector line', () => {
  it('collects unknown, read-only and mistyped fields and an unknown member status in one report', async () => {
    sandbox.seed('Campaign', [{ Name: 'CDP: High value' }]);
    const result = await refused({
      fields: { FirstName: 'first_name', LastName: 'last_name', CDP_Lifetim_Value__c: 'lifetime_value', CDP_Score_Formula__c: 'order_count', CDP_Order_Count__c: 'first_name' },
      segments: 'segments:\n  loyal: { field: Title }\n  high_value: { campaign: "CDP: High value", status: Responed }',
    });
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^connectors\/contacts\.yaml:9:3 unknown-field Salesforce Contact has no field 'CDP_Lifetim_Value__c' \(did you mean 'CDP_Lifetime_Value__c'\?\)$/),
      expect.stringMatching(/^connectors\/contacts\.yaml:10:3 read-only-field Salesforce Contact\.CDP_Score_Formula__c cannot be set on new records or updated/),
      expect.stringMatching(/^connectors\/contacts\.yaml:11:3 type-mismatch field 'CDP_Order_Count__c' gets a string trait, but Salesforce Contact\.CDP_Order_Count__c is a double field \(map a trait whose type fits .* or a Text\(255\) field\)$/),
      expect.stringMatching(/^connectors\/contacts\.yaml:13:\d+ type-mismatch field 'Title' gets a boolean trait, but Salesforce Contact\.Title is a string field \(.* or a Checkbox field\)$/),
      expect.stringMatching(/^connectors\/contacts\.yaml:14:\d+ unknown-status Salesforce campaign 'CDP: High value' has no member status 'Responed' \(did you mean 'Responded'\? its statuses are 'Sent', 'Responded'/),
      '5 errors',
    ]);
  });

  it('refuses an upsert key that is neither an External ID nor an idLookup field', async () => {
    const result = await refused({ match: '{ trait: last_name, field: LastName }' });
    expect(result.stderr).toMatch(/^connectors\/contacts\.yaml:4:\d+ match-not-external-id Salesforce Contact\.LastName is neither an External ID nor an idLookup field, so records cannot be upserted by it \(match on one of Email, Ext_Id__c/m);
  });

  it('create_fields: explains that Salesforce fields are created by hand, with the type to use', async () => {
    const result = await refused({ createFields: true, fields: { LastName: 'last_name', CDP_Revenue_Total__c: 'lifetime_value', CDP_Is_Vip__c: 'marketing_consent' } });
    expect(result.stderr).toContain(
      "connectors/contacts.yaml:8:3 create-fields-unsupported Salesforce Contact has no field 'CDP_Revenue_Total__c', and cdp does not create Salesforce fields (create_fields works for HubSpot only) (create a Number(16, 2) field with API name CDP_Revenue_Total__c in Setup > Object Manager > Contact > Fields & Relationships)",
    );
    expect(result.stderr).toContain("connectors/contacts.yaml:9:3 create-fields-unsupported Salesforce Contact has no field 'CDP_Is_Vip__c'");
    expect(result.stderr).toContain('create a Checkbox field with API name CDP_Is_Vip__c');
  });

  it('an unknown object gets a "did you mean", a list target is refused, an old API version is refused', async () => {
    const object = await refused({ object: 'Contacts', segments: 'segments: {}' });
    expect(object.stderr).toMatch(/^connectors\/contacts\.yaml:3:9 unknown-object Salesforce has no object 'Contacts' .*\(did you mean 'Contact'\?\)$/m);

    const list = await refused({ segments: 'segments:\n  high_value: { list: "CDP: High value" }' });
    expect(list.stderr).toMatch(/^connectors\/contacts\.yaml:13:\d+ invalid-target Salesforce has no lists/m);

    const version = await refused({ apiVersion: '45.0' });
    expect(version.stderr).toContain("api-version-too-old destination 'salesforce' uses Salesforce API 45.0; cdp needs 46.0 or later");
  });
});
