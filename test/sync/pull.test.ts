import { Client } from '@hubspot/api-client';
import type jsforce from 'jsforce';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTACTS } from '../../src/sandbox/hubspot/hubspot-object-types.js';
import type { HubSpotSandbox } from '../../src/sandbox/hubspot/hubspot-sandbox.js';
import type { SalesforceSandbox } from '../../src/sandbox/salesforce/salesforce-sandbox.js';
import { cdp, removeProject, writeProject, yaml } from '../helpers/project.js';
import { passwordConnection } from '../sandbox/salesforce-test-helpers.js';
import { PASSWORD_AUTH, sandboxEnv, startSandbox as startSalesforce } from './salesforce-fixture.js';
import { query, startSandbox as startHubSpot, TOKEN } from './sync-fixture.js';

let hubspot: HubSpotSandbox;
let salesforce: SalesforceSandbox;
const dirs: string[] = [];
beforeAll(async () => {
  hubspot = await startHubSpot();
  salesforce = await startSalesforce();
});
afterAll(async () => {
  await hubspot.close();
  await salesforce.close();
});
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeProject));
});

interface PullJson {
  readonly pulls: readonly { readonly destination: string; readonly object: string; readonly full: boolean; readonly changed: number; readonly deleted: number; readonly requests: number }[];
}

async function project(): Promise<string> {
  const dir = await writeProject({
    'cdp.config.yaml': yaml`
      project: t
      warehouse: { type: duckdb, path: .cdp/warehouse.duckdb }
      destinations:
        hubspot:
          type: hubspot
          accessToken: \${HUBSPOT_ACCESS_TOKEN}
          baseUrl: \${HUBSPOT_BASE_URL}
          requestsPer10s: 1000
        salesforce:
          type: salesforce
          loginUrl: \${SALESFORCE_LOGIN_URL}
          auth: ${PASSWORD_AUTH}
    `,
    'models/crm.yaml': yaml`
      sources:
        - name: hubspot_contacts
          table: cdp.crm_hubspot_contacts
          timestamp: pulled_at
          identifiers:
            - { column: id, type: hubspot_id }
            - { column: email, type: email }
        - name: salesforce_contacts
          table: cdp.crm_salesforce_contact
          timestamp: pulled_at
          identifiers:
            - { column: id, type: salesforce_id }
            - { column: email, type: email }
      identity:
        id_types:
          email: { priority: 1, normalize: email }
          hubspot_id: { priority: 2 }
          salesforce_id: { priority: 3 }
      traits:
        - { name: first_name, from: hubspot_contacts, aggregate: last, column: firstname }
    `,
  });
  dirs.push(dir);
  return dir;
}

const env = () => ({ HUBSPOT_BASE_URL: hubspot.url, HUBSPOT_ACCESS_TOKEN: TOKEN, CDP_DRIFT_OVERLAP_MS: '0', ...sandboxEnv(salesforce) });

async function pull(dir: string): Promise<PullJson['pulls']> {
  const result = await cdp(dir, ['pull', '--json'], env());
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as PullJson).pulls;
}

/**
 * The HubSpot sandbox's clock moves at least 1 ms per write, so a burst of writes puts it ahead of real
 * time; pulls here use no overlap (CDP_DRIFT_OVERLAP_MS=0), so wait until real time has caught up.
 */
async function settled(): Promise<void> {
  while (Date.parse(hubspot.store.timestamp()) > Date.now()) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 1_100)); // Salesforce SOQL literals are whole seconds
}

const of = (pulls: PullJson['pulls'], destination: string, object: string) => pulls.find((p) => p.destination === destination && p.object === object);

describe('cdp pull', () => {
  it('copies HubSpot and Salesforce records into the warehouse; the second pull reads only what changed; ids reach identity', async () => {
    hubspot.reset();
    salesforce.reset();
    const client = new Client({ accessToken: TOKEN, basePath: hubspot.url, numberOfApiCallRetries: 0 });
    const conn: jsforce.Connection = await passwordConnection(salesforce);
    const ids = Array.from({ length: 450 }, (_, i) => hubspot.store.createRecord(CONTACTS, { email: `person${i}@acme.io`, firstname: `Name${i}` }).id);
    const sfIds = salesforce.seed('Contact', Array.from({ length: 30 }, (_, i) => ({ LastName: `Family${i}`, Email: `person${i}@acme.io` })));
    const dir = await project();
    await settled();

    const first = await pull(dir);
    expect(of(first, 'hubspot', 'contacts')).toMatchObject({ full: true, changed: 450, deleted: 0 });
    expect(of(first, 'salesforce', 'Contact')).toMatchObject({ full: true, changed: 30, deleted: 0 });
    expect(of(first, 'salesforce', 'Lead')).toMatchObject({ changed: 0 });

    await client.crm.contacts.basicApi.update(ids[3], { properties: { firstname: 'Edited' } });
    await client.crm.contacts.basicApi.archive(ids[4]);
    await client.crm.contacts.basicApi.create({ properties: { email: 'new@acme.io' }, associations: [] });
    await conn.sobject('Contact').update({ Id: sfIds[5], FirstName: 'Edited' });
    await conn.sobject('Contact').destroy(sfIds[6]);
    await settled();
    const second = await pull(dir);
    // HubSpot: one page of the modified-date search, one of the archived listing, one live count.
    expect(of(second, 'hubspot', 'contacts')).toMatchObject({ full: false, changed: 2, deleted: 1, requests: 3 });
    expect(of(second, 'salesforce', 'Contact')).toMatchObject({ full: false, changed: 1, deleted: 1 });
    expect(of(second, 'salesforce', 'Contact')?.requests).toBeLessThanOrEqual(4);

    const rows = await query(dir, 'select id, deleted, firstname, email from cdp.crm_hubspot_contacts order by cast(id as integer)');
    expect(rows).toHaveLength(451);
    expect(rows.find((r) => r.id === ids[3])).toMatchObject({ firstname: 'Edited', deleted: false });
    expect(rows.find((r) => r.id === ids[4])).toMatchObject({ deleted: true, email: 'person4@acme.io' });
    const sfRows = await query(dir, 'select id, deleted, firstname from cdp.crm_salesforce_contact');
    expect(sfRows.find((r) => r.id === sfIds[5])).toMatchObject({ firstname: 'Edited', deleted: false });
    expect(sfRows.find((r) => r.id === sfIds[6])).toMatchObject({ deleted: true });

    expect((await cdp(dir, ['build'], env())).code).toBe(0);
    const inspect = await cdp(dir, ['inspect', 'email:person3@acme.io'], env());
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toContain(`hubspot_id:${ids[3]}`);
    expect(inspect.stdout).toContain(`salesforce_id:${sfIds[3]}`);
    expect(inspect.stdout).toContain('Edited');
  });

  it('cdp run --pull pulls before it builds', async () => {
    hubspot.reset();
    salesforce.reset();
    hubspot.store.createRecord(CONTACTS, { email: 'only@acme.io', firstname: 'Only' });
    const dir = await project();
    const result = await cdp(dir, ['run', '--pull', '--json'], env());
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as PullJson & { build: unknown };
    expect(of(json.pulls, 'hubspot', 'contacts')).toMatchObject({ changed: 1 });
    expect((await cdp(dir, ['inspect', 'email:only@acme.io'], env())).stdout).toContain('Only');
  });
});
