import { describe, expect, it } from 'vitest';
import { COMPANIES } from '@cdp-oss/crm-sandbox';
import type { HubSpotSandbox, SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { cdp, writeProject } from '../helpers/project.js';
import { hubspotEnv, hubspotProjectFiles, hubspotWrites, query, SALESFORCE_CUSTOM_FIELDS, salesforceEnv, salesforceProjectFiles, salesforceWrites, startHubSpot, startSalesforce, useSandbox } from '../destinations/destination-fixture.js';
import { ACCOUNTS_MODEL, accounts, HUBSPOT_COMPANIES, SALESFORCE_ACCOUNTS, seedAccounts } from './account-fixture.js';

/** Live companies by cdp_account_id: name, domain, cdp_mrr, cdp_members. */
function companies(sandbox: HubSpotSandbox): Record<string, readonly (string | undefined)[]> {
  return Object.fromEntries(sandbox.store.allRecords(COMPANIES).map((r) => [r.properties.get('cdp_account_id') ?? `(none ${r.id})`, ['name', 'domain', 'cdp_mrr', 'cdp_members'].map((p) => r.properties.get(p))]));
}

function listCompanies(sandbox: HubSpotSandbox, name: string): string[] {
  const list = sandbox.store.lists.byName(name);
  const key = new Map(sandbox.store.allRecords(COMPANIES).map((r) => [r.id, r.properties.get('cdp_account_id') ?? '']));
  return [...(list?.members.keys() ?? [])].map((id) => key.get(id) ?? `(gone ${id})`).sort();
}

describe('account sync to HubSpot companies', () => {
  let sandbox: HubSpotSandbox;
  const dirs = useSandbox(startHubSpot, (s) => (sandbox = s), { resetEach: true });

  it('creates cdp_account_id as a unique property, upserts companies by it, fills the company list, and a re-run sends nothing', async () => {
    const dir = await writeProject({ ...hubspotProjectFiles(), 'connectors/companies.yaml': HUBSPOT_COMPANIES, 'models/accounts.yaml': ACCOUNTS_MODEL });
    dirs.push(dir);
    const rows = accounts(3);
    await seedAccounts(dir, { accounts: rows, segments: [['a0001', 'hot_accounts'], ['a0002', 'hot_accounts']] });
    const first = await cdp(dir, ['sync', 'companies'], hubspotEnv(sandbox));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(sandbox.store.property(COMPANIES, 'cdp_account_id')).toMatchObject({ hasUniqueValue: true, type: 'string' });
    expect(companies(sandbox)).toEqual({
      a0000: ['Company 0', 'company0.com', '0', '1'],
      a0001: ['Company 1', 'company1.com', '100', '2'],
      a0002: ['Company 2', 'company2.com', '200', '3'],
    });
    expect(sandbox.store.lists.byName('CDP: Hot accounts')).toMatchObject({ objectTypeId: '0-2' });
    expect(listCompanies(sandbox, 'CDP: Hot accounts')).toEqual(['a0001', 'a0002']);
    const state = await query(dir, 'select profile_id, match_key from cdp.sync_state_companies order by 1');
    expect(state.map((r) => [r.profile_id, r.match_key])).toEqual([
      ['a0000', 'a0000'],
      ['a0001', 'a0001'],
      ['a0002', 'a0002'],
    ]);

    sandbox.resetStats();
    expect((await cdp(dir, ['sync', 'companies'], hubspotEnv(sandbox))).code).toBe(0);
    expect(hubspotWrites(sandbox)).toEqual({});

    // One account's MRR changes and another leaves the segment: one upsert and one list removal.
    await seedAccounts(dir, { accounts: rows.map((a) => (a.account_id === 'a0000' ? { ...a, mrr: 999 } : a)), segments: [['a0001', 'hot_accounts']] });
    const plan = await cdp(dir, ['plan', 'companies', '--json'], hubspotEnv(sandbox));
    expect(plan.code).toBe(0);
    const planned = JSON.parse(plan.stdout) as { syncs: { sync: string; diff: { records: number; field_updates: Record<string, number> } }[] };
    expect(planned.syncs[0]).toMatchObject({ sync: 'companies', diff: { records: 2, field_updates: { cdp_mrr: 1, name: 0 } } });
    sandbox.resetStats();
    expect((await cdp(dir, ['sync', 'companies'], hubspotEnv(sandbox))).code).toBe(0);
    expect(hubspotWrites(sandbox)).toEqual({ 'POST /crm/v3/objects/companies/batch/upsert': 1, 'PUT /crm/v3/lists/{listId}/memberships/remove': 1 });
    expect(companies(sandbox).a0000).toEqual(['Company 0', 'company0.com', '999', '1']);
    expect(listCompanies(sandbox, 'CDP: Hot accounts')).toEqual(['a0001']);
  });

  it('refuses to match companies on domain, at the match line', async () => {
    const dir = await writeProject({ ...hubspotProjectFiles(), 'connectors/companies.yaml': HUBSPOT_COMPANIES.replace('object: companies\n', 'object: companies\nmatch: { id_type: domain }\n'), 'models/accounts.yaml': ACCOUNTS_MODEL });
    dirs.push(dir);
    const res = await cdp(dir, ['validate', '--json'], hubspotEnv(sandbox));
    expect(res.code).toBe(2);
    const out = JSON.parse(res.stdout) as { diagnostics: { code: string; file: string; line: number; hint?: string }[] };
    expect(out.diagnostics).toContainEqual(expect.objectContaining({ code: 'non-unique-match', file: 'connectors/companies.yaml', line: 4, hint: expect.stringContaining('cdp_account_id') }));
  });
  it('cdp validate and cdp sync report an unknown account trait, in an account sync and as account.<trait>, at their lines', async () => {
    const dir = await writeProject({
      ...hubspotProjectFiles({ fields: { firstname: 'first_name', cdp_account_mrr: 'account.mrrr' }, segments: 'segments: {}\naccount: { sync: companies }' }),
      'connectors/companies.yaml': HUBSPOT_COMPANIES.replace('cdp_members: members', 'cdp_members: membrs'),
      'models/accounts.yaml': ACCOUNTS_MODEL,
    });
    dirs.push(dir);
    for (const command of [['validate', '--json'], ['sync', '--json']]) {
      const res = await cdp(dir, command, hubspotEnv(sandbox));
      expect(res.code).toBe(2);
      const out = JSON.parse(res.stdout) as { diagnostics: { code: string; file: string; line: number; hint?: string }[] };
      const brief = out.diagnostics.filter((d) => d.code === 'unknown-trait').map((d) => [d.file, d.line, d.hint]);
      expect(brief).toEqual([
        ['connectors/companies.yaml', 8, "did you mean 'members'?"],
        ['connectors/contacts.yaml', 10, "did you mean 'account.mrr'?"],
      ]);
    }
    expect(sandbox.stats.requests).toEqual({});
  });
});

describe('account sync to Salesforce Account', () => {
  let sandbox: SalesforceSandbox;
  const start = () =>
    startSalesforce({
      customFields: {
        ...SALESFORCE_CUSTOM_FIELDS,
        Account: [
          { name: 'CDP_Account_Id__c', type: 'string', length: 64, externalId: true, unique: true },
          { name: 'CDP_MRR__c', type: 'double', precision: 18, scale: 2 },
          { name: 'CDP_Hot_Account__c', type: 'boolean' },
        ],
      },
    });
  const dirs = useSandbox(start, (s) => (sandbox = s), { resetEach: true });

  it('upserts Accounts by CDP_Account_Id__c with the segment as a checkbox, and a re-run sends nothing', async () => {
    const dir = await writeProject({ ...salesforceProjectFiles(), 'connectors/accounts.yaml': SALESFORCE_ACCOUNTS, 'models/accounts.yaml': ACCOUNTS_MODEL });
    dirs.push(dir);
    const rows = accounts(3);
    await seedAccounts(dir, { accounts: rows, segments: [['a0002', 'hot_accounts']] });
    const first = await cdp(dir, ['sync', 'accounts'], salesforceEnv(sandbox));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const live = () => Object.fromEntries(sandbox.store.list('Account').map((r) => [String(r.values.CDP_Account_Id__c), [r.values.Name, r.values.Website, r.values.CDP_MRR__c, r.values.CDP_Hot_Account__c]]));
    expect(live()).toEqual({
      a0000: ['Company 0', 'company0.com', 0, false],
      a0001: ['Company 1', 'company1.com', 100, false],
      a0002: ['Company 2', 'company2.com', 200, true],
    });
    sandbox.resetStats();
    expect((await cdp(dir, ['sync', 'accounts'], salesforceEnv(sandbox))).code).toBe(0);
    expect(salesforceWrites(sandbox)).toEqual({});
  });

  it('cdp validate refuses a campaign on an account sync and an account: naming no account sync, at their lines', async () => {
    const dir = await writeProject({
      ...salesforceProjectFiles({ segments: 'segments: {}\naccount: { sync: acounts }' }),
      'connectors/accounts.yaml': SALESFORCE_ACCOUNTS.replace('hot_accounts: { field: CDP_Hot_Account__c }', 'hot_accounts: { campaign: "Hot" }'),
      'models/accounts.yaml': ACCOUNTS_MODEL,
    });
    dirs.push(dir);
    const res = await cdp(dir, ['validate', '--json'], salesforceEnv(sandbox));
    expect(res.code).toBe(2);
    const out = JSON.parse(res.stdout) as { diagnostics: { code: string; file: string; line: number; hint?: string }[] };
    const brief = out.diagnostics.map((d) => [d.code, d.file, d.line, d.hint]);
    expect(brief).toContainEqual(['invalid-target', 'connectors/accounts.yaml', 9, undefined]);
    expect(brief).toContainEqual(['unknown-sync', 'connectors/contacts.yaml', 13, "did you mean 'accounts'?"]);
  });
});
