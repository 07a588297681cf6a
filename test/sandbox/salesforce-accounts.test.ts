import type jsforce from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { asArray, asRecord, passwordConnection, rawRequest, startTestSandbox } from './salesforce-test-helpers.js';

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

const account = (key: string, extra: Record<string, unknown> = {}) => ({ attributes: { type: 'Account' }, CDP_Account_Id__c: key, Name: `Account ${key}`, ...extra });

async function patch(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await rawRequest(sandbox, conn.accessToken ?? '', 'PATCH', `/services/data/v62.0${path}`, body);
  return { status: res.status, json: await res.json() };
}

describe('Account by external id', () => {
  it('upserts Accounts through Collections by CDP_Account_Id__c: created, then updated', async () => {
    const first = await patch('/composite/sobjects/Account/CDP_Account_Id__c', { allOrNone: false, records: [account('a1', { CDP_MRR__c: 100 }), account('a2')] });
    expect(first.status).toBe(200);
    expect(asArray(first.json).map((r) => asRecord(r).created)).toEqual([true, true]);
    const second = await conn.sobject('Account').upsert([{ CDP_Account_Id__c: 'a1', CDP_MRR__c: 250 }], 'CDP_Account_Id__c');
    expect(second.map((r) => r.success)).toEqual([true]);
    const rows = await conn.query<{ CDP_Account_Id__c: string; Name: string; CDP_MRR__c: number | null }>('SELECT CDP_Account_Id__c, Name, CDP_MRR__c FROM Account ORDER BY CDP_Account_Id__c');
    expect(rows.records.map((r) => [r.CDP_Account_Id__c, r.Name, r.CDP_MRR__c])).toEqual([
      ['a1', 'Account a1', 250],
      ['a2', 'Account a2', null],
    ]);
  });

  it('sets Contact.AccountId from an Account reference by external id, in the contact upsert', async () => {
    await conn.sobject('Account').upsert([{ CDP_Account_Id__c: 'a1', Name: 'Acme' }, { CDP_Account_Id__c: 'a2', Name: 'Globex' }], 'CDP_Account_Id__c', { allOrNone: false });
    const ids = await conn.query<{ Id: string; CDP_Account_Id__c: string }>('SELECT Id, CDP_Account_Id__c FROM Account');
    const idOf = new Map(ids.records.map((r) => [r.CDP_Account_Id__c, r.Id]));
    const res = await patch('/composite/sobjects/Contact/Ext_Id__c', {
      allOrNone: false,
      records: [
        { attributes: { type: 'Contact' }, Ext_Id__c: 'c1', LastName: 'One', Account: { CDP_Account_Id__c: 'a1' } },
        { attributes: { type: 'Contact' }, Ext_Id__c: 'c2', LastName: 'Two', Account: { CDP_Account_Id__c: 'a2' } },
      ],
    });
    expect(asArray(res.json).map((r) => asRecord(r).success)).toEqual([true, true]);
    // Moving c2 to a1 by reference changes only its AccountId.
    await patch('/composite/sobjects/Contact/Ext_Id__c', { allOrNone: false, records: [{ attributes: { type: 'Contact' }, Ext_Id__c: 'c2', Account: { CDP_Account_Id__c: 'a1' } }] });
    const contacts = await conn.query<{ Ext_Id__c: string; AccountId: string; LastName: string }>('SELECT Ext_Id__c, AccountId, LastName FROM Contact ORDER BY Ext_Id__c');
    expect(contacts.records.map((r) => [r.Ext_Id__c, r.AccountId, r.LastName])).toEqual([
      ['c1', idOf.get('a1'), 'One'],
      ['c2', idOf.get('a1'), 'Two'],
    ]);
  });

  it('refuses an unknown parent with INVALID_FIELD "Foreign key external ID: x not found", per record', async () => {
    await conn.sobject('Account').upsert([{ CDP_Account_Id__c: 'a1', Name: 'Acme' }], 'CDP_Account_Id__c', { allOrNone: false });
    const res = await patch('/composite/sobjects/Contact/Ext_Id__c', {
      allOrNone: false,
      records: [
        { attributes: { type: 'Contact' }, Ext_Id__c: 'c1', LastName: 'One', Account: { CDP_Account_Id__c: 'nope' } },
        { attributes: { type: 'Contact' }, Ext_Id__c: 'c2', LastName: 'Two', Account: { CDP_Account_Id__c: 'a1' } },
      ],
    });
    const results = asArray(res.json).map((r) => asRecord(r));
    expect(results.map((r) => r.success)).toEqual([false, true]);
    expect(results[0]?.errors).toEqual([expect.objectContaining({ statusCode: 'INVALID_FIELD', message: 'Foreign key external ID: nope not found for field CDP_Account_Id__c in entity Account' })]);
    const contacts = await conn.query<{ Ext_Id__c: string }>('SELECT Ext_Id__c FROM Contact');
    expect(contacts.records.map((r) => r.Ext_Id__c)).toEqual(['c2']);
  });

  it('refuses a reference field that is not an external id of the parent', async () => {
    const res = await patch('/composite/sobjects/Contact/Ext_Id__c', { allOrNone: false, records: [{ attributes: { type: 'Contact' }, Ext_Id__c: 'c1', LastName: 'One', Account: { Name: 'Acme' } }] });
    expect(asRecord(asArray(res.json)[0]).success).toBe(false);
  });
});
