import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/associations/v4/index.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { COMPANIES, CONTACTS } from '@cdp-oss/crm-sandbox';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { apiError, raw, sdk, startSandbox } from './hubspot-sandbox-helpers.js';

let sandbox: HubSpotSandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

async function uniqueCompanyProperty(name = 'cdp_account_id'): Promise<void> {
  await sdk(sandbox).crm.properties.coreApi.create('companies', { name, label: 'CDP Account ID', type: 'string' as never, fieldType: 'text' as never, groupName: 'companyinformation', hasUniqueValue: true });
}

const company = (id: string, properties: Record<string, string> = {}) => ({ idProperty: 'cdp_account_id', id, properties: { cdp_account_id: id, ...properties } });

describe('companies: upsert by a unique property', () => {
  it('creates, then updates the same company by cdp_account_id', async () => {
    await uniqueCompanyProperty();
    const client = sdk(sandbox);
    const first = await client.crm.companies.batchApi.upsert({ inputs: [company('a1', { name: 'Acme', domain: 'acme.com' }), company('a2', { name: 'Globex' })] });
    expect(first.results.map((r) => r.properties.cdp_account_id).sort()).toEqual(['a1', 'a2']);
    await client.crm.companies.batchApi.upsert({ inputs: [company('a1', { name: 'Acme Inc' })] });
    const all = sandbox.store.allRecords(COMPANIES).map((r) => [r.properties.get('cdp_account_id'), r.properties.get('name'), r.properties.get('domain')]);
    expect(all).toEqual([
      ['a1', 'Acme Inc', 'acme.com'],
      ['a2', 'Globex', undefined],
    ]);
  });

  it('refuses idProperty domain with 400 VALIDATION_ERROR (domain is not unique in HubSpot)', async () => {
    const err = await apiError(sdk(sandbox).crm.companies.batchApi.upsert({ inputs: [{ idProperty: 'domain', id: 'acme.com', properties: { name: 'Acme' } }] }));
    expect(err.code).toBe(400);
    expect(err.body).toMatchObject({ category: 'VALIDATION_ERROR' });
    expect(sandbox.store.allRecords(COMPANIES)).toHaveLength(0);
  });

  it('refuses a second company holding a unique value already taken', async () => {
    await uniqueCompanyProperty();
    const client = sdk(sandbox);
    await client.crm.companies.basicApi.create({ properties: { name: 'Acme', cdp_account_id: 'a1' }, associations: [] });
    const err = await apiError(client.crm.companies.basicApi.create({ properties: { name: 'Copy', cdp_account_id: 'a1' }, associations: [] }));
    expect(err.code).toBe(409);
    expect(sandbox.store.allRecords(COMPANIES)).toHaveLength(1);
  });

  it('takes a company list (objectTypeId 0-2) and its memberships', async () => {
    const ids = [sandbox.store.createRecord(COMPANIES, { name: 'A' }).id, sandbox.store.createRecord(COMPANIES, { name: 'B' }).id];
    const client = sdk(sandbox);
    const created = await client.crm.lists.listsApi.create({ name: 'CDP: hot accounts', objectTypeId: '0-2', processingType: 'MANUAL' });
    const added = await client.crm.lists.membershipsApi.add(created.list.listId, ids);
    expect([...added.recordsIdsAdded].sort()).toEqual([...ids].sort());
    const page = await raw(sandbox, 'GET', `/crm/v3/lists/${created.list.listId}/memberships`);
    expect((page.json as { results: { recordId: string }[] }).results.map((r) => r.recordId).sort()).toEqual([...ids].sort());
  });
});

describe('associations v4: contacts -> companies', () => {
  const spec = [{ associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined, associationTypeId: 279 }];

  it('creates (201), reads from both sides (279 / 280) and archives (204)', async () => {
    const c1 = sandbox.store.createRecord(CONTACTS, { email: 'a@acme.com' }).id;
    const c2 = sandbox.store.createRecord(CONTACTS, { email: 'b@acme.com' }).id;
    const acme = sandbox.store.createRecord(COMPANIES, { name: 'Acme' }).id;
    const globex = sandbox.store.createRecord(COMPANIES, { name: 'Globex' }).id;
    const client = sdk(sandbox);
    const created = await client.crm.associations.v4.batchApi.create('contacts', 'companies', {
      inputs: [
        { _from: { id: c1 }, to: { id: acme }, types: spec },
        { _from: { id: c2 }, to: { id: acme }, types: spec },
      ],
    });
    expect(created.results.map((r) => [String(r.fromObjectId), String(r.toObjectId)])).toEqual([
      [c1, acme],
      [c2, acme],
    ]);
    const fromContacts = await client.crm.associations.v4.batchApi.getPage('contacts', 'companies', { inputs: [{ id: c1 }, { id: c2 }] });
    expect(fromContacts.results.map((r) => [r._from.id, r.to.map((t) => [String(t.toObjectId), t.associationTypes.map((a) => a.typeId)])])).toEqual([
      [c1, [[acme, [279]]]],
      [c2, [[acme, [279]]]],
    ]);
    const fromCompany = await client.crm.associations.v4.batchApi.getPage('companies', 'contacts', { inputs: [{ id: acme }] });
    expect(fromCompany.results[0]?.to.map((t) => [String(t.toObjectId), t.associationTypes.map((a) => a.typeId)])).toEqual([
      [c1, [280]],
      [c2, [280]],
    ]);

    // A person moving company: archive the old association, create the new one.
    await client.crm.associations.v4.batchApi.archive('contacts', 'companies', { inputs: [{ _from: { id: c2 }, to: [{ id: acme }] }] });
    await client.crm.associations.v4.batchApi.create('contacts', 'companies', { inputs: [{ _from: { id: c2 }, to: { id: globex }, types: spec }] });
    const after = await client.crm.associations.v4.batchApi.getPage('contacts', 'companies', { inputs: [{ id: c1 }, { id: c2 }] });
    expect(after.results.map((r) => [r._from.id, r.to.map((t) => String(t.toObjectId))])).toEqual([
      [c1, [acme]],
      [c2, [globex]],
    ]);
    const archive = await raw(sandbox, 'POST', '/crm/v4/associations/contacts/companies/batch/archive', { inputs: [{ from: { id: c1 }, to: [{ id: acme }] }] });
    expect(archive.status).toBe(204);
  });

  it('answers 207 with OBJECT_NOT_FOUND for a record that does not exist, and applies the rest', async () => {
    const c1 = sandbox.store.createRecord(CONTACTS, { email: 'a@acme.com' }).id;
    const acme = sandbox.store.createRecord(COMPANIES, { name: 'Acme' }).id;
    const res = await raw(sandbox, 'POST', '/crm/v4/associations/contacts/companies/batch/create', {
      inputs: [
        { from: { id: c1 }, to: { id: acme }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }] },
        { from: { id: '999999' }, to: { id: acme }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }] },
      ],
    });
    expect(res.status).toBe(207);
    expect(res.json).toMatchObject({ numErrors: 1, errors: [{ category: 'OBJECT_NOT_FOUND', context: { ids: ['999999'] } }] });
    expect(sandbox.store.associations.read('0-1', c1, '0-2')).toEqual([{ toId: acme, typeIds: [279] }]);
  });

  it('lists the labels between contacts and companies, and refuses a type that is not one', async () => {
    const labels = await raw(sandbox, 'GET', '/crm/v4/associations/contacts/companies/labels');
    expect(labels.json).toEqual({ results: [{ category: 'HUBSPOT_DEFINED', typeId: 279, label: null }, { category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' }] });
    const c1 = sandbox.store.createRecord(CONTACTS, { email: 'a@acme.com' }).id;
    const acme = sandbox.store.createRecord(COMPANIES, { name: 'Acme' }).id;
    const bad = await raw(sandbox, 'POST', '/crm/v4/associations/contacts/companies/batch/create', { inputs: [{ from: { id: c1 }, to: { id: acme }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 280 }] }] });
    expect(bad.status).toBe(400);
  });

  it('drops the associations of an archived company', async () => {
    const c1 = sandbox.store.createRecord(CONTACTS, { email: 'a@acme.com' }).id;
    const acme = sandbox.store.createRecord(COMPANIES, { name: 'Acme' }).id;
    sandbox.store.associations.associate('0-1', c1, '0-2', acme, [279]);
    await sdk(sandbox).crm.companies.basicApi.archive(acme);
    expect(sandbox.store.associations.read('0-1', c1, '0-2')).toEqual([]);
  });
});
