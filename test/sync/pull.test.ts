import { Client } from '@hubspot/api-client';
import type jsforce from 'jsforce';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONTACTS } from '@cdp-oss/crm-sandbox';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import type { SalesforceSandbox } from '@cdp-oss/crm-sandbox';
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

async function project(extra: Record<string, string> = {}): Promise<string> {
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
    ...extra,
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

  it('notices records that vanished from the CRM without a trace (an emptied portal) and marks them deleted', async () => {
    hubspot.reset();
    salesforce.reset();
    for (const i of [1, 2, 3]) hubspot.store.createRecord(CONTACTS, { email: `gone${i}@acme.io`, firstname: `Gone${i}` });
    const dir = await project();
    await settled();
    expect(of(await pull(dir), 'hubspot', 'contacts')).toMatchObject({ full: true, changed: 3 });
    hubspot.reset();
    await settled();
    const second = of(await pull(dir), 'hubspot', 'contacts');
    // Nothing was modified or archived, but the live count (0) is below the 3 rows held: the held ids
    // are checked in one batch read (search, archived listing, count, batch read).
    expect(second).toMatchObject({ full: false, changed: 0, deleted: 3, requests: 4 });
    const rows = await query(dir, 'select email, deleted from cdp.crm_hubspot_contacts order by email');
    expect(rows).toEqual([
      { email: 'gone1@acme.io', deleted: true },
      { email: 'gone2@acme.io', deleted: true },
      { email: 'gone3@acme.io', deleted: true },
    ]);
  });

  it('cdp run --pull answers drift checks from the pulled table: a hand edit is restored with no extra reads', async () => {
    hubspot.reset();
    salesforce.reset();
    for (const i of [1, 2, 3]) hubspot.store.createRecord(CONTACTS, { email: `p${i}@acme.io`, firstname: `Name${i}` });
    const dir = await project({
      'models/email.yaml': yaml`
        traits:
          - { name: email, from: hubspot_contacts, aggregate: last, column: email }
      `,
      'connectors/contacts.yaml': yaml`
        sync: contacts
        destination: hubspot
        object: contacts
        audience: all
        match: { trait: email, field: email }
        fields:
          cdp_first_name: first_name
        create_fields: true
        drift: true
      `,
    });
    await settled();
    const first = await cdp(dir, ['run', '--pull', '--json'], env());
    expect(first.code, first.stderr).toBe(0);
    await settled();
    const client = new Client({ accessToken: TOKEN, basePath: hubspot.url, numberOfApiCallRetries: 0 });
    const edited = hubspot.store.allRecords(CONTACTS).find((r) => r.properties.get('email') === 'p2@acme.io');
    expect(edited?.properties.get('cdp_first_name')).toBe('Name2');
    await client.crm.contacts.basicApi.update(edited?.id ?? '', { properties: { cdp_first_name: 'Typed by sales' } });
    await settled();

    hubspot.resetStats();
    const second = await cdp(dir, ['run', '--pull', '--json'], env());
    expect(second.code, second.stderr).toBe(0);
    const json = JSON.parse(second.stdout) as PullJson & { syncs: { drift: { edited: number; requests: number; from: string } }[] };
    expect(json.syncs[0].drift).toMatchObject({ edited: 1, requests: 0, from: 'pull' });
    expect(hubspot.store.allRecords(CONTACTS).find((r) => r.properties.get('email') === 'p2@acme.io')?.properties.get('cdp_first_name')).toBe('Name2');
    // Reads were the pull's only: the drift check sent none of its own.
    const pulled = json.pulls.filter((p) => p.destination === 'hubspot').reduce((n, p) => n + p.requests, 0);
    const reads = Object.entries(hubspot.stats.requests).filter(([route]) => /\/search$|^GET \/crm\/v3\/objects\/\w+$|batch\/read$/.test(route));
    expect(reads.reduce((n, [, count]) => n + count, 0), JSON.stringify(hubspot.stats.requests)).toBe(pulled);
  });

  it('a snapshot source with pulled: is hashed again once the pulled records replace its unchanged export', async () => {
    hubspot.reset();
    salesforce.reset();
    hubspot.store.createRecord(CONTACTS, { email: 'same@acme.io', firstname: 'FromTheCrm' });
    const dir = await project({
      'data/contacts.csv': 'email,firstname,updated_at\nsame@acme.io,FromTheExport,2026-01-01 00:00:00\n',
      'models/crm.yaml': yaml`
        sources:
          - name: hubspot_contacts
            path: data/contacts.csv
            pulled:
              destination: hubspot
              object: contacts
              columns: { email: email, firstname: firstname, updated_at: pulled_at }
            changes: snapshot
            identifiers:
              - { column: email, type: email }
        identity:
          id_types:
            email: { priority: 1, normalize: email }
        traits:
          # No timestamp, so no row crosses the reference time: only the rows' hashes can touch the profile.
          - { name: first_name, from: hubspot_contacts, aggregate: max, column: firstname }
      `,
    });
    const firstName = async () => (await query(dir, 'select first_name from cdp.profiles'))[0]?.first_name;
    const profilesMode = (stdout: string) => (JSON.parse(stdout) as { build?: { profiles?: { mode: string } }; profiles?: { mode: string } });
    for (const mode of ['full', 'incremental']) {
      const built = await cdp(dir, ['--json', 'build'], env());
      expect(built.code, built.stderr).toBe(0);
      expect(profilesMode(built.stdout).profiles?.mode).toBe(mode);
    }
    expect(await firstName()).toBe('FromTheExport');

    // The export is unchanged, and so is every identifier: only hashing the pulled rows shows the new first name.
    const result = await cdp(dir, ['--json', 'run', '--pull'], env());
    expect(result.code, result.stderr).toBe(0);
    expect(profilesMode(result.stdout).build?.profiles?.mode).toBe('incremental');
    expect(await firstName()).toBe('FromTheCrm');
  });

  it('a source with pulled: reads its export until the first pull, then the pulled records; validate checks its columns', async () => {
    hubspot.reset();
    salesforce.reset();
    hubspot.store.createRecord(CONTACTS, { email: 'crm@acme.io', firstname: 'FromTheCrm' });
    const dir = await project({
      'data/contacts.csv': 'contact_id,email,firstname,updated_at\nx1,export@acme.io,FromTheExport,2026-01-01 00:00:00\n',
      'models/crm.yaml': yaml`
        sources:
          - name: hubspot_contacts
            path: data/contacts.csv
            pulled:
              destination: hubspot
              object: contacts
              columns: { contact_id: id, email: email, firstname: firstname, updated_at: pulled_at }
            timestamp: updated_at
            identifiers:
              - { column: contact_id, type: hubspot_id }
              - { column: email, type: email }
        identity:
          id_types:
            email: { priority: 1, normalize: email }
            hubspot_id: { priority: 2 }
        traits:
          - { name: first_name, from: hubspot_contacts, aggregate: last, column: firstname }
      `,
    });
    expect((await cdp(dir, ['build'], env())).code).toBe(0);
    expect(await query(dir, 'select email, firstname from cdp.source_hubspot_contacts')).toEqual([{ email: 'export@acme.io', firstname: 'FromTheExport' }]);
    const result = await cdp(dir, ['run', '--pull'], env());
    expect(result.code, result.stderr).toBe(0);
    expect(await query(dir, 'select email, firstname from cdp.source_hubspot_contacts')).toEqual([{ email: 'crm@acme.io', firstname: 'FromTheCrm' }]);
    expect((await cdp(dir, ['inspect', 'email:crm@acme.io'], env())).stdout).toContain('FromTheCrm');

    await writeFile(join(dir, 'models/crm.yaml'), (await readFile(join(dir, 'models/crm.yaml'), 'utf8')).replace('firstname: firstname', 'firstname: first_nme'));
    const invalid = await cdp(dir, ['validate'], env());
    expect(invalid.code).toBe(2);
    expect(invalid.stderr + invalid.stdout).toMatch(/models\/crm\.yaml:\d+:\d+ unknown-column .*'first_nme'.*firstname/);
  });
});
