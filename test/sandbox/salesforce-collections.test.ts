import type jsforce from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { asArray, asRecord, passwordConnection, rawRequest, rejection, startTestSandbox } from './salesforce-test-helpers.js';

let sandbox: SalesforceSandbox;
let conn: jsforce.Connection;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  conn = await passwordConnection(sandbox);
});
beforeEach(() => {
  sandbox.reset();
});
afterAll(async () => {
  await sandbox.close();
});

interface Result {
  readonly id?: string;
  readonly success: boolean;
  readonly created?: boolean;
  readonly errors: readonly { readonly statusCode: string; readonly message: string; readonly fields: readonly string[] }[];
}

/** The raw collection response (jsforce's typed results hide `statusCode`). */
async function collection(method: string, path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await rawRequest(sandbox, conn.accessToken ?? '', method, `/services/data/v62.0${path}`, body);
  return { status: res.status, json: await res.json() };
}

function results(value: unknown): readonly Result[] {
  return asArray(value).map((r) => asRecord(r) as unknown as Result);
}

const contact = (key: string, extra: Record<string, unknown> = {}) => ({ attributes: { type: 'Contact' }, Ext_Id__c: key, LastName: `Last ${key}`, ...extra });

describe('collection upsert', () => {
  it('creates and updates with a created flag, and reports per-record errors in input order', async () => {
    sandbox.seed('Contact', [{ LastName: 'Existing', Ext_Id__c: 'k2', Email: 'old@example.com' }]);
    const res = await conn.sobject('Contact').upsert(
      [
        { Ext_Id__c: 'k1', LastName: 'One', Email: 'one@example.com' },
        { Ext_Id__c: 'k2', Email: 'new@example.com' },
        { Ext_Id__c: 'k3', LastName: 'Three', Email: 'not-an-email' },
        { Ext_Id__c: 'k4', Email: 'four@example.com' },
      ],
      'Ext_Id__c',
    );
    expect(res.map((r) => r.success)).toEqual([true, true, false, false]);
    expect(res[0]).toMatchObject({ created: true });
    expect(res[1]).toMatchObject({ created: false });
    const k2 = await conn.query<{ Email: string; LastName: string }>("SELECT Email, LastName FROM Contact WHERE Ext_Id__c = 'k2'");
    expect(k2.records[0]).toMatchObject({ Email: 'new@example.com', LastName: 'Existing' });
    expect(res[2].success ? [] : res[2].errors).toEqual([expect.objectContaining({ statusCode: 'INVALID_EMAIL_ADDRESS' })]);
  });

  it('renders statusCode errors (INVALID_EMAIL_ADDRESS, REQUIRED_FIELD_MISSING) in the wire format', async () => {
    const { status, json } = await collection('PATCH', '/composite/sobjects/Contact/Ext_Id__c', {
      allOrNone: false,
      records: [contact('a', { Email: 'bad@' }), { attributes: { type: 'Contact' }, Ext_Id__c: 'b' }, contact('c')],
    });
    expect(status).toBe(200);
    const r = results(json);
    expect(r[0]).toEqual({ success: false, errors: [{ statusCode: 'INVALID_EMAIL_ADDRESS', message: 'Email: invalid email address: bad@', fields: ['Email'] }] });
    expect(r[1]).toEqual({ success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]', fields: ['LastName'] }] });
    expect(r[2]).toMatchObject({ success: true, created: true, errors: [] });
    expect(r[2].id).toMatch(/^003[A-Za-z0-9]{15}$/);
  });

  it('allOrNone: nothing is kept; the bad record keeps its error, the others are rolled back', async () => {
    const { json } = await collection('PATCH', '/composite/sobjects/Contact/Ext_Id__c', {
      allOrNone: true,
      records: [contact('x1'), contact('x2', { LastName: 'L'.repeat(81) }), contact('x3')],
    });
    const r = results(json);
    expect(r[0]).toEqual({ success: false, errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] }] });
    expect(r[1].errors[0]).toEqual({ statusCode: 'STRING_TOO_LONG', message: `Last Name: data value too large: ${'L'.repeat(81)} (max length=80)`, fields: ['LastName'] });
    expect(r[2].errors[0].statusCode).toBe('ALL_OR_NONE_OPERATION_ROLLED_BACK');
    expect(sandbox.store.count('Contact')).toBe(0);

    const viaJsforce = await conn.sobject('Contact').upsert([{ Ext_Id__c: 'y1', LastName: 'Y' }, { Ext_Id__c: 'y2' }], 'Ext_Id__c', { allOrNone: true });
    expect(viaJsforce.map((x) => x.success)).toEqual([false, false]);
    expect(sandbox.store.count('Contact')).toBe(0);
  });

  it('every row sharing a key in one request fails with DUPLICATE_VALUE; several existing matches → DUPLICATE_EXTERNAL_ID', async () => {
    const { json } = await collection('PATCH', '/composite/sobjects/Contact/Ext_Id__c', { allOrNone: false, records: [contact('dup'), contact('DUP'), contact('solo')] });
    const r = results(json);
    expect(r[0].errors[0]).toMatchObject({ statusCode: 'DUPLICATE_VALUE', message: 'Duplicate external id specified: dup' });
    expect(r[1].errors[0]).toMatchObject({ statusCode: 'DUPLICATE_VALUE', message: 'Duplicate external id specified: DUP' });
    expect(r[2].success).toBe(true);

    const [a, b] = sandbox.seed('Contact', [{ LastName: 'A', Email: 'same@example.com' }, { LastName: 'B', Email: 'same@example.com' }]);
    const byEmail = results((await collection('PATCH', '/composite/sobjects/Contact/Email', { records: [{ attributes: { type: 'Contact' }, Email: 'same@example.com', Title: 'x' }] })).json);
    expect(byEmail[0].errors[0]).toMatchObject({ statusCode: 'DUPLICATE_EXTERNAL_ID', message: `Email: more than one record found for external id field: [${a}, ${b}]` });
  });

  it('allows idLookup keys (Email) and rejects other fields as keys with 404 NOT_FOUND', async () => {
    const ok = await conn.sobject('Contact').upsert([{ Email: 'k@example.com', LastName: 'K' }], 'Email');
    expect(ok[0]).toMatchObject({ success: true, created: true });
    const error = await rejection(conn.sobject('Contact').upsert([{ LastName: 'K', Title: 'x' }], 'LastName'));
    expect(error.errorCode).toBe('NOT_FOUND');
    expect(error.message).toBe('Provided external ID field does not exist or is not accessible: LastName');
  });

  it('rejects more than 200 records with EXCEEDED_ID_LIMIT, and Id inside upsert records', async () => {
    const many = Array.from({ length: 201 }, (_, i) => ({ Ext_Id__c: `m${i}`, LastName: 'M' }));
    const error = await rejection(conn.sobject('Contact').upsert(many, 'Ext_Id__c'));
    expect(error.errorCode).toBe('EXCEEDED_ID_LIMIT');
    expect(sandbox.store.count('Contact')).toBe(0);
    const withId = await conn.sobject('Contact').upsert([{ Ext_Id__c: 'i1', LastName: 'I', Id: '0038d0000000001AAA' }], 'Ext_Id__c');
    expect(withId[0].success).toBe(false);
  });

  it('validates types, unknown fields and read-only fields per record', async () => {
    const { json } = await collection('PATCH', '/composite/sobjects/Contact/Ext_Id__c', {
      records: [
        contact('t1', { CDP_High_Intent__c: 'maybe' }),
        contact('t2', { CDP_Lifetime_Value__c: 'lots' }),
        contact('t3', { CDP_Last_Seen__c: '2024-13-45' }),
        contact('t4', { Foo__c: 1 }),
        contact('t5', { CreatedDate: '2020-01-01T00:00:00Z' }),
        contact('t6', { CDP_High_Intent__c: 'true', CDP_Lifetime_Value__c: '12.345', CDP_Last_Seen__c: '2024-02-29' }),
      ],
    });
    const r = results(json);
    expect(r[0].errors[0]).toMatchObject({ statusCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD', fields: ['CDP_High_Intent__c'] });
    expect(r[1].errors[0]).toMatchObject({ statusCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD', fields: ['CDP_Lifetime_Value__c'] });
    expect(r[2].errors[0]).toMatchObject({ statusCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD', fields: ['CDP_Last_Seen__c'] });
    expect(r[3].errors[0]).toEqual({ statusCode: 'INVALID_FIELD', message: "No such column 'Foo__c' on sobject of type Contact", fields: [] });
    expect(r[4].errors[0]).toMatchObject({ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['CreatedDate'] });
    expect(r[5].success).toBe(true);
    const stored = sandbox.store.get(r[5].id ?? '')?.values;
    expect(stored).toMatchObject({ CDP_High_Intent__c: true, CDP_Lifetime_Value__c: 12.35, CDP_Last_Seen__c: '2024-02-29' });
  });
});

describe('collection create, update and delete', () => {
  it('create → update → delete through jsforce array DML', async () => {
    const created = await conn.sobject('Contact').create([{ LastName: 'A', Email: 'a@example.com' }, { FirstName: 'NoLast' }]);
    expect(created[0].success).toBe(true);
    expect(created[1].success ? [] : created[1].errors).toEqual([expect.objectContaining({ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] })]);
    const id = created[0].success ? created[0].id : '';

    const updated = await conn.sobject('Contact').update([{ Id: id, Title: 'CTO' }, { Id: '0038d00000000zzAAA', Title: 'x' }]);
    expect(updated[0]).toMatchObject({ id, success: true });
    expect(updated[1].success).toBe(false);
    expect(sandbox.store.get(id)?.values.Title).toBe('CTO');

    const nonUpdateable = results((await collection('PATCH', '/composite/sobjects', { records: [{ attributes: { type: 'Contact' }, id, Name: 'Full Name' }] })).json);
    expect(nonUpdateable[0]).toMatchObject({ id, success: false, errors: [{ statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['Name'] }] });

    const deleted = await conn.sobject('Contact').destroy([id, id]);
    expect(deleted[0]).toMatchObject({ id, success: true });
    expect(deleted[1].success ? [] : deleted[1].errors).toEqual([expect.objectContaining({ statusCode: 'ENTITY_IS_DELETED' })]);
  });

  it('a create without attributes.type is a request error', async () => {
    const { status, json } = await collection('POST', '/composite/sobjects', { records: [{ LastName: 'x' }] });
    expect(status).toBe(400);
    expect(json).toEqual([{ message: 'Must send a concrete entity type.', errorCode: 'INVALID_TYPE' }]);
  });
});

describe('single-record endpoints', () => {
  it('PATCH /sobjects/{T}/{Ext}/{value}: 201 created, 200 updated, 300 on several matches', async () => {
    const path = '/sobjects/Contact/Ext_Id__c/s1';
    const first = await collection('PATCH', path, { LastName: 'Single' });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ success: true, created: true, errors: [] });
    const second = await collection('PATCH', path, { Title: 'Boss' });
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ success: true, created: false });

    sandbox.seed('Contact', [{ LastName: 'A', Email: 'twin@example.com' }, { LastName: 'B', Email: 'twin@example.com' }]);
    const multiple = await collection('PATCH', '/sobjects/Contact/Email/twin@example.com', { Title: 'x' });
    expect(multiple.status).toBe(300);
    expect(asArray(multiple.json)).toHaveLength(2);
    expect((await rejection(conn.sobject('Contact').upsert({ Email: 'twin@example.com', Title: 'y' }, 'Email'))).errorCode).toBe('MULTIPLE_CHOICES');

    const viaJsforce = await conn.sobject('Contact').upsert({ Ext_Id__c: 's2', LastName: 'Two' }, 'Ext_Id__c');
    expect(viaJsforce).toMatchObject({ success: true, created: true });
  });

  it('POST, GET, PATCH and DELETE /sobjects/{T}[/{id}]', async () => {
    const created = await conn.sobject('Contact').create({ LastName: 'Solo', Email: 'solo@example.com' });
    expect(created.success).toBe(true);
    const id = created.success ? created.id : '';
    expect(id).toMatch(/^0038d/);
    const fetched = await conn.sobject('Contact').retrieve(id);
    expect(fetched).toMatchObject({ Id: id, LastName: 'Solo', Name: 'Solo' });
    await conn.sobject('Contact').update({ Id: id, FirstName: 'Han' });
    expect(sandbox.store.get(id)?.values.Name).toBe('Han Solo');
    const badField = await rejection(conn.sobject('Contact').create({ LastName: 'x', Foo__c: 1 }));
    expect(badField.errorCode).toBe('INVALID_FIELD');
    expect(badField.message).toBe("No such column 'Foo__c' on sobject of type Contact");
    const missing = await rejection(conn.sobject('Contact').update({ Id: '0038d00000000zzAAA', Title: 'x' }));
    expect(missing.errorCode).toBe('NOT_FOUND');
    await conn.sobject('Contact').destroy(id);
    expect(sandbox.store.get(id)?.deleted).toBe(true);
  });
});
