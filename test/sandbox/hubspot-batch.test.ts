import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONTACTS } from '@cdp-oss/crm-sandbox';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { apiError, contact, propertyIssues, raw, sdk, startSandbox, UUID } from './hubspot-sandbox-helpers.js';

let sandbox: HubSpotSandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

describe('batch upsert', () => {
  it('creates, then updates the same records, flagging `new`', async () => {
    const first = await sdk(sandbox).crm.contacts.batchApi.upsert({ inputs: [contact('Ada@Example.com', { firstname: 'Ada' }), contact('bob@example.com')] });
    expect(first.status).toBe('COMPLETE');
    expect(first.results.map((r) => r._new)).toEqual([true, true]);
    const ada = first.results[0];
    expect(ada.properties).toMatchObject({ email: 'ada@example.com', firstname: 'Ada', hs_object_id: ada.id });
    expect(first.startedAt).toBeInstanceOf(Date);
    expect(first.completedAt).toBeInstanceOf(Date);

    const second = await sdk(sandbox).crm.contacts.batchApi.upsert({ inputs: [contact('ada@example.com', { lastname: 'Lovelace' })] });
    expect(second.results).toHaveLength(1);
    expect(second.results[0]._new).toBe(false);
    expect(second.results[0].id).toBe(ada.id);
    expect(sandbox.store.allRecords(CONTACTS)).toHaveLength(2);
    expect(Object.fromEntries(sandbox.store.findByProperty(CONTACTS, 'email', 'ada@example.com')?.properties ?? [])).toMatchObject({ firstname: 'Ada', lastname: 'Lovelace' });
  });

  it('puts `new` on the wire and answers 200 (never 201) even when all are created', async () => {
    const res = await raw(sandbox, 'POST', '/crm/v3/objects/contacts/batch/upsert', { inputs: [contact('c@example.com')] });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'COMPLETE', results: [{ new: true, properties: { email: 'c@example.com' } }] });
  });

  it('rejects the same id twice with 400 and the exact body', async () => {
    const err = await apiError(sdk(sandbox).crm.contacts.batchApi.upsert({ inputs: [contact('x@example.com'), contact('X@example.com')] }));
    expect(err.code).toBe(400);
    expect(err.body).toEqual({
      status: 'error',
      message: 'Duplicate IDs found in batch input: [x@example.com]. IDs must be unique',
      correlationId: expect.stringMatching(UUID),
      context: { ids: ['x@example.com'] },
      category: 'VALIDATION_ERROR',
    });
    expect(sandbox.store.allRecords(CONTACTS)).toHaveLength(0);
  });

  it('rejects duplicate ids in batch update and read too', async () => {
    const update = await apiError(sdk(sandbox).crm.contacts.batchApi.update({ inputs: [{ id: '12877907025', properties: {} }, { id: '12877907025', properties: {} }] }));
    expect(update.code).toBe(400);
    expect(update.body.message).toBe('Duplicate IDs found in batch input: [12877907025]. IDs must be unique');
    expect(update.body.context).toEqual({ ids: ['12877907025'] });
    const read = await apiError(sdk(sandbox).crm.contacts.batchApi.read({ inputs: [{ id: '7' }, { id: '7' }], properties: [], propertiesWithHistory: [] }));
    expect(read.code).toBe(400);
    expect(read.body.category).toBe('VALIDATION_ERROR');
  });

  it('upserts only by email or a custom unique property', async () => {
    const err = await apiError(sdk(sandbox).crm.contacts.batchApi.upsert({ inputs: [{ idProperty: 'firstname', id: 'Ada', properties: {} }] }));
    expect(err.code).toBe(400);
    expect(err.body).toMatchObject({ category: 'VALIDATION_ERROR', message: `Unable to perform update/upsert by non-unique 0-1 property firstname in portal ID ${sandbox.portalId}` });
    const company = await apiError(sdk(sandbox).crm.companies.batchApi.upsert({ inputs: [{ idProperty: 'domain', id: 'example.com', properties: {} }] }));
    expect(company.body.message).toBe(`Unable to perform update/upsert by non-unique 0-2 property domain in portal ID ${sandbox.portalId}`);

    await raw(sandbox, 'POST', '/crm/v3/properties/contacts', { name: 'cdp_id', label: 'cdp id', type: 'string', fieldType: 'text', groupName: 'contactinformation', hasUniqueValue: true });
    const created = await sdk(sandbox).crm.contacts.batchApi.upsert({ inputs: [{ idProperty: 'cdp_id', id: 'p-1', properties: { firstname: 'Ada' } }] });
    expect(created.results[0]._new).toBe(true);
    expect(created.results[0].properties.cdp_id).toBe('p-1');
    const again = await sdk(sandbox).crm.contacts.batchApi.upsert({ inputs: [{ idProperty: 'cdp_id', id: 'p-1', properties: { lastname: 'L' } }] });
    expect(again.results[0]).toMatchObject({ id: created.results[0].id, _new: false });
  });
});

describe('batch create', () => {
  it('answers 201 and refuses more than 100 inputs with 400', async () => {
    const ok = await raw(sandbox, 'POST', '/crm/v3/objects/contacts/batch/create', { inputs: [{ properties: { email: 'a@example.com' } }] });
    expect(ok.status).toBe(201);
    const inputs = Array.from({ length: 101 }, (_, i) => ({ properties: { email: `u${i}@example.com` }, associations: [] }));
    const err = await apiError(sdk(sandbox).crm.contacts.batchApi.create({ inputs }));
    expect(err.code).toBe(400);
    expect(err.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    expect(String(err.body.message)).toContain('100');
    expect(sandbox.store.allRecords(CONTACTS)).toHaveLength(1);
    expect(sandbox.stats.batchInputs['POST /crm/v3/objects/contacts/batch/create']).toEqual([1, 101]);
  });

  it('fails the whole batch on one invalid input when inputs carry no trace ids', async () => {
    const err = await apiError(
      sdk(sandbox).crm.contacts.batchApi.create({ inputs: [{ properties: { email: 'good@example.com' }, associations: [] }, { properties: { email: 'not-an-email', nope: 'x' }, associations: [] }] }),
    );
    expect(err.code).toBe(400);
    expect(err.body.category).toBe('VALIDATION_ERROR');
    const issues = propertyIssues(err.body.message);
    expect(issues).toEqual([
      expect.objectContaining({ isValid: false, error: 'INVALID_EMAIL', name: 'email', message: 'Email address not-an-email is invalid' }),
      expect.objectContaining({ isValid: false, error: 'PROPERTY_DOESNT_EXIST', name: 'nope', message: 'Property "nope" does not exist' }),
    ]);
    expect(sandbox.store.allRecords(CONTACTS)).toHaveLength(0);
  });

  it('answers 207 per record when every input has its own objectWriteTraceId', async () => {
    const result = await sdk(sandbox).crm.contacts.batchApi.create({
      inputs: [
        { properties: { email: 'one@example.com' }, associations: [], objectWriteTraceId: 't1' },
        { properties: { email: 'bad' }, associations: [], objectWriteTraceId: 't2' },
        { properties: { email: 'three@example.com' }, associations: [], objectWriteTraceId: 't3' },
      ],
    });
    expect('numErrors' in result && result.numErrors).toBe(1);
    expect(result.results.map((r) => r.properties.email)).toEqual(['one@example.com', 'three@example.com']);
    const errors = 'errors' in result ? result.errors : [];
    expect(errors?.[0]).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR', context: { objectWriteTraceId: ['t2'] } });
    expect(sandbox.store.allRecords(CONTACTS)).toHaveLength(2);
  });

  it('answers 409 CONFLICT for an existing email, naming the existing id', async () => {
    const existing = sandbox.store.createRecord(CONTACTS, { email: 'taken@example.com' });
    const err = await apiError(sdk(sandbox).crm.contacts.batchApi.create({ inputs: [{ properties: { email: 'new@example.com' }, associations: [] }, { properties: { email: 'TAKEN@example.com' }, associations: [] }] }));
    expect(err.code).toBe(409);
    expect(err.body).toEqual({ status: 'error', message: `Contact already exists. Existing ID: ${existing.id}`, correlationId: expect.stringMatching(UUID), category: 'CONFLICT' });
    expect(sandbox.store.allRecords(CONTACTS)).toHaveLength(1);
  });

  it('refuses read-only properties', async () => {
    const err = await apiError(sdk(sandbox).crm.contacts.basicApi.create({ properties: { email: 'a@example.com', hs_object_id: '5' }, associations: [] }));
    expect(err.code).toBe(400);
    expect(propertyIssues(err.body.message)[0]).toMatchObject({ name: 'hs_object_id', error: 'READ_ONLY_VALUE' });
  });
});

describe('batch update, read and archive', () => {
  it('updates known ids, reports unknown ones in a 207, and "" clears a value', async () => {
    const ada = sandbox.store.createRecord(CONTACTS, { email: 'ada@example.com', firstname: 'Ada', lastname: 'L' });
    const result = await sdk(sandbox).crm.contacts.batchApi.update({ inputs: [{ id: ada.id, properties: { firstname: '' } }, { id: '999999', properties: { firstname: 'X' } }] });
    expect(result.results.map((r) => r.id)).toEqual([ada.id]);
    expect('errors' in result ? result.errors : []).toEqual([
      expect.objectContaining({ category: 'OBJECT_NOT_FOUND', context: { ids: ['999999'] } }),
    ]);
    const read = await sdk(sandbox).crm.contacts.basicApi.getById(ada.id, ['firstname', 'lastname']);
    expect(read.properties).toEqual({ firstname: null, lastname: 'L' });
  });

  it('reads by id or email and answers 207 OBJECT_NOT_FOUND for unknown ids', async () => {
    const ada = sandbox.store.createRecord(CONTACTS, { email: 'ada@example.com', firstname: 'Ada' });
    const byEmail = await sdk(sandbox).crm.contacts.batchApi.read({ idProperty: 'email', inputs: [{ id: 'ada@example.com' }, { id: 'a@b.com' }], properties: ['firstname'], propertiesWithHistory: [] });
    expect(byEmail.results).toHaveLength(1);
    expect(byEmail.results[0]).toMatchObject({ id: ada.id, properties: { firstname: 'Ada' } });
    expect('numErrors' in byEmail && byEmail.numErrors).toBe(1);
    expect('errors' in byEmail ? byEmail.errors?.[0] : undefined).toMatchObject({
      status: 'error',
      category: 'OBJECT_NOT_FOUND',
      message: 'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.',
      context: { ids: ['a@b.com'] },
    });
    const res = await raw(sandbox, 'POST', '/crm/v3/objects/contacts/batch/read', { inputs: [{ id: ada.id }] });
    expect(res.status).toBe(200);
  });

  it('archives with 204, also for unknown ids, and archived records drop out of reads', async () => {
    const ada = sandbox.store.createRecord(CONTACTS, { email: 'ada@example.com' });
    const res = await raw(sandbox, 'POST', '/crm/v3/objects/contacts/batch/archive', { inputs: [{ id: ada.id }, { id: '424242' }] });
    expect(res.status).toBe(204);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const err = await apiError(sdk(sandbox).crm.contacts.basicApi.getById(ada.id));
    expect(err.code).toBe(404);
    const single = await raw(sandbox, 'DELETE', '/crm/v3/objects/contacts/31337');
    expect(single.status).toBe(204);
  });
});
