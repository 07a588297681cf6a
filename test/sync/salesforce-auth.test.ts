import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PASSWORD, generateJwtKeyPair, type SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { removeProject } from '../helpers/project.js';
import { contacts, makeProject, people, query, runCdp, seed, startSandbox, type ConnectorOptions } from './salesforce-fixture.js';

const JWT_CLIENT = 'cdp-jwt-connected-app';
const keys = generateJwtKeyPair();
const JWT_AUTH = '{ flow: jwt, clientId: "${SF_CLIENT_ID}", username: "${SF_USERNAME}", privateKeyPath: "${SF_PRIVATE_KEY}" }';
const CLIENT_CREDENTIALS_AUTH = '{ flow: client_credentials, clientId: "${SF_CLIENT_ID}", clientSecret: "${SF_CLIENT_SECRET}" }';

let sandbox: SalesforceSandbox;
const dirs: string[] = [];
beforeAll(async () => {
  sandbox = await startSandbox({ clients: [{ clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET }, { clientId: JWT_CLIENT, publicKeyPem: keys.publicKeyPem }] });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeProject));
});

async function project(connector: ConnectorOptions, privateKeyPem?: string): Promise<string> {
  const dir = await makeProject({ segments: 'segments: {}', ...connector });
  dirs.push(dir);
  if (privateKeyPem !== undefined) {
    await mkdir(join(dir, 'keys'));
    await writeFile(join(dir, 'keys/cdp.key'), privateKeyPem);
  }
  await seed(dir, people(5));
  return dir;
}

/** Everything a user or a log could see of a run. */
async function visible(dir: string, result: { readonly stdout: string; readonly stderr: string }): Promise<string> {
  return `${result.stdout}${result.stderr}${JSON.stringify(await query(dir, 'select * from cdp.runs'))}`;
}

describe('Salesforce authentication', () => {
  it('JWT bearer: signs an assertion with the key file (relative to the project) that the org verifies', async () => {
    const dir = await project({ auth: JWT_AUTH }, keys.privateKeyPem);
    const result = await runCdp(dir, sandbox, ['sync'], { SF_CLIENT_ID: JWT_CLIENT, SF_PRIVATE_KEY: 'keys/cdp.key' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(contacts(sandbox).size).toBe(5);
    expect(sandbox.stats.tokensIssued).toEqual({ 'jwt-bearer': 1 });
  });

  it('JWT bearer: a key the connected app does not know stops with what to check, and no key material', async () => {
    const other = generateJwtKeyPair();
    const dir = await project({ auth: JWT_AUTH }, other.privateKeyPem);
    const result = await runCdp(dir, sandbox, ['sync', '--json'], { SF_CLIENT_ID: JWT_CLIENT, SF_PRIVATE_KEY: join(dir, 'keys/cdp.key') });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error destination-auth: destination 'salesforce': Salesforce rejected the credentials (invalid_grant: invalid assertion)");
    expect(result.stderr).toMatch(/auth\.privateKeyPath is the private key of the certificate uploaded to the connected app/);
    expect(result.stderr).toContain('the connected app is approved for the user');
    const seen = await visible(dir, result);
    expect(seen).not.toContain('PRIVATE KEY');
    expect(seen).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    expect(sandbox.stats.writeRequests).toBe(0);
  });

  it('JWT bearer: a missing key file names the path to fix', async () => {
    const dir = await project({ auth: JWT_AUTH });
    const result = await runCdp(dir, sandbox, ['sync'], { SF_CLIENT_ID: JWT_CLIENT, SF_PRIVATE_KEY: 'keys/missing.key' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot read the JWT private key file ${join(dir, 'keys/missing.key')} (ENOENT)`);
    expect(result.stderr).toContain('set auth.privateKeyPath');
  });

  it('client credentials: works, and a wrong secret stops without echoing it', async () => {
    const dir = await project({ auth: CLIENT_CREDENTIALS_AUTH });
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(sandbox.stats.tokensIssued).toEqual({ client_credentials: 1 });

    const secret = 'wrong-secret-0123456789';
    await seed(dir, people(6));
    const result = await runCdp(dir, sandbox, ['sync'], { SF_CLIENT_SECRET: secret });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error destination-auth');
    expect(result.stderr).toContain('enables the client credentials flow with a run-as user');
    expect(await visible(dir, result)).not.toContain(secret);
  });

  it('password: uses the OAuth password grant (never SOAP login), and a wrong password stops without echoing it', async () => {
    const dir = await project({});
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(sandbox.stats.tokensIssued).toEqual({ password: 1 });
    expect(Object.keys(sandbox.stats.requests).filter((k) => k.includes('/Soap/'))).toEqual([]);

    const password = 'not-the-password-42';
    await seed(dir, people(6));
    const result = await runCdp(dir, sandbox, ['sync'], { SF_PASSWORD: password });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Salesforce rejected the credentials (invalid_grant: authentication failure)");
    expect(result.stderr).toContain('with the security token appended');
    const seen = await visible(dir, result);
    expect(seen).not.toContain(password);
    expect(seen).not.toContain(DEFAULT_PASSWORD);
    expect(seen).not.toContain(DEFAULT_CLIENT_SECRET);
  });

  it('re-authenticates once when the session is invalidated mid-run, and goes on', async () => {
    const dir = await project({});
    await seed(dir, people(600));
    sandbox.faults.set({ rules: [{ kind: 'delay', ms: 150, match: { path: '/composite/sobjects/Contact/{field}' } }] });
    const running = runCdp(dir, sandbox, ['sync']);
    while ((sandbox.stats.requests['PATCH /composite/sobjects/Contact/{field}'] ?? 0) < 1) await sleep(5);
    sandbox.faults.invalidateSessions();
    const result = await running;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(sandbox.stats.unauthorized).toBeGreaterThan(0);
    expect(sandbox.stats.tokensIssued).toEqual({ password: 2 });
    expect(contacts(sandbox).size).toBe(600);
  });
});

describe('an org that rejects every new session', () => {
  let strict: SalesforceSandbox;
  beforeAll(async () => {
    strict = await startSandbox({ sessionIdleTimeoutMs: 0 });
  });
  afterAll(() => strict.close());

  it('stops after one re-authentication instead of looping', async () => {
    const dir = await project({});
    await sleep(5);
    const result = await runCdp(dir, strict, ['sync']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error session-invalid');
    expect(result.stderr).toContain('again right after cdp re-authenticated');
    expect(strict.stats.tokensIssued.password).toBeLessThanOrEqual(3);
  });
});
