import type jsforce from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { asArray, asRecord, passwordConnection, rawRequest, rejection, startTestSandbox } from './salesforce-test-helpers.js';

let sandbox: SalesforceSandbox;
let conn: jsforce.Connection;
const poll = { pollInterval: 20, pollTimeout: 10_000 };
const JOBS = '/services/data/v62.0/jobs/ingest';

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

function call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response> {
  return rawRequest(sandbox, conn.accessToken ?? '', method, path, body, headers);
}

async function waitForState(jobId: string, states: readonly string[]): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const info = asRecord(await (await call('GET', `${JOBS}/${jobId}`)).json());
    if (states.includes(String(info.state))) return info;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`job ${jobId} never reached ${states.join('/')}`);
}

describe('Bulk API 2.0 through jsforce', () => {
  it('upsert: successes and failures come back in sf__ result CSVs; empty = no change, null = cleared', async () => {
    const [existing] = sandbox.seed('Contact', [{ LastName: 'Existing', Ext_Id__c: 'k2', Email: 'old@example.com', Title: 'Keep' }]);
    const results = await conn.bulk2.loadAndWaitForResults({
      object: 'Contact',
      operation: 'upsert',
      externalIdFieldName: 'Ext_Id__c',
      input: [
        { Ext_Id__c: 'b1', LastName: 'One', Email: 'one@example.com', Title: 'T' },
        { Ext_Id__c: 'k2', LastName: undefined, Email: null, Title: undefined },
        { Ext_Id__c: 'b3', LastName: 'Three', Email: 'bad', Title: 'T' },
        { Ext_Id__c: 'b4', LastName: null, Email: 'four@example.com', Title: 'T' },
      ],
      ...poll,
    });
    expect(results.successfulResults.map((r) => [asRecord(r).Ext_Id__c, r.sf__Created])).toEqual([
      ['b1', 'true'],
      ['k2', 'false'],
    ]);
    expect(results.successfulResults[1].sf__Id).toBe(existing);
    expect(results.failedResults.map((r) => r.sf__Error)).toEqual([
      'INVALID_EMAIL_ADDRESS:Email: invalid email address: bad:Email --',
      'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --',
    ]);
    expect(results.failedResults[0]).toMatchObject({ sf__Id: '', Ext_Id__c: 'b3', Email: 'bad' });
    expect(results.unprocessedRecords).toEqual([]);
    expect(sandbox.store.get(existing)?.values).toMatchObject({ LastName: 'Existing', Email: null, Title: 'Keep' });
    expect(sandbox.stats.bulkJobs.completed).toBe(1);
  });

  it('a header naming an unknown field fails the job: "InvalidBatch : Field name not found : <col>"', async () => {
    const error = await rejection(
      conn.bulk2.loadAndWaitForResults({ object: 'Contact', operation: 'insert', input: [{ LastName: 'X', Foo__c: 'y' }], ...poll }),
    );
    expect(error.message).toBe('Ingest job failed to complete due to: InvalidBatch : Field name not found : Foo__c');
    expect(sandbox.stats.bulkJobs.failed).toBe(1);
    expect(sandbox.store.count('Contact')).toBe(0);
  });

  it('insert then delete', async () => {
    const inserted = await conn.bulk2.loadAndWaitForResults({ object: 'Contact', operation: 'insert', input: [{ LastName: 'A', FirstName: 'a' }, { LastName: 'B', FirstName: 'b' }, { FirstName: 'NoLast' }], ...poll });
    expect(inserted.successfulResults).toHaveLength(2);
    expect(inserted.failedResults).toHaveLength(1);
    const ids = inserted.successfulResults.map((r) => String(r.sf__Id));
    const deleted = await conn.bulk2.loadAndWaitForResults({ object: 'Contact', operation: 'delete', input: ids.map((Id) => ({ Id })), ...poll });
    expect(deleted.successfulResults.map((r) => r.sf__Id)).toEqual(ids);
    expect(sandbox.store.count('Contact')).toBe(0);
  });

  it('duplicate keys in one job and duplicate campaign members fail per row', async () => {
    const dup = await conn.bulk2.loadAndWaitForResults({
      object: 'Contact', operation: 'upsert', externalIdFieldName: 'Ext_Id__c',
      input: [{ Ext_Id__c: 'd', LastName: 'A' }, { Ext_Id__c: 'd', LastName: 'B' }, { Ext_Id__c: 'e', LastName: 'C' }],
      ...poll,
    });
    expect(dup.failedResults.map((r) => r.sf__Error)).toEqual(['DUPLICATE_VALUE:Duplicate external id specified: d:--', 'DUPLICATE_VALUE:Duplicate external id specified: d:--']);
    expect(dup.successfulResults).toHaveLength(1);

    const [campaign] = sandbox.seed('Campaign', [{ Name: 'C' }]);
    const [contact] = sandbox.seed('Contact', [{ LastName: 'M' }]);
    sandbox.seed('CampaignMember', [{ CampaignId: campaign, ContactId: contact }]);
    const members = await conn.bulk2.loadAndWaitForResults({ object: 'CampaignMember', operation: 'insert', input: [{ CampaignId: campaign, ContactId: contact, Status: 'Sent' }], ...poll });
    expect(members.failedResults.map((r) => r.sf__Error)).toEqual(['DUPLICATE_VALUE:Already a campaign member.:--']);
  });
});

describe('Bulk API 2.0 job resource', () => {
  it('Open → one CSV upload (201, empty) → UploadComplete → InProgress → JobComplete → DELETE 204', async () => {
    const created = await call('POST', JOBS, { object: 'Contact', operation: 'upsert', externalIdFieldName: 'ext_id__c', lineEnding: 'CRLF', contentType: 'CSV' });
    expect(created.status).toBe(200);
    const job = asRecord(await created.json());
    expect(job).toMatchObject({ state: 'Open', operation: 'upsert', object: 'Contact', externalIdFieldName: 'Ext_Id__c', concurrencyMode: 'Parallel', contentType: 'CSV', apiVersion: 62, lineEnding: 'CRLF', columnDelimiter: 'COMMA' });
    expect(job.id).toMatch(/^750/);
    expect(job.contentUrl).toBe(`services/data/v62.0/jobs/ingest/${String(job.id)}/batches`);
    const batches = `${JOBS}/${String(job.id)}/batches`;

    expect((await call('PUT', batches, 'Ext_Id__c,LastName\r\n', { 'Content-Type': 'application/json' })).status).toBe(415);
    const csv = 'Ext_Id__c,LastName,Email\r\nr1,One,#N/A\r\nr2,Two,two@example.com\r\n';
    const upload = await call('PUT', batches, csv, { 'Content-Type': 'text/csv' });
    expect(upload.status).toBe(201);
    expect(await upload.text()).toBe('');
    const second = await call('PUT', batches, csv, { 'Content-Type': 'text/csv' });
    expect(second.status).toBe(400);
    expect(asRecord(asArray(await second.json())[0]).errorCode).toBe('BULK_API_ERROR');

    const closed = await call('PATCH', `${JOBS}/${String(job.id)}`, { state: 'UploadComplete' });
    expect(asRecord(await closed.json()).state).toBe('UploadComplete');
    const running = await waitForState(String(job.id), ['InProgress']);
    expect(running.numberRecordsProcessed).toBe(0);
    const done = await waitForState(String(job.id), ['JobComplete', 'Failed']);
    expect(done).toMatchObject({ state: 'JobComplete', jobType: 'V2Ingest', numberRecordsProcessed: 2, numberRecordsFailed: 0, retries: 0 });

    const success = await (await call('GET', `${JOBS}/${String(job.id)}/successfulResults/`)).text();
    expect(success.split('\n')[0]).toBe('"sf__Id","sf__Created","Ext_Id__c","LastName","Email"');
    expect(sandbox.store.list('Contact').map((r) => r.values.Email)).toEqual([null, 'two@example.com']);

    expect((await call('DELETE', `${JOBS}/${String(job.id)}`)).status).toBe(204);
    expect((await call('GET', `${JOBS}/${String(job.id)}`)).status).toBe(404);
  });

  it('rejects bad job definitions and uploads to closed jobs; an aborted job lists its rows as unprocessed', async () => {
    const badKey = await call('POST', JOBS, { object: 'Contact', operation: 'upsert', externalIdFieldName: 'LastName' });
    expect(badKey.status).toBe(400);
    expect(asRecord(asArray(await badKey.json())[0]).message).toBe('InvalidJob : Field name provided, LastName is not an External ID or indexed field for Contact');
    expect((await call('POST', JOBS, { object: 'Nope', operation: 'insert' })).status).toBe(400);

    const job = asRecord(await (await call('POST', JOBS, { object: 'Contact', operation: 'insert' })).json());
    const base = `${JOBS}/${String(job.id)}`;
    await call('PUT', `${base}/batches`, 'LastName\nA\nB\n', { 'Content-Type': 'text/csv' });
    expect((await call('DELETE', base)).status).toBe(400);
    const aborted = asRecord(await (await call('PATCH', base, { state: 'Aborted' })).json());
    expect(aborted.state).toBe('Aborted');
    expect(await (await call('GET', `${base}/unprocessedrecords/`)).text()).toBe('"LastName"\n"A"\n"B"\n');
    expect((await call('PATCH', base, { state: 'UploadComplete' })).status).toBe(400);
    expect(sandbox.store.count('Contact')).toBe(0);
  });
});
