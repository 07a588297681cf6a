/**
 * What the emulators cannot prove about the BigQuery and Snowflake warehouses, checked without
 * them: the real service gets real authentication (the no-credentials client is for plain-http
 * emulator endpoints only), key-pair login, how errors become RunError / WarehouseError without
 * echoing secrets, statement-size limits, and the DML-only rule for transactions that the
 * emulators do not enforce. See EMULATOR_GAPS.md §6.
 */
import { describe, expect, it } from 'vitest';
import { bigqueryDialect } from '../../src/engines/bigquery/dialect.js';
import { snowflakeDialect } from '../../src/engines/snowflake/dialect.js';
import { RunError } from '../../src/diagnostics/diagnostic.js';
import { bigqueryFailure, isNotFound } from '../../src/engines/bigquery/failure.js';
import { bigqueryClientOptions, type BigQueryConfig } from '../../src/engines/bigquery/options.js';
import { bigqueryRow } from '../../src/engines/bigquery/value.js';
import { assertDmlOnly } from '../../src/warehouse/dml-only.js';
import { insertBatches } from '../../src/warehouse/insert-batches.js';
import { snowflakeFailure } from '../../src/engines/snowflake/failure.js';
import { snowflakeConnectionOptions, type SnowflakeConfig } from '../../src/engines/snowflake/options.js';
import { snowflakeRow } from '../../src/engines/snowflake/value.js';
import { openWarehouse } from '../../src/engines/open-warehouse.js';
import { WarehouseError } from '../../src/warehouse/warehouse.js';
import { BigQueryDate, BigQueryDatetime, BigQueryInt, BigQueryTimestamp } from '@google-cloud/bigquery';

const bq: BigQueryConfig = { type: 'bigquery', projectId: 'acme-prod', location: 'EU', dataset: 'analytics' };
const SECRET = 'hunter2-Sup3r-secret';
const sf: SnowflakeConfig = { type: 'snowflake', account: 'acme-xy12345', username: 'CDP', password: SECRET, warehouse: 'CDP_WH', database: 'ANALYTICS', role: 'CDP' };

/** An error shaped like @google-cloud/common's ApiError. */
function apiError(message: string, code: number | undefined, reason?: string): Error {
  return Object.assign(new Error(message), { code, errors: reason ? [{ reason, message }] : [] });
}

describe('BigQuery client options', () => {
  it('authenticates against the real service with a key file or Application Default Credentials', () => {
    expect(bigqueryClientOptions(bq)).toEqual({ projectId: 'acme-prod', location: 'EU', userAgent: 'cdp' });
    const keyed = bigqueryClientOptions({ ...bq, keyFilename: '/secrets/sa.json' });
    expect(keyed).toMatchObject({ keyFilename: '/secrets/sa.json' });
    expect(keyed.authClient).toBeUndefined();
  });

  it('sends no credentials only to a plain-http emulator endpoint without a key', () => {
    expect(bigqueryClientOptions({ ...bq, apiEndpoint: 'http://127.0.0.1:9050' }).authClient).toBeDefined();
    expect(bigqueryClientOptions({ ...bq, apiEndpoint: 'https://bigquery.europe-west3.rep.googleapis.com' }).authClient).toBeUndefined();
    expect(bigqueryClientOptions({ ...bq, apiEndpoint: 'http://127.0.0.1:9050', keyFilename: '/k.json' }).authClient).toBeUndefined();
  });
});

describe('Snowflake connection options', () => {
  it('uses key-pair authentication when a private key is configured, else the password', () => {
    const jwt = snowflakeConnectionOptions({ ...sf, password: undefined, privateKeyPath: '/keys/cdp.p8' });
    expect(jwt).toMatchObject({ authenticator: 'SNOWFLAKE_JWT', privateKeyPath: '/keys/cdp.p8' });
    expect(jwt.password).toBeUndefined();
    const both = snowflakeConnectionOptions({ ...sf, privateKeyPath: '/keys/cdp.p8' });
    expect(both.password).toBeUndefined();
    expect(snowflakeConnectionOptions(sf)).toMatchObject({
      account: 'acme-xy12345',
      username: 'CDP',
      password: SECRET,
      warehouse: 'CDP_WH',
      database: 'ANALYTICS',
      role: 'CDP',
      jsTreatIntegerAsBigInt: true,
      queryTag: 'cdp',
      sfRetryMaxLoginRetries: 2,
    });
    expect(snowflakeConnectionOptions(sf).accessUrl).toBeUndefined();
  });

  it('asks for credentials when there are none', () => {
    expect(() => snowflakeConnectionOptions({ ...sf, password: undefined })).toThrow(RunError);
  });
});

describe('BigQuery errors', () => {
  it('reports a refused statement with its reason and position, under the step label', () => {
    const error = bigqueryFailure(apiError('Syntax error: Unexpected keyword FROM at [3:5]', undefined, 'invalidQuery'), bq, 'model orders', 'select');
    expect(error).toBeInstanceOf(WarehouseError);
    expect(error.message).toBe('model orders: Syntax error: Unexpected keyword FROM at [3:5] [invalidQuery]');
  });

  it('turns rejected credentials, missing permissions and an unreachable endpoint into run errors with what to check', () => {
    const noAdc = bigqueryFailure(new Error('Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication'), bq, 'build', '');
    expect(noAdc).toMatchObject({ code: 'warehouse-auth', hint: expect.stringContaining('GOOGLE_APPLICATION_CREDENTIALS') });
    const badKey = bigqueryFailure(new Error('invalid_grant: Invalid JWT Signature.'), { ...bq, keyFilename: '/k.json' }, undefined, '');
    expect(badKey).toMatchObject({ code: 'warehouse-auth', hint: expect.stringContaining('/k.json') });
    const expired = bigqueryFailure(apiError('Request had invalid authentication credentials.', 401, 'authError'), bq, undefined, '');
    expect(expired).toMatchObject({ code: 'warehouse-auth' });
    const denied = bigqueryFailure(apiError('Access Denied: Project acme-prod: User does not have bigquery.jobs.create permission', 403, 'accessDenied'), bq, 'build', '');
    expect(denied).toBeInstanceOf(RunError);
    expect(denied).toMatchObject({ code: 'warehouse-permission', hint: expect.stringContaining('roles/bigquery.jobUser on project acme-prod') });
    const down = bigqueryFailure(Object.assign(new Error('request failed, reason: connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }), bq, undefined, '');
    expect(down).toMatchObject({ code: 'warehouse-unreachable' });
  });

  it('recognises "not found" (a metadata query on a dataset that does not exist yet)', () => {
    expect(isNotFound(apiError('Not found: Dataset acme-prod:cdp was not found in location EU', 404, 'notFound'))).toBe(true);
    expect(isNotFound(apiError('Not found: Dataset acme-prod:cdp was not found in location EU', undefined, 'notFound'))).toBe(true);
    expect(isNotFound(apiError('Syntax error', 400, 'invalidQuery'))).toBe(false);
    expect(isNotFound(apiError('Access Denied', 403, 'accessDenied'))).toBe(false);
  });

  it('never classifies a query error as an auth problem because of its text, and never echoes a private key', () => {
    const q = bigqueryFailure(apiError('Unrecognized name: invalid_grant at [1:8]', undefined, 'invalidQuery'), bq, undefined, '');
    expect(q).toBeInstanceOf(WarehouseError);
    const key = bigqueryFailure(new Error('bad key -----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY----- end'), bq, undefined, '');
    expect(key.message).not.toContain('MIIEv');
  });
});

describe('Snowflake errors', () => {
  const fail = (message: string, code: string | number) => Object.assign(new Error(message), { code });

  it('reports a refused statement as a WarehouseError under the step label', () => {
    const error = snowflakeFailure(fail("002003 (42S02): SQL compilation error: Object 'RAW.EVENTS' does not exist or not authorized.", '002003'), sf, 'source events', 'select');
    expect(error).toBeInstanceOf(WarehouseError);
    expect(error.message).toMatch(/^source events: 002003/);
  });

  it('turns login, warehouse, privilege and network problems into run errors, without the password', () => {
    const login = snowflakeFailure(fail(`Incorrect username or password was specified (tried ${SECRET}).`, '390100'), sf, 'connect to Snowflake', '');
    expect(login).toMatchObject({ code: 'warehouse-auth' });
    expect(login.message).not.toContain(SECRET);
    expect(`${login.message} ${(login as RunError).hint}`).not.toContain(SECRET);
    const jwt = snowflakeFailure(fail('JWT token is invalid.', '390144'), { ...sf, privateKeyPath: '/keys/cdp.p8' }, undefined, '');
    expect(jwt).toMatchObject({ code: 'warehouse-auth', hint: expect.stringContaining('RSA_PUBLIC_KEY') });
    const noWarehouse = snowflakeFailure(fail('000606 (57P03): No active warehouse selected in the current session.', '000606'), sf, undefined, '');
    expect(noWarehouse).toMatchObject({ code: 'warehouse-config', hint: expect.stringContaining('CDP_WH') });
    const privileges = snowflakeFailure(fail("003001 (42501): SQL access control error: Insufficient privileges to operate on schema 'CDP'", '003001'), sf, undefined, '');
    expect(privileges).toMatchObject({ code: 'warehouse-permission' });
    const down = snowflakeFailure(fail('Network error. Could not reach Snowflake.', 401001), sf, undefined, '');
    expect(down).toMatchObject({ code: 'warehouse-unreachable', message: expect.stringContaining('https://acme-xy12345.snowflakecomputing.com') });
    const options = snowflakeFailure(fail('Invalid account. The specified value must be a valid subdomain string.', 404008), sf, undefined, '');
    expect(options).toMatchObject({ code: 'warehouse-config' });
  });
});

describe('an unreachable account', () => {
  // The driver retries a login a bounded number of times (sfRetryMaxLoginRetries), then gives up.
  it('fails as warehouse-unreachable, without the password', { timeout: 240_000 }, async () => {
    const error = await openWarehouse({ ...sf, accessUrl: 'http://127.0.0.1:9' }, '.').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RunError);
    expect(error).toMatchObject({ code: 'warehouse-unreachable', message: expect.stringContaining('http://127.0.0.1:9') });
    expect(String((error as Error).message)).not.toContain(SECRET);
  });
});

describe('result values', () => {
  it('unwraps BigQuery client values to the shapes DuckDB gives', () => {
    const row = bigqueryRow({
      N: new BigQueryInt('9007199254740993'),
      small: new BigQueryInt('42'),
      ts: new BigQueryTimestamp('2024-01-01T00:00:00.735245000Z'),
      d: new BigQueryDate('2024-01-02'),
      dt: new BigQueryDatetime('2024-01-01T10:00:00'),
      nested: [{ a: new BigQueryInt('1') }],
      nothing: null,
    });
    expect(row).toEqual({
      n: '9007199254740993',
      small: 42,
      ts: '2024-01-01T00:00:00.735Z',
      d: '2024-01-02T00:00:00.000Z',
      dt: '2024-01-01T10:00:00.000Z',
      nested: '[{"a":1}]',
      nothing: null,
    });
  });

  it('unwraps snowflake-sdk values, lower-casing upper-case column names', () => {
    expect(snowflakeRow({ ID: { value: 9007199254740993n }, N: { value: 7n }, AT: new Date('2024-01-01T00:00:00Z'), V: { a: 1 } })).toEqual({
      id: '9007199254740993',
      n: 7,
      at: '2024-01-01T00:00:00.000Z',
      v: '{"a":1}',
    });
  });
});

describe('statement limits and transactions', () => {
  it('cuts INSERT statements under 1 MB however long the values are', () => {
    const long = 'x'.repeat(400_000);
    const rows = [[1, long], [2, long], [3, long], [4, 'short']];
    for (const dialect of [bigqueryDialect, snowflakeDialect]) {
      const statements = insertBatches(dialect, { schema: 'cdp', name: 't' }, ['id', 'v'], rows);
      expect(statements.length).toBe(2);
      expect(statements.every((s) => Buffer.byteLength(s) < 1_000_000)).toBe(true);
    }
    expect(insertBatches(bigqueryDialect, { schema: 'cdp', name: 't' }, ['id'], Array.from({ length: 1200 }, (_, i) => [i])).length).toBe(3);
    expect(() => insertBatches(bigqueryDialect, { schema: 'cdp', name: 't' }, ['id', 'v'], [[1]])).toThrow(/1 values for 2 columns/);
  });

  it('refuses DDL in BigQuery and Snowflake transactions before anything is sent', () => {
    const dml = ['insert into t select 1', 'update t set a = 1 where true', 'delete from t where 1 = 1', 'merge t using s on t.a = s.a when matched then delete'];
    expect(() => assertDmlOnly('BigQuery', dml, undefined, { allowTempTables: true })).not.toThrow();
    expect(() => assertDmlOnly('BigQuery', ['create temp table x as select 1'], undefined, { allowTempTables: true })).not.toThrow();
    expect(() => assertDmlOnly('Snowflake', ['create temporary table x as select 1'], 'commit', { allowTempTables: false })).toThrow(WarehouseError);
    for (const ddl of ['/* swap */ create or replace table t copy s', '-- x\n  DROP TABLE t', 'alter table t add column c int', 'truncate table t']) {
      expect(() => assertDmlOnly('BigQuery', [...dml, ddl], 'step', { allowTempTables: true }), ddl).toThrow(/step: BigQuery cannot run DDL inside a transaction/);
    }
  });
});
