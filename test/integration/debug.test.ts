import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/config/load-project.js';
import { generateJwtKeyPair } from '@cdp-oss/crm-sandbox';
import { startSandboxes, type Sandboxes } from '../../src/cli/start-sandboxes.js';
import { cdp, removeProject, writeProject, yaml } from '../helpers/project.js';

let dir: string;
let sandboxes: Sandboxes;
beforeAll(async () => {
  dir = await writeProject({
    'cdp.config.yaml': yaml`
      project: t
      destinations:
        hubspot:
          type: hubspot
          accessToken: \${HUBSPOT_ACCESS_TOKEN}
          baseUrl: \${HUBSPOT_BASE_URL}
        salesforce:
          type: salesforce
          loginUrl: \${SALESFORCE_LOGIN_URL}
          auth: { flow: jwt, clientId: "\${SF_CLIENT_ID}", username: "\${SF_USERNAME}", privateKeyPath: "\${SF_PRIVATE_KEY}" }
    `,
    'models/m.yaml': yaml`
      traits:
        - { name: email, sql: "'a@b.io'" }
    `,
    'connectors/sf.yaml': yaml`
      sync: sf_leads
      destination: salesforce
      object: Lead
      match: { trait: email, field: Email }
    `,
  });
  sandboxes = await startSandboxes((await loadProject(dir, {})).project, dir);
});
afterAll(async () => {
  await sandboxes.close();
  await removeProject(dir);
});

describe('cdp debug', () => {
  it('passes every check with good credentials: the warehouse, a HubSpot properties read, a Salesforce login and describe', async () => {
    const result = await cdp(dir, ['debug'], sandboxes.env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ok    warehouse (duckdb .cdp/warehouse.duckdb): select 1: connected and ran a query');
    expect(result.stdout).toMatch(/^ok {4}destination hubspot \(hubspot\): contacts properties: read \d+ contacts properties$/m);
    expect(result.stdout).toMatch(/^ok {4}destination salesforce \(salesforce\): login: logged in to http:\/\/127\.0\.0\.1:\d+ \(API 62\.0\)$/m);
    // the object the sync uses, not a default one
    expect(result.stdout).toMatch(/^ok {4}destination salesforce \(salesforce\): Lead describe: \d+ fields; the integration user may create and update Lead records$/m);
    expect(result.stdout).toContain('all 4 checks passed');
  });

  it('fails the checks a wrong token or key fails, exits 1, and prints no secret', async () => {
    const other = generateJwtKeyPair();
    const keyPath = join(dir, 'other.pem');
    await writeFile(keyPath, other.privateKeyPem);
    const token = 'pat-na1-00000000-wrong-token-1234';
    const result = await cdp(dir, ['debug', '--json'], { ...sandboxes.env, HUBSPOT_ACCESS_TOKEN: token, SF_PRIVATE_KEY: keyPath });
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as { ok: boolean; checks: { target: string; check: string; ok: boolean; code?: string }[] };
    expect(summary.ok).toBe(false);
    expect(summary.checks.map((c) => [c.target, c.check, c.ok, c.code])).toEqual([
      ['warehouse (duckdb .cdp/warehouse.duckdb)', 'select 1', true, undefined],
      ['destination hubspot (hubspot)', 'contacts properties', false, 'destination-auth'],
      ['destination salesforce (salesforce)', 'login', false, 'destination-auth'],
    ]);
    expect(result.stderr).toContain("FAIL  destination hubspot (hubspot): contacts properties: destination-auth: HubSpot rejected the access token (401");
    expect(result.stderr).toContain('FAIL  destination salesforce (salesforce): login: destination-auth:');
    expect(result.stderr).toContain('2 of 3 checks failed');
    expect(`${result.stdout}${result.stderr}`).not.toContain(token);
    expect(`${result.stdout}${result.stderr}`).not.toContain('PRIVATE KEY');
  });

  it('needs every destination\'s ${VAR}s (exit 2, nothing contacted)', async () => {
    const { HUBSPOT_ACCESS_TOKEN: _unset, ...env } = sandboxes.env;
    const result = await cdp(dir, ['debug'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("missing-env destination 'hubspot' needs ${HUBSPOT_ACCESS_TOKEN}");
  });
});
