import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import { PropertyCreateFieldTypeEnum, PropertyCreateTypeEnum } from '@hubspot/api-client/lib/codegen/crm/properties/index.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONTACTS } from '@cdp-oss/crm-sandbox';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { apiError, propertyIssues, raw, sdk, startSandbox, UUID } from './hubspot-sandbox-helpers.js';

let sandbox: HubSpotSandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const tier = {
  name: 'cdp_tier',
  label: 'Tier',
  type: PropertyCreateTypeEnum.Enumeration,
  fieldType: PropertyCreateFieldTypeEnum.Select,
  groupName: 'contactinformation',
  options: [
    { label: 'Gold', value: 'gold', displayOrder: 0, hidden: false },
    { label: 'Silver', value: 'silver', displayOrder: 1, hidden: false },
  ],
};

describe('properties', () => {
  it('creates with 201 and refuses a duplicate name with 409 OBJECT_ALREADY_EXISTS', async () => {
    const created = await sdk(sandbox).crm.properties.coreApi.create('contacts', tier);
    expect(created).toMatchObject({ name: 'cdp_tier', type: 'enumeration', fieldType: 'select', hasUniqueValue: false, archived: false });
    expect(created.createdAt).toBeInstanceOf(Date);
    const rawCreate = await raw(sandbox, 'POST', '/crm/v3/properties/contacts', { ...tier, name: 'cdp_other' });
    expect(rawCreate.status).toBe(201);
    const dup = await apiError(sdk(sandbox).crm.properties.coreApi.create('contacts', tier));
    expect(dup.code).toBe(409);
    expect(dup.body).toMatchObject({ status: 'error', category: 'OBJECT_ALREADY_EXISTS', correlationId: expect.stringMatching(UUID) });
  });

  it('lists built-in and custom properties, 404s an unknown name, archives with 204', async () => {
    await sdk(sandbox).crm.properties.coreApi.create('contacts', tier);
    const all = await sdk(sandbox).crm.properties.coreApi.getAll('contacts');
    const names = all.results.map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['email', 'firstname', 'lastname', 'hs_object_id', 'createdate', 'lastmodifieddate', 'cdp_tier']));
    expect((await apiError(sdk(sandbox).crm.properties.coreApi.getByName('contacts', 'nope'))).code).toBe(404);
    expect((await raw(sandbox, 'DELETE', '/crm/v3/properties/contacts/cdp_tier')).status).toBe(204);
    expect((await apiError(sdk(sandbox).crm.properties.coreApi.getByName('contacts', 'cdp_tier'))).code).toBe(404);
    const write = await apiError(sdk(sandbox).crm.contacts.basicApi.create({ properties: { cdp_tier: 'gold' }, associations: [] }));
    expect(propertyIssues(write.body.message)[0]).toMatchObject({ error: 'PROPERTY_DOESNT_EXIST', name: 'cdp_tier' });
  });

  it('checks type/fieldType pairs and groups; creates and updates groups', async () => {
    const bad = await raw(sandbox, 'POST', '/crm/v3/properties/contacts', { name: 'cdp_flag', label: 'Flag', type: 'bool', fieldType: 'text', groupName: 'contactinformation' });
    expect(bad.status).toBe(400);
    const noGroup = await raw(sandbox, 'POST', '/crm/v3/properties/contacts', { name: 'cdp_flag', label: 'Flag', type: 'bool', fieldType: 'booleancheckbox', groupName: 'cdp' });
    expect(noGroup.status).toBe(400);
    const group = await sdk(sandbox).crm.properties.groupsApi.create('contacts', { name: 'cdp', label: 'cdp', displayOrder: 1 });
    expect(group).toMatchObject({ name: 'cdp', label: 'cdp', archived: false });
    const flag = await raw(sandbox, 'POST', '/crm/v3/properties/contacts', { name: 'cdp_flag', label: 'Flag', type: 'bool', fieldType: 'booleancheckbox', groupName: 'cdp' });
    expect(flag.status).toBe(201);
    const renamed = await sdk(sandbox).crm.properties.coreApi.update('contacts', 'cdp_flag', { label: 'CDP flag' });
    expect(renamed.label).toBe('CDP flag');
  });

  it('validates enumeration, bool, number, date and datetime values and normalises them', async () => {
    await sdk(sandbox).crm.properties.coreApi.create('contacts', tier);
    for (const p of [
      { name: 'cdp_ltv', type: 'number', fieldType: 'number' },
      { name: 'cdp_vip', type: 'bool', fieldType: 'booleancheckbox' },
      { name: 'cdp_since', type: 'date', fieldType: 'date' },
      { name: 'cdp_seen', type: 'datetime', fieldType: 'date' },
    ]) {
      expect((await raw(sandbox, 'POST', '/crm/v3/properties/contacts', { ...p, label: p.name, groupName: 'contactinformation' })).status).toBe(201);
    }
    const err = await apiError(
      sdk(sandbox).crm.contacts.basicApi.create({
        properties: { cdp_tier: 'bronze', cdp_vip: 'maybe', cdp_ltv: 'lots', cdp_since: '1700000000001', cdp_seen: 'yesterday' },
        associations: [],
      }),
    );
    expect(propertyIssues(err.body.message).map((i) => [i.name, i.error])).toEqual([
      ['cdp_tier', 'INVALID_OPTION'],
      ['cdp_vip', 'INVALID_OPTION'],
      ['cdp_ltv', 'INVALID_NUMBER'],
      ['cdp_since', 'INVALID_DATE'],
      ['cdp_seen', 'INVALID_DATETIME'],
    ]);
    const ok = await raw(sandbox, 'POST', '/crm/v3/objects/contacts', {
      properties: { cdp_tier: 'gold', cdp_vip: true, cdp_ltv: 12.5, cdp_since: String(Date.UTC(2024, 1, 29)), cdp_seen: '1700000000000' },
    });
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ properties: { cdp_tier: 'gold', cdp_vip: 'true', cdp_ltv: '12.5', cdp_since: '2024-02-29', cdp_seen: '2023-11-14T22:13:20.000Z' } });
  });
});

describe('search', () => {
  const seed = (): void => {
    for (let i = 1; i <= 12; i++) {
      sandbox.store.createRecord(CONTACTS, { email: `user${i}@example.com`, firstname: i % 2 === 0 ? 'Even' : 'Odd', ...(i <= 3 ? { phone: `555-000${i}` } : {}) });
    }
  };

  it('filters with EQ (case-insensitive), IN, HAS_PROPERTY and NOT_HAS_PROPERTY; groups are ORed', async () => {
    seed();
    const search = (filterGroups: { filters: { propertyName: string; operator: FilterOperatorEnum; value?: string; values?: string[] }[] }[]) =>
      sdk(sandbox).crm.contacts.searchApi.doSearch({ filterGroups, properties: ['email'], limit: 100, after: '0', sorts: [] });
    const eq = await search([{ filters: [{ propertyName: 'email', operator: FilterOperatorEnum.Eq, value: 'USER7@example.com' }] }]);
    expect(eq.results.map((r) => r.properties.email)).toEqual(['user7@example.com']);
    const inOp = await search([{ filters: [{ propertyName: 'email', operator: FilterOperatorEnum.In, values: ['user1@example.com', 'user2@example.com', 'none@example.com'] }] }]);
    expect(inOp.total).toBe(2);
    const has = await search([{ filters: [{ propertyName: 'phone', operator: FilterOperatorEnum.HasProperty }] }]);
    expect(has.total).toBe(3);
    const hasNot = await search([{ filters: [{ propertyName: 'phone', operator: FilterOperatorEnum.NotHasProperty }, { propertyName: 'firstname', operator: FilterOperatorEnum.Eq, value: 'odd' }] }]);
    expect(hasNot.results.map((r) => r.properties.email)).toEqual(['user5@example.com', 'user7@example.com', 'user9@example.com', 'user11@example.com']);
    const ored = await search([
      { filters: [{ propertyName: 'email', operator: FilterOperatorEnum.Eq, value: 'user1@example.com' }] },
      { filters: [{ propertyName: 'email', operator: FilterOperatorEnum.Eq, value: 'user12@example.com' }] },
    ]);
    expect(ored.total).toBe(2);
  });

  it('compares ids numerically, pages with `after`, and refuses limit > 200', async () => {
    seed();
    const page1 = await sdk(sandbox).crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: FilterOperatorEnum.Gt, value: '105' }] }],
      properties: [],
      limit: 5,
      after: '0',
      sorts: ['hs_object_id'],
    });
    expect(page1.total).toBe(7);
    expect(page1.results.map((r) => r.id)).toEqual(['106', '107', '108', '109', '110']);
    expect(Object.keys(page1.results[0].properties).sort()).toEqual(['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname']);
    expect(page1.paging?.next?.after).toBe('5');
    const page2 = await sdk(sandbox).crm.contacts.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: FilterOperatorEnum.Gt, value: '105' }] }], properties: [], limit: 5, after: '5', sorts: ['hs_object_id'] });
    expect(page2.results.map((r) => r.id)).toEqual(['111', '112']);
    expect(page2.paging).toBeUndefined();
    const tooMany = await apiError(sdk(sandbox).crm.contacts.searchApi.doSearch({ filterGroups: [], properties: [], limit: 201, after: '0', sorts: [] }));
    expect(tooMany.code).toBe(400);
    expect(tooMany.body.category).toBe('VALIDATION_ERROR');
  });

  it('answers a search on the modified date from the records modified since, exactly as a scan of every record', async () => {
    const store = sandbox.store;
    const contacts = Array.from({ length: 300 }, (_, i) => store.createRecord(CONTACTS, { email: `m${i}@example.com`, firstname: 'A' }));
    const marks = [0];
    // Six rounds of writes: every live contact updated, two archived, two merged into a new record. 2,100 writes of the
    // modified date against 300 records, so the sandbox's log of them is also made again from the records' dates.
    for (let round = 0; round < 6; round++) {
      await new Promise((resolve) => setTimeout(resolve, 3));
      marks.push(Date.now());
      for (const r of store.allRecords(CONTACTS)) store.updateRecord(r, new Map([['firstname', `R${round}`]]));
      for (const r of contacts.slice(round * 4, round * 4 + 2)) store.archiveRecord(CONTACTS, r.id);
      store.mergeRecords(CONTACTS, contacts[round * 4 + 2].id, contacts[round * 4 + 3].id);
    }
    await new Promise((resolve) => setTimeout(resolve, 3));
    marks.push(Date.now());
    store.updateRecord(contacts[299], new Map([['firstname', 'Last']]));
    const modifiedSince = vi.spyOn(store, 'modifiedSince');
    const all = async (filterGroups: unknown[], sorts: string[]) => {
      const ids: string[] = [];
      for (let after = 0; ; after += 200) {
        const page = await sdk(sandbox).crm.contacts.searchApi.doSearch({ filterGroups: filterGroups as never, properties: ['firstname'], limit: 200, after: String(after), sorts });
        ids.push(...page.results.map((r) => `${r.id}:${r.properties.firstname}`));
        if (!page.paging?.next) return { total: page.total, ids };
      }
    };
    for (const mark of marks) {
      const since = { filters: [{ propertyName: 'lastmodifieddate', operator: FilterOperatorEnum.Gte, value: String(mark) }] };
      // A second group without a lower bound on the date makes the sandbox scan every record; it matches nothing.
      const nothing = { filters: [{ propertyName: 'email', operator: FilterOperatorEnum.Eq, value: 'nobody@example.org' }] };
      for (const sorts of [['lastmodifieddate'], []]) {
        const indexed = await all([since], sorts);
        expect(indexed, `since ${mark}`).toEqual(await all([since, nothing], sorts));
        expect(indexed.total).toBeGreaterThan(0);
      }
    }
    // The searches did start from the modified records; the last one, from a few.
    expect(modifiedSince).toHaveBeenCalled();
    expect(modifiedSince.mock.results.at(-1)?.value).toHaveLength(1);
    expect((await all([{ filters: [{ propertyName: 'lastmodifieddate', operator: FilterOperatorEnum.Gte, value: String(marks.at(-1)) }] }], [])).ids).toEqual([`${contacts[299].id}:Last`]);
  });

  it('enforces the per-second search limit with the message the SDK retries on', async () => {
    const limited = await startSandbox({ searchPerSecond: 2 });
    try {
      const body = { filterGroups: [], properties: [], limit: 1, after: '0', sorts: [] };
      await sdk(limited).crm.contacts.searchApi.doSearch(body);
      await sdk(limited).crm.contacts.searchApi.doSearch(body);
      const err = await apiError(sdk(limited).crm.contacts.searchApi.doSearch(body));
      expect(err.code).toBe(429);
      expect(err.body).toMatchObject({ status: 'error', message: 'You have reached your secondly limit.', policyName: 'SECONDLY' });
      expect(err.headers['content-type']).toMatch(/^application\/json/);
      // Non-search requests are not held back by the search limit.
      expect((await raw(limited, 'GET', '/crm/v3/objects/contacts')).status).toBe(200);
      // With retries, the SDK waits 1 s after this message and then succeeds.
      const retried = await sdk(limited, 2).crm.contacts.searchApi.doSearch(body);
      expect(retried.total).toBe(0);
      expect(limited.stats.rateLimitedByPolicy.SECONDLY).toBeGreaterThanOrEqual(2);
    } finally {
      await limited.close();
    }
  });
});
