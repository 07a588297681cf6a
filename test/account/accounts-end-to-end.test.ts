import { cp, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPANIES, CONTACTS } from '@cdp-oss/crm-sandbox';
import { loadProject } from '../../src/config/load-project.js';
import { startSandboxes, type Sandboxes } from '../../src/cli/start-sandboxes.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import type { Row } from '../../src/warehouse/warehouse.js';
import { cdp, removeProject, writeProject } from '../helpers/project.js';

/**
 * The repository's sample project (its YAML) on a small generated data set, run with `cdp run` against both
 * CRM sandboxes: accounts become HubSpot companies and Salesforce Accounts, and each contact is tied to its
 * account's record (docs/accounts-sync.md).
 */
const REPO = resolve(import.meta.dirname, '..', '..');
const AS_OF = '2026-12-01T00:00:00Z';
let dir: string;
let sandboxes: Sandboxes;

beforeAll(async () => {
  dir = await writeProject({});
  for (const part of ['cdp.config.yaml', 'models', 'connectors', 'schemas']) await cp(join(REPO, part), join(dir, part), { recursive: true });
  const generated = await cdp(dir, ['generate', '--people', '400', '--seed', '21', '--as-of', AS_OF]);
  expect(generated.code, generated.stderr).toBe(0);
  const { project } = await loadProject(dir, {});
  sandboxes = await startSandboxes(project, dir, { requestsPer10s: 0 });
}, 120_000);

afterAll(async () => {
  await sandboxes?.close();
  if (dir) await removeProject(dir);
});

async function query(sql: string): Promise<Row[]> {
  const w = await DuckDBWarehouse.open({ path: join(dir, '.cdp', 'warehouse.duckdb') });
  try {
    return await w.query(sql);
  } finally {
    await w.close();
  }
}

async function run(): Promise<{ syncs: { sync: string; diff: { field_updates: Record<string, number> } }[] }> {
  const res = await cdp(dir, ['run', '--as-of', AS_OF, '--json'], sandboxes.env);
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as { syncs: { sync: string; diff: { field_updates: Record<string, number> } }[] };
}

/** A number as the warehouse has it, or a CRM's text of it; null for nothing. */
const num = (v: unknown): number | null => (v === null || v === undefined || v === '' ? null : Math.round(Number(v) * 100) / 100);
const text = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));

/** The synced accounts (the connectors send those with a company name), by account_id, as the CRMs should hold them. */
async function expectedAccounts(): Promise<Map<string, (string | number | boolean | null)[]>> {
  const rows = await query(`
    select a.*, s.account_id is not null as hot from cdp.accounts a
    left join cdp.account_segment_members s on s.account_id = a.account_id and s.segment = 'hot_accounts'
    where a.company_name is not null`);
  return new Map(rows.map((r) => [String(r.account_id), [text(r.company_name), text(r.domain), num(r.mrr), num(r.members), num(r.engagement_score), Boolean(r.hot)]]));
}

function hubspotCompanies(): Map<string, (string | number | boolean | null)[]> {
  const list = sandboxes.hubspot.store.lists.byName('CDP: Hot accounts');
  return new Map(
    sandboxes.hubspot.store.allRecords(COMPANIES).map((r) => {
      const p = (k: string) => r.properties.get(k);
      return [String(p('cdp_account_id')), [text(p('name')), text(p('domain')), num(p('cdp_mrr')), num(p('cdp_members')), num(p('cdp_engagement_score')), list?.members.has(r.id) ?? false]];
    }),
  );
}

function salesforceAccounts(): Map<string, (string | number | boolean | null)[]> {
  return new Map(
    sandboxes.salesforce.store.list('Account').map((a) => {
      const v = a.values;
      return [String(v.CDP_Account_Id__c), [text(v.Name), text(v.Website), num(v.CDP_MRR__c), num(v.CDP_Members__c), num(v.CDP_Engagement_Score__c), v.CDP_Hot_Account__c === true]];
    }),
  );
}

/** Each synced contact's account (cdp account_id) as the CRM ties it, by profile, and as account_members says. */
async function contactAccounts(): Promise<{ hubspot: [Map<string, string | null>, Map<string, string | null>]; salesforce: [Map<string, string | null>, Map<string, string | null>] }> {
  const synced = new Set((await query('select account_id from cdp.accounts where company_name is not null')).map((r) => String(r.account_id)));
  const member = new Map((await query('select profile_id, account_id from cdp.account_members')).map((r) => [String(r.profile_id), String(r.account_id)]));
  const expected = (rows: Row[]) => new Map(rows.map((r) => [String(r.profile_id), synced.has(member.get(String(r.profile_id)) ?? '') ? (member.get(String(r.profile_id)) ?? null) : null]));

  const hsState = await query('select profile_id, destination_id from cdp.sync_state_hubspot_contacts where destination_id is not null');
  const companyKey = new Map(sandboxes.hubspot.store.allRecords(COMPANIES).map((r) => [r.id, r.properties.get('cdp_account_id') ?? '?']));
  const hsActual = new Map(
    hsState.map((r) => {
      const linked = sandboxes.hubspot.store.associations.read('0-1', String(r.destination_id), '0-2').map((a) => companyKey.get(a.toId) ?? '?');
      expect(linked.length).toBeLessThanOrEqual(1);
      return [String(r.profile_id), linked[0] ?? null];
    }),
  );
  const sfState = await query('select profile_id, destination_id from cdp.sync_state_salesforce_contacts where destination_id is not null');
  const accountKey = new Map(sandboxes.salesforce.store.list('Account').map((a) => [a.id, String(a.values.CDP_Account_Id__c)]));
  const contacts = new Map(sandboxes.salesforce.store.list('Contact').map((c) => [c.id, c.values.AccountId]));
  const sfActual = new Map(sfState.map((r) => [String(r.profile_id), contacts.get(String(r.destination_id)) ? (accountKey.get(String(contacts.get(String(r.destination_id)))) ?? '?') : null]));
  return { hubspot: [hsActual, expected(hsState)], salesforce: [sfActual, expected(sfState)] };
}

function writes(): { hubspot: number; salesforce: number } {
  return { hubspot: sandboxes.hubspot.stats.writeRequests, salesforce: sandboxes.salesforce.stats.writeRequests };
}

describe('accounts end to end: sample project, cdp run, both sandboxes', () => {
  it('companies and Accounts equal the accounts table, contacts their account_members row; a no-change run writes nothing; a move is one association change', async () => {
    await run();
    const accounts = await expectedAccounts();
    expect(accounts.size).toBeGreaterThan(5);
    expect(hubspotCompanies()).toEqual(accounts);
    expect(salesforceAccounts()).toEqual(accounts);
    const before = await contactAccounts();
    expect(before.hubspot[0]).toEqual(before.hubspot[1]);
    expect(before.salesforce[0]).toEqual(before.salesforce[1]);
    const tied = [...before.hubspot[0].values(), ...before.salesforce[0].values()].filter((a) => a !== null).length;
    expect(tied).toBeGreaterThan(10);

    // cdp inspect account: shows the record each account sync confirmed.
    const [one] = accounts.keys();
    const inspected = await cdp(dir, ['inspect', `account:${one}`, '--json'], sandboxes.env);
    expect(inspected.code, inspected.stderr).toBe(0);
    const view = JSON.parse(inspected.stdout) as { destinations: { sync: string; record: { destination_id: string } | null }[] };
    const company = sandboxes.hubspot.store.allRecords(COMPANIES).find((r) => r.properties.get('cdp_account_id') === one);
    const account = sandboxes.salesforce.store.list('Account').find((a) => a.values.CDP_Account_Id__c === one);
    expect(view.destinations.map((d) => [d.sync, d.record?.destination_id])).toEqual([
      ['hubspot_companies', company?.id],
      ['salesforce_accounts', account?.id],
    ]);

    sandboxes.hubspot.resetStats();
    sandboxes.salesforce.resetStats();
    await run();
    expect(writes()).toEqual({ hubspot: 0, salesforce: 0 });

    // Move one person, synced to both CRMs, whose Salesforce export row names their account, to another account.
    const [moving] = await query(`
      with links as (
        select i.profile_id, x.account_id as sf_account from read_csv('${join(dir, 'data', 'salesforce_contacts.csv')}', header = true, all_varchar = true) x
        join cdp.identifiers i on i.id_type = 'email' and i.id_value = lower(x.email)
        where x.account_id is not null
      )
      select l.profile_id, l.sf_account, m.account_id from links l
      join cdp.account_members m using (profile_id)
      join cdp.sync_state_hubspot_contacts h on h.profile_id = l.profile_id and h.destination_id is not null
      join cdp.sync_state_salesforce_contacts s on s.profile_id = l.profile_id and s.destination_id is not null
      where l.profile_id in (select profile_id from links group by 1 having count(*) = 1) and m.reason = 'salesforce_contact_accounts.account_id'
      order by 1 limit 1`);
    expect(moving).toBeDefined();
    const [target] = await query(`
      select i.id_value, i.account_id from cdp.account_identifiers i join cdp.accounts a using (account_id)
      where i.id_type = 'salesforce_account_id' and a.company_name is not null and i.account_id <> '${String(moving.account_id)}' order by 1 limit 1`);
    const csv = join(dir, 'data', 'salesforce_contacts.csv');
    const lines = (await readFile(csv, 'utf8')).split('\n');
    const email = (await query(`select id_value from cdp.identifiers where profile_id = '${String(moving.profile_id)}' and id_type = 'email'`)).map((r) => String(r.id_value));
    const at = lines.findIndex((l) => email.includes(l.split(',')[1]?.toLowerCase() ?? '') && l.endsWith(`,${String(moving.sf_account)}`));
    expect(at).toBeGreaterThan(0);
    lines[at] = lines[at].replace(new RegExp(`,${String(moving.sf_account)}$`), `,${String(target.id_value)}`);
    await writeFile(csv, lines.join('\n'));

    sandboxes.hubspot.resetStats();
    sandboxes.salesforce.resetStats();
    const moved = await run();
    const [member] = await query(`select account_id from cdp.account_members where profile_id = '${String(moving.profile_id)}'`);
    expect(member.account_id).toBe(target.account_id);
    for (const sync of ['hubspot_contacts', 'salesforce_contacts']) expect(moved.syncs.find((s) => s.sync === sync)?.diff.field_updates['@account']).toBe(1);
    const hs = sandboxes.hubspot.stats.requests;
    expect([hs['POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/archive'], hs['POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/create']]).toEqual([1, 1]);
    const after = await contactAccounts();
    expect(after.hubspot[0]).toEqual(after.hubspot[1]);
    expect(after.salesforce[0]).toEqual(after.salesforce[1]);
    for (const crm of ['hubspot', 'salesforce'] as const) {
      const changed = [...after[crm][0]].filter(([p, a]) => before[crm][0].get(p) !== a);
      expect(changed).toEqual([[String(moving.profile_id), String(target.account_id)]]);
    }
    expect(hubspotCompanies()).toEqual(await expectedAccounts());
    expect(salesforceAccounts()).toEqual(await expectedAccounts());
  }, 240_000);
});
