import { describe, expect, it } from 'vitest';
import { COMPANIES, CONTACTS } from '@cdp-oss/crm-sandbox';
import type { HubSpotSandbox, SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { cdp, writeProject } from '../helpers/project.js';
import {
  HUBSPOT_FIELDS,
  HUBSPOT_SEGMENTS,
  hubspotEnv,
  hubspotProjectFiles,
  hubspotWrites,
  people,
  SALESFORCE_CUSTOM_FIELDS,
  SALESFORCE_FIELDS,
  SALESFORCE_SEGMENTS,
  salesforceEnv,
  salesforceProjectFiles,
  salesforceWrites,
  seed,
  startHubSpot,
  startSalesforce,
  useSandbox,
} from '../destinations/destination-fixture.js';
import { ACCOUNTS_MODEL, accounts, HUBSPOT_COMPANIES, SALESFORCE_ACCOUNTS, seedAccounts, syncWithAccounts } from './account-fixture.js';

const ROWS = accounts(2);
/** p00000 and p00001 work at a0000, p00002 at a0001, p00003 at no account. */
const MEMBERS: readonly (readonly [string, string])[] = [
  ['p00000', 'a0000'],
  ['p00001', 'a0000'],
  ['p00002', 'a0001'],
];
const MOVED: readonly (readonly [string, string])[] = [
  ['p00000', 'a0000'],
  ['p00001', 'a0001'],
  ['p00002', 'a0001'],
];

describe('contacts associated with their HubSpot company', () => {
  let sandbox: HubSpotSandbox;
  const dirs = useSandbox(startHubSpot, (s) => (sandbox = s), { resetEach: true });

  /** Company key (cdp_account_id) of each contact's associated companies, by email. */
  function associations(): Record<string, string[]> {
    const key = new Map(sandbox.store.allRecords(COMPANIES).map((r) => [r.id, r.properties.get('cdp_account_id') ?? '']));
    return Object.fromEntries(
      sandbox.store.allRecords(CONTACTS).map((c) => [c.properties.get('email') ?? '', sandbox.store.associations.read('0-1', c.id, '0-2').map((a) => key.get(a.toId) ?? `(gone ${a.toId})`)]),
    );
  }

  async function project(withAccounts = true): Promise<string> {
    const dir = await writeProject({
      ...hubspotProjectFiles({ fields: { ...HUBSPOT_FIELDS, cdp_account_mrr: 'account.mrr' }, segments: `${HUBSPOT_SEGMENTS}\naccount: { sync: companies }` }),
      'connectors/companies.yaml': HUBSPOT_COMPANIES,
      ...(withAccounts ? { 'models/accounts.yaml': ACCOUNTS_MODEL } : {}),
    });
    dirs.push(dir);
    await seed(dir, people(4));
    await seedAccounts(dir, { accounts: ROWS, members: MEMBERS });
    return dir;
  }

  it('associates each contact with its company in the same run that creates the companies; a re-run sends nothing; a move is one association change', async () => {
    const dir = await project();
    const first = await syncWithAccounts(dir, hubspotEnv(sandbox));
    expect(first.syncs.map((s) => [s.sync, s.rejected])).toEqual([
      ['companies', 0],
      ['contacts', 0],
    ]);
    expect(associations()).toEqual({ 'person0@example.com': ['a0000'], 'person1@example.com': ['a0000'], 'person2@example.com': ['a0001'], 'person3@example.com': [] });
    const mrr = () => Object.fromEntries(sandbox.store.allRecords(CONTACTS).map((c) => [c.properties.get('email'), c.properties.get('cdp_account_mrr')]));
    expect(mrr()).toEqual({ 'person0@example.com': '0', 'person1@example.com': '0', 'person2@example.com': '100', 'person3@example.com': undefined });

    sandbox.resetStats();
    await syncWithAccounts(dir, hubspotEnv(sandbox));
    expect(hubspotWrites(sandbox)).toEqual({});

    await seedAccounts(dir, { accounts: ROWS, members: MOVED });
    sandbox.resetStats();
    const moved = await syncWithAccounts(dir, hubspotEnv(sandbox));
    const contacts = moved.syncs.find((s) => s.sync === 'contacts');
    expect(contacts?.diff.field_updates).toMatchObject({ '@account': 1, cdp_account_mrr: 1 });
    expect(hubspotWrites(sandbox)).toEqual({
      'POST /crm/v3/objects/contacts/batch/upsert': 1,
      'POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/archive': 1,
      'POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/create': 1,
    });
    expect(associations()).toEqual({ 'person0@example.com': ['a0000'], 'person1@example.com': ['a0001'], 'person2@example.com': ['a0001'], 'person3@example.com': [] });
    expect(mrr()['person1@example.com']).toBe('100');

    // person2 belongs to no account any more: its association is archived, nothing is created.
    await seedAccounts(dir, { accounts: ROWS, members: MOVED.filter(([p]) => p !== 'p00002') });
    sandbox.resetStats();
    await syncWithAccounts(dir, hubspotEnv(sandbox));
    expect(hubspotWrites(sandbox)).toEqual({ 'POST /crm/v3/objects/contacts/batch/upsert': 1, 'POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/archive': 1 });
    expect(associations()['person2@example.com']).toEqual([]);
  });

  it('re-creates companies deleted in HubSpot (drift) and associates their contacts again, in one run and without tripping the @account clears gate', async () => {
    const dir = await writeProject({
      ...hubspotProjectFiles({ fields: HUBSPOT_FIELDS, segments: `${HUBSPOT_SEGMENTS}\naccount: { sync: companies }` }),
      'connectors/companies.yaml': `${HUBSPOT_COMPANIES}drift: true\n`,
      'models/accounts.yaml': ACCOUNTS_MODEL,
    });
    dirs.push(dir);
    await seed(dir, people(4));
    await seedAccounts(dir, { accounts: ROWS, members: MEMBERS });
    await syncWithAccounts(dir, hubspotEnv(sandbox));
    expect(associations()['person0@example.com']).toEqual(['a0000']);

    // Someone deletes both companies in HubSpot: their associations go with them.
    for (const company of sandbox.store.allRecords(COMPANIES)) sandbox.store.archiveRecord(COMPANIES, company.id);
    const res = await cdp(dir, ['sync', '--json'], hubspotEnv(sandbox));
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(sandbox.store.allRecords(COMPANIES).map((c) => c.properties.get('cdp_account_id')).sort()).toEqual(['a0000', 'a0001']);
    expect(associations()).toEqual({ 'person0@example.com': ['a0000'], 'person1@example.com': ['a0000'], 'person2@example.com': ['a0001'], 'person3@example.com': [] });
  });

  it('diffs the contacts once when the companies sync only updates companies: their records, so the associations, stay', async () => {
    const dir = await writeProject({
      ...hubspotProjectFiles({ fields: { ...HUBSPOT_FIELDS, cdp_account_mrr: 'account.mrr' }, segments: `${HUBSPOT_SEGMENTS}\naccount: { sync: companies }\ndrift: true` }),
      'connectors/companies.yaml': HUBSPOT_COMPANIES,
      'models/accounts.yaml': ACCOUNTS_MODEL,
    });
    dirs.push(dir);
    await seed(dir, people(4));
    await seedAccounts(dir, { accounts: ROWS, members: MEMBERS });
    await syncWithAccounts(dir, hubspotEnv(sandbox));
    // Each drift check of the contacts sync lists archived contacts once (and searches recently modified ones).
    const driftChecks = () => sandbox.stats.requests['GET /crm/v3/objects/contacts'] ?? 0;

    // Only a0001's MRR changes: the companies sync updates one company, and the contacts sync (it checks drift once per
    // diff) diffs once and sends person2's new account MRR.
    await seedAccounts(dir, { accounts: accounts(2, (i) => (i === 1 ? { mrr: 250 } : {})), members: MEMBERS });
    sandbox.resetStats();
    const updated = await syncWithAccounts(dir, hubspotEnv(sandbox));
    expect(updated.syncs.map((s) => [s.sync, s.diff.records])).toEqual([
      ['companies', 1],
      ['contacts', 1],
    ]);
    expect(driftChecks()).toBe(1);
    expect(sandbox.store.allRecords(CONTACTS).find((c) => c.properties.get('email') === 'person2@example.com')?.properties.get('cdp_account_mrr')).toBe('250');
    expect(associations()).toEqual({ 'person0@example.com': ['a0000'], 'person1@example.com': ['a0000'], 'person2@example.com': ['a0001'], 'person3@example.com': [] });

    // A new company is created in the same run: the contacts sync diffs again and associates its member.
    await seedAccounts(dir, { accounts: accounts(3), members: [...MEMBERS, ['p00003', 'a0002']] });
    sandbox.resetStats();
    await syncWithAccounts(dir, hubspotEnv(sandbox));
    expect(driftChecks()).toBe(2);
    expect(associations()['person3@example.com']).toEqual(['a0002']);
  });

  it('cdp validate points at an account trait mapped without accounts: in the project', async () => {
    const dir = await project(false);
    const res = await cdp(dir, ['validate', '--json'], hubspotEnv(sandbox));
    expect(res.code).toBe(2);
    const out = JSON.parse(res.stdout) as { diagnostics: { code: string; file: string; line: number }[] };
    const contactsFile = (await import('node:fs/promises')).readFile(`${dir}/connectors/contacts.yaml`, 'utf8');
    const line = (await contactsFile).split('\n').findIndex((l) => l.includes('account.mrr')) + 1;
    expect(out.diagnostics).toContainEqual(expect.objectContaining({ code: 'account-without-membership', file: 'connectors/contacts.yaml', line }));
  });
});

describe('Contact.Account set by external id on Salesforce', () => {
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

  it('sets AccountId in the contact upsert, only when it changes', async () => {
    const dir = await writeProject({
      ...salesforceProjectFiles({ fields: SALESFORCE_FIELDS, segments: `${SALESFORCE_SEGMENTS}\naccount: { sync: accounts }` }),
      'connectors/accounts.yaml': SALESFORCE_ACCOUNTS,
      'models/accounts.yaml': ACCOUNTS_MODEL,
    });
    dirs.push(dir);
    await seed(dir, people(4));
    await seedAccounts(dir, { accounts: ROWS, members: MEMBERS });
    const first = await syncWithAccounts(dir, salesforceEnv(sandbox));
    expect(first.syncs.map((s) => [s.sync, s.rejected])).toEqual([
      ['accounts', 0],
      ['contacts', 0],
    ]);
    const accountKey = () => new Map(sandbox.store.list('Account').map((a) => [a.id, String(a.values.CDP_Account_Id__c)]));
    const accountOf = () => {
      const keys = accountKey();
      return Object.fromEntries(sandbox.store.list('Contact').map((c) => [String(c.values.Email), c.values.AccountId === null || c.values.AccountId === undefined ? null : keys.get(String(c.values.AccountId))]));
    };
    expect(accountOf()).toEqual({ 'person0@example.com': 'a0000', 'person1@example.com': 'a0000', 'person2@example.com': 'a0001', 'person3@example.com': null });

    sandbox.resetStats();
    await syncWithAccounts(dir, salesforceEnv(sandbox));
    expect(salesforceWrites(sandbox)).toEqual({});

    await seedAccounts(dir, { accounts: ROWS, members: [['p00000', 'a0000'], ['p00001', 'a0001']] });
    const moved = await syncWithAccounts(dir, salesforceEnv(sandbox));
    expect(moved.syncs.find((s) => s.sync === 'contacts')?.diff.field_updates).toMatchObject({ '@account': 2 });
    expect(accountOf()).toEqual({ 'person0@example.com': 'a0000', 'person1@example.com': 'a0001', 'person2@example.com': null, 'person3@example.com': null });
  });

  it('sets, moves and clears AccountId through Bulk API 2.0 (Account.CDP_Account_Id__c column)', async () => {
    const dir = await writeProject({
      ...salesforceProjectFiles({ fields: SALESFORCE_FIELDS, segments: `${SALESFORCE_SEGMENTS}\naccount: { sync: accounts }`, bulkThreshold: 100 }),
      'connectors/accounts.yaml': SALESFORCE_ACCOUNTS,
      'models/accounts.yaml': ACCOUNTS_MODEL,
    });
    dirs.push(dir);
    const persons = people(250);
    // Person i works at a000(i % 2); the last has no account. Then everyone moves, and person 0 leaves.
    const before = persons.slice(0, 249).map((p, i): [string, string] => [p.profile_id, `a000${i % 2}`]);
    const after = before.slice(1).map(([id, account]): [string, string] => [id, account === 'a0000' ? 'a0001' : 'a0000']);
    await seed(dir, persons);
    await seedAccounts(dir, { accounts: ROWS, members: before });
    const first = await syncWithAccounts(dir, salesforceEnv(sandbox));
    expect(first.syncs.map((s) => [s.sync, s.rejected])).toEqual([
      ['accounts', 0],
      ['contacts', 0],
    ]);
    expect(Object.keys(salesforceWrites(sandbox)).some((k) => k.includes('/jobs/ingest'))).toBe(true);
    const keys = new Map(sandbox.store.list('Account').map((a) => [a.id, String(a.values.CDP_Account_Id__c)]));
    const accountOf = () => new Map(sandbox.store.list('Contact').map((c) => [String(c.values.Email), c.values.AccountId ? (keys.get(String(c.values.AccountId)) ?? null) : null]));
    const expected = (members: readonly (readonly [string, string])[]) =>
      new Map(persons.map((p) => [p.email ?? '', members.find(([id]) => id === p.profile_id)?.[1] ?? null]));
    expect(accountOf()).toEqual(expected(before));

    // 249 changes: Bulk again; person 0 is cleared with #N/A in the AccountId column.
    await seedAccounts(dir, { accounts: ROWS, members: after });
    sandbox.resetStats();
    const moved = await syncWithAccounts(dir, salesforceEnv(sandbox));
    expect(moved.syncs.find((s) => s.sync === 'contacts')?.diff.field_updates).toMatchObject({ '@account': 249 });
    expect(Object.keys(salesforceWrites(sandbox)).some((k) => k.includes('/jobs/ingest'))).toBe(true);
    const now = accountOf();
    expect(now).toEqual(expected(after));
    expect([now.get('person0@example.com'), now.get('person1@example.com'), now.get('person2@example.com')]).toEqual([null, 'a0000', 'a0001']);
  });
});
