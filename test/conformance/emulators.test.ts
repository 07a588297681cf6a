/**
 * Smoke test for the emulator harness itself: both emulators start, answer over
 * plain HTTP the way the Node clients expect, and stop. Uses only fetch, so it
 * needs no warehouse client packages. Skips when the emulators are not
 * installed, except under CI=true where it fails (see emulators.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  emulatorGate,
  startBigQueryEmulator,
  startSnowflakeEmulator,
  type BigQueryEmulator,
  type SnowflakeEmulator,
} from './emulators.js';

const gate = await emulatorGate('bigquery', 'snowflake');

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe.skipIf(!gate.bigquery.ok)('bigquery emulator (bqemulator)', () => {
  let emu: BigQueryEmulator;
  beforeAll(async () => {
    emu = await startBigQueryEmulator();
  });
  afterAll(async () => {
    await emu?.stop();
  });

  const api = (path: string): string => `${emu.apiEndpoint}/bigquery/v2/projects/${emu.projectId}${path}`;

  it('binds to 127.0.0.1 and reports its version', async () => {
    expect(emu.host).toBe('127.0.0.1');
    expect(emu.version).toMatch(/^\d+\.\d+\.\d+/);
    const res = await fetch(`${emu.url}/healthz`);
    expect(res.status).toBe(200);
  });

  it('creates a dataset, runs DDL/DML and a query through jobs.query', async () => {
    const ds = await postJson(api('/datasets'), { datasetReference: { projectId: emu.projectId, datasetId: 'smoke' } });
    expect(ds.status).toBe(200);
    const run = (query: string) => postJson(api('/queries'), { query, useLegacySql: false });
    expect((await run("CREATE TABLE smoke.t AS SELECT 1 AS id, 'a' AS name")).status).toBe(200);
    expect((await run("INSERT INTO smoke.t (id, name) VALUES (2, 'b')")).status).toBe(200);
    const q = await run('SELECT id, name FROM smoke.t ORDER BY id');
    expect(q.status).toBe(200);
    expect(q.json.schema.fields.map((f: { name: string }) => f.name)).toEqual(['id', 'name']);
    // REST wire format: every cell is a string inside {f: [{v}]}
    expect(q.json.rows).toEqual([{ f: [{ v: '1' }, { v: 'a' }] }, { f: [{ v: '2' }, { v: 'b' }] }]);
  });

  it('runs CREATE OR REPLACE TABLE .. COPY .. (launcher shim)', async () => {
    const run = (query: string) => postJson(api('/queries'), { query, useLegacySql: false });
    expect((await run('CREATE TABLE smoke.src AS SELECT 7 AS v')).status).toBe(200);
    expect((await run('CREATE OR REPLACE TABLE `smoke`.`t` COPY `smoke`.`src`')).status).toBe(200);
    expect((await run('SELECT v FROM smoke.t')).json.rows).toEqual([{ f: [{ v: '7' }] }]);
  });

  it('answers a failing jobs.query with an HTTP error like BigQuery (launcher shim)', async () => {
    const missing = await postJson(api('/queries'), { query: 'SELECT * FROM smoke.nope', useLegacySql: false });
    expect(missing.status).toBe(404);
    expect(missing.json.error.errors[0].reason).toBe('notFound');
    const syntax = await postJson(api('/queries'), { query: 'SELEC 1', useLegacySql: false });
    expect(syntax.status).toBe(400);
    expect(syntax.json.error.message).toMatch(/Syntax error/);
  });
});

describe.skipIf(!gate.snowflake.ok)('snowflake emulator (fakesnow)', () => {
  let emu: SnowflakeEmulator;
  let token = '';
  beforeAll(async () => {
    emu = await startSnowflakeEmulator();
    const login = await postJson(`${emu.accessUrl}/session/v1/login-request?databaseName=SMOKE&schemaName=PUBLIC`, {
      data: { ACCOUNT_NAME: emu.account, LOGIN_NAME: emu.username, PASSWORD: emu.password, SESSION_PARAMETERS: {} },
    });
    expect(login.json.success).toBe(true);
    token = login.json.data.token;
  });
  afterAll(async () => {
    await emu?.stop();
  });

  const sql = (sqlText: string) =>
    postJson(`${emu.accessUrl}/queries/v1/query-request`, { sqlText }, { authorization: `Snowflake Token="${token}"` });

  it('returns results in the JSON format the Node driver reads (launcher shim)', async () => {
    expect((await sql('CREATE TABLE t (id INT, name VARCHAR, ts TIMESTAMP_NTZ, ok BOOLEAN)')).json.success).toBe(true);
    const ins = await sql("INSERT INTO t VALUES (1, 'a', '2024-01-01 00:00:01.5', TRUE), (2, NULL, NULL, FALSE)");
    expect(ins.json.data.rowset).toEqual([['2']]);
    const q = await sql('SELECT id, name, ts, ok FROM t ORDER BY id');
    expect(q.json.success).toBe(true);
    expect(q.json.data.queryResultFormat).toBe('json');
    expect(q.json.data.rowtype.map((c: { name: string }) => c.name)).toEqual(['ID', 'NAME', 'TS', 'OK']);
    expect(q.json.data.rowset).toEqual([
      ['1', 'a', '1704067201.500000000', '1'],
      ['2', null, null, '0'],
    ]);
    expect(q.json.data.returned).toBe(2);
  });

  it('emulates ALTER TABLE .. SWAP WITH .. and schema-qualified temporary tables (launcher shims)', async () => {
    expect((await sql('CREATE SCHEMA s')).json.success).toBe(true);
    expect((await sql('CREATE TABLE s.a AS SELECT 1 AS v')).json.success).toBe(true);
    expect((await sql('CREATE TABLE s.b AS SELECT 2 AS v, 3 AS w')).json.success).toBe(true);
    expect((await sql('ALTER TABLE "S"."A" SWAP WITH "S"."B"')).json.success).toBe(true);
    expect((await sql('SELECT v, w FROM s.a')).json.data.rowset).toEqual([['2', '3']]);
    expect((await sql('SELECT v FROM s.b')).json.data.rowset).toEqual([['1']]);
    const missing = await sql('ALTER TABLE s.a SWAP WITH s.nope');
    expect(missing.json.success).toBe(false);
    expect((await sql('SELECT v FROM s.a')).json.data.rowset).toEqual([['2']]);
    expect((await sql('CREATE OR REPLACE TEMPORARY TABLE "S"."SCRATCH" AS SELECT 5 AS x')).json.success).toBe(true);
    expect((await sql('SELECT x FROM s.scratch')).json.data.rowset).toEqual([['5']]);
  });

  it('reports SQL errors as failed statements instead of HTTP 500', async () => {
    const missing = await sql('SELECT * FROM nope');
    expect(missing.json.success).toBe(false);
    expect(missing.json.code).toBe('002003');
    const unsupported = await sql('SELECT 1; SELECT 2');
    expect(unsupported.json.success).toBe(false);
    expect(unsupported.json.message).toMatch(/fakesnow emulator could not run this statement/);
  });
});
