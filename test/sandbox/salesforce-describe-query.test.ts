import type jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { asArray, asRecord, passwordConnection, rawRequest, rejection, startTestSandbox } from './salesforce-test-helpers.js';

const FIELD_KEYS = [
  'name', 'label', 'type', 'length', 'byteLength', 'digits', 'precision', 'scale', 'soapType', 'externalId', 'unique', 'idLookup', 'caseSensitive',
  'nillable', 'createable', 'updateable', 'defaultedOnCreate', 'calculated', 'custom', 'filterable', 'picklistValues', 'restrictedPicklist', 'referenceTo', 'relationshipName',
];

const CONTACTS = 4_500;
let sandbox: SalesforceSandbox;
let conn: jsforce.Connection;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  conn = await passwordConnection(sandbox);
  sandbox.seed(
    'Contact',
    Array.from({ length: CONTACTS }, (_, i) => ({
      LastName: `Person ${String(i).padStart(5, '0')}`,
      Email: i % 10 === 0 ? null : `p${i}@example.com`,
      Ext_Id__c: `k${i}`,
      CDP_Lifetime_Value__c: i,
      CDP_High_Intent__c: i % 3 === 0,
    })),
  );
});
afterAll(async () => {
  await sandbox.close();
});

describe('describe', () => {
  it('describes Contact with every B4 field key, the standard fields and the declared custom fields', async () => {
    const d = await conn.describe('Contact');
    expect(d.name).toBe('Contact');
    expect(d.keyPrefix).toBe('003');
    for (const field of d.fields) for (const key of FIELD_KEYS) expect(field, `${field.name}.${key}`).toHaveProperty(key);
    const byName = new Map(d.fields.map((f) => [f.name, f]));
    expect(byName.get('Id')).toMatchObject({ type: 'id', length: 18, createable: false, updateable: false, idLookup: true, nillable: false });
    expect(byName.get('LastName')).toMatchObject({ type: 'string', length: 80, nillable: false, createable: true });
    expect(byName.get('FirstName')).toMatchObject({ type: 'string', length: 40 });
    expect(byName.get('Email')).toMatchObject({ type: 'email', length: 80, idLookup: true, externalId: false });
    expect(byName.get('AccountId')).toMatchObject({ type: 'reference', referenceTo: ['Account'], relationshipName: 'Account' });
    expect(byName.get('CreatedDate')).toMatchObject({ type: 'datetime', createable: false, updateable: false });
    expect(byName.get('LastModifiedDate')).toMatchObject({ createable: false, updateable: false });
    expect(byName.get('Ext_Id__c')).toMatchObject({ custom: true, externalId: true, idLookup: true, type: 'string', length: 64 });
    expect(byName.get('CDP_Lifetime_Value__c')).toMatchObject({ custom: true, type: 'double', precision: 18, scale: 2, soapType: 'xsd:double' });
    expect(byName.get('CDP_High_Intent__c')).toMatchObject({ custom: true, type: 'boolean', nillable: false, defaultValue: false });
  });

  it('describes Lead, Campaign and CampaignMember', async () => {
    expect((await conn.describe('Lead')).fields.find((f) => f.name === 'Company')?.nillable).toBe(false);
    const campaign = await conn.describe('Campaign');
    expect(campaign.keyPrefix).toBe('701');
    expect(campaign.fields.find((f) => f.name === 'Name')?.nillable).toBe(false);
    const member = await conn.describe('CampaignMember');
    expect(member.keyPrefix).toBe('00v');
    expect(member.fields.find((f) => f.name === 'CampaignId')).toMatchObject({ createable: true, updateable: false });
    expect(member.fields.find((f) => f.name === 'HasResponded')).toMatchObject({ createable: false, updateable: false });
  });

  it('unknown sObject → 404 NOT_FOUND; the global describe lists the objects', async () => {
    const error = await rejection(conn.describe('Nope__c'));
    expect(error.errorCode).toBe('NOT_FOUND');
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).toEqual(expect.arrayContaining(['Contact', 'Lead', 'Campaign', 'CampaignMember']));
  });
});

describe('SOQL query', () => {
  it('pages 2000 at a time with /query/<locator> and autoFetch collects everything', async () => {
    const first = await conn.query<{ Id: string }>('SELECT Id, LastName FROM Contact');
    expect(first.totalSize).toBe(CONTACTS);
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(2000);
    expect(first.nextRecordsUrl).toMatch(/\/services\/data\/v62\.0\/query\/01g[A-Za-z0-9]{15}-2000$/);
    const raw = asRecord(await (await rawRequest(sandbox, conn.accessToken ?? '', 'GET', `/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`)).json());
    expect(raw.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/query\/01g[A-Za-z0-9]{15}-2000$/);

    const all = await conn.query<{ Id: string; LastName: string }>('SELECT Id, LastName FROM Contact ORDER BY LastName').run({ autoFetch: true, maxFetch: 10_000 });
    expect(all.records).toHaveLength(CONTACTS);
    expect(new Set(all.records.map((r) => r.Id)).size).toBe(CONTACTS);
    expect(all.records[0].LastName).toBe('Person 00000');
    expect(all.records[CONTACTS - 1].LastName).toBe(`Person ${String(CONTACTS - 1).padStart(5, '0')}`);
  });

  it('queryMore follows the locator to the last page, which has done:true and no nextRecordsUrl', async () => {
    const first = await conn.query('SELECT Id FROM Contact');
    const second = await conn.queryMore(first.nextRecordsUrl ?? '');
    expect(second.records).toHaveLength(2000);
    const third = await conn.queryMore(second.nextRecordsUrl ?? '');
    expect(third.records).toHaveLength(CONTACTS - 4000);
    expect(third.done).toBe(true);
    expect(third.nextRecordsUrl).toBeUndefined();
    expect((await rejection(conn.queryMore('01g8d0000000999AAA-2000'))).errorCode).toBe('INVALID_QUERY_LOCATOR');
  });

  it('honours Sforce-Query-Options batchSize (200–2000)', async () => {
    const res = await rawRequest(sandbox, conn.accessToken ?? '', 'GET', `/services/data/v62.0/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`, undefined, { 'Sforce-Query-Options': 'batchSize=500' });
    const body = asRecord(await res.json());
    expect(asArray(body.records)).toHaveLength(500);
    expect(body.nextRecordsUrl).toMatch(/-500$/);
  });

  it('records carry attributes {type, url} and only the selected fields', async () => {
    const r = await conn.query<Record<string, unknown>>("SELECT Id, Email, CDP_Lifetime_Value__c FROM Contact WHERE Ext_Id__c = 'k7'");
    expect(r.totalSize).toBe(1);
    const rec = r.records[0];
    expect(rec.attributes).toEqual({ type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${String(rec.Id)}` });
    expect(Object.keys(rec).sort()).toEqual(['CDP_Lifetime_Value__c', 'Email', 'Id', 'attributes']);
    expect(rec.CDP_Lifetime_Value__c).toBe(7);
  });

  it('filters with =, !=, IN, NOT IN, null, numbers, booleans, AND/OR, ORDER BY and LIMIT', async () => {
    const count = async (where: string): Promise<number> => (await conn.query(`SELECT Id FROM Contact WHERE ${where}`)).totalSize;
    expect(await count("Ext_Id__c IN ('k1', 'k2', 'nope')")).toBe(2);
    expect(await count('Email = null')).toBe(CONTACTS / 10);
    expect(await count('Email != null')).toBe(CONTACTS - CONTACTS / 10);
    expect(await count('CDP_Lifetime_Value__c >= 4000')).toBe(500);
    expect(await count('CDP_High_Intent__c = true AND CDP_Lifetime_Value__c < 30')).toBe(10);
    expect(await count("(Ext_Id__c = 'k1' OR Ext_Id__c = 'k2') AND CDP_High_Intent__c = false")).toBe(2);
    expect(await count("Email = 'P11@EXAMPLE.COM'")).toBe(1);
    expect(await count("LastName LIKE 'Person 0001%'")).toBe(10);
    const top = await conn.query<{ Ext_Id__c: string }>('SELECT Ext_Id__c FROM Contact ORDER BY CDP_Lifetime_Value__c DESC LIMIT 3');
    expect(top.records.map((r) => r.Ext_Id__c)).toEqual([`k${CONTACTS - 1}`, `k${CONTACTS - 2}`, `k${CONTACTS - 3}`]);
    const counted = await conn.query('SELECT COUNT() FROM Contact WHERE CDP_High_Intent__c = true');
    expect(counted.totalSize).toBe(CONTACTS / 3);
    expect(counted.records).toEqual([]);
  });

  it('reports INVALID_FIELD, INVALID_TYPE and MALFORMED_QUERY like Salesforce', async () => {
    const badField = await rejection(conn.query('SELECT Id, Foo__c FROM Contact'));
    expect(badField.errorCode).toBe('INVALID_FIELD');
    expect(badField.message).toContain("No such column 'Foo__c' on entity 'Contact'");
    expect(badField.message).toContain('ERROR at Row:1:Column:12');
    const badType = await rejection(conn.query('SELECT Id FROM Contactz'));
    expect(badType.errorCode).toBe('INVALID_TYPE');
    expect(badType.message).toContain("sObject type 'Contactz' is not supported.");
    expect((await rejection(conn.query('SELECT Id FORM Contact'))).errorCode).toBe('MALFORMED_QUERY');
    expect((await rejection(conn.query("SELECT Id FROM Contact WHERE Email = 'a' AND LastName = 'b' OR LastName = 'c'"))).errorCode).toBe('MALFORMED_QUERY');
    const quoted = await rejection(conn.query("SELECT Id FROM Contact WHERE CDP_High_Intent__c = 'true'"));
    expect(quoted.message).toContain("value of filter criterion for field 'CDP_High_Intent__c' must be of type boolean and should not be enclosed in quotes");
  });

  it('queryAll also returns deleted records', async () => {
    const [id] = sandbox.seed('Contact', [{ LastName: 'Deleted Person', Ext_Id__c: 'gone' }]);
    await conn.sobject('Contact').destroy([id]);
    expect((await conn.query("SELECT Id FROM Contact WHERE Ext_Id__c = 'gone'")).totalSize).toBe(0);
    const all = await conn.query<{ Id: string; IsDeleted: boolean }>("SELECT Id, IsDeleted FROM Contact WHERE Ext_Id__c = 'gone'").scanAll(true);
    expect(all.records).toEqual([expect.objectContaining({ Id: id, IsDeleted: true })]);
  });
});

describe('queries bounded below on SystemModstamp', () => {
  it('start from the records stamped since, and answer exactly as a scan of every record', async () => {
    const own = await startTestSandbox();
    try {
      const c = await passwordConnection(own);
      const ids = own.seed('Contact', Array.from({ length: 300 }, (_, i) => ({ LastName: `M ${i}`, Ext_Id__c: `m${i}` })));
      const marks = [new Date(0)];
      // Six rounds: every live contact updated, two deleted. 2,100 stamps written for 300 records, so the sandbox's log
      // of them is also made again from the records' stamps.
      for (let round = 0; round < 6; round++) {
        await new Promise((resolve) => setTimeout(resolve, 3));
        marks.push(new Date());
        const live = ids.slice(round * 2);
        for (let i = 0; i < live.length; i += 200) await c.sobject('Contact').update(live.slice(i, i + 200).map((Id) => ({ Id, LastName: `R${round}` })));
        await c.sobject('Contact').destroy(ids.slice(round * 2, round * 2 + 2));
      }
      await new Promise((resolve) => setTimeout(resolve, 3));
      marks.push(new Date());
      await c.sobject('Contact').update([{ Id: ids[299], LastName: 'Last' }]);
      const modifiedSince = vi.spyOn(own.store, 'modifiedSince');
      const rows = async (soql: string, all = false) => {
        const q = c.query<{ Id: string; LastName: string }>(soql);
        const result = all ? await q.scanAll(true) : await q;
        return result.records.map((r) => `${r.Id}:${r.LastName}`);
      };
      for (const mark of marks) {
        const since = `SystemModstamp >= ${mark.toISOString()}`;
        // An OR makes the sandbox scan every record; its other side matches nothing.
        const scan = `(${since} OR LastName = 'nobody')`;
        const indexed = await rows(`SELECT Id, LastName FROM Contact WHERE ${since} ORDER BY SystemModstamp, Id`);
        expect(indexed.length, `since ${mark.toISOString()}`).toBeGreaterThan(0);
        expect(indexed).toEqual(await rows(`SELECT Id, LastName FROM Contact WHERE ${scan} ORDER BY SystemModstamp, Id`));
        expect(await rows(`SELECT Id, LastName FROM Contact WHERE ${since}`)).toEqual(await rows(`SELECT Id, LastName FROM Contact WHERE ${scan}`));
        expect(await rows(`SELECT Id, LastName FROM Contact WHERE IsDeleted = true AND ${since}`, true)).toEqual(await rows(`SELECT Id, LastName FROM Contact WHERE IsDeleted = true AND ${scan}`, true));
      }
      expect(modifiedSince).toHaveBeenCalled();
      expect(await rows(`SELECT Id, LastName FROM Contact WHERE SystemModstamp >= ${marks.at(-1)?.toISOString()}`)).toEqual([`${ids[299]}:Last`]);
      expect(modifiedSince.mock.results.at(-1)?.value).toHaveLength(1);
    } finally {
      await own.close();
    }
  });
});

describe('versions and limits', () => {
  it('accepts any version ≥ 42.0 and rejects older ones', async () => {
    const token = conn.accessToken ?? '';
    expect((await rawRequest(sandbox, token, 'GET', '/services/data/v66.0/sobjects/Contact/describe')).status).toBe(200);
    const old = await rawRequest(sandbox, token, 'GET', '/services/data/v41.0/sobjects/Contact/describe');
    expect(old.status).toBe(410);
    expect(asRecord(asArray(await old.json())[0]).errorCode).toBe('UNSUPPORTED_API_VERSION');
  });

  it('sends Sforce-Limit-Info on every response and GET /limits/ reports DailyApiRequests', async () => {
    const res = await rawRequest(sandbox, conn.accessToken ?? '', 'GET', '/services/data/v62.0/limits/');
    const used = Number(/api-usage=(\d+)\/15000/.exec(res.headers.get('sforce-limit-info') ?? '')?.[1]);
    expect(used).toBeGreaterThan(0);
    const limits = asRecord(await res.json());
    expect(limits.DailyApiRequests).toEqual({ Max: 15000, Remaining: 15000 - used });
    const unauthorized = await rawRequest(sandbox, 'nope', 'GET', '/services/data/v62.0/limits/');
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/15000$/);
    await conn.limits();
    expect(conn.limitInfo.apiUsage?.limit).toBe(15000);
  });
});
