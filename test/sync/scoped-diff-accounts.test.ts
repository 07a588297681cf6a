import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMPANIES } from '@cdp-oss/crm-sandbox';
import type { Row } from '../../src/warehouse/warehouse.js';
import { hubspotContacts, hubspotEnv, hubspotListEmails, query } from '../destinations/destination-fixture.js';
import { cdp, yaml } from '../helpers/project.js';
import { sent, useHubSpotSides, type Side } from './hubspot-sides.js';
import { MODELS, RAW_TABLES, at, lit, random, step } from '../helpers/random-history.js';

/**
 * Accounts in scoped sync diffs (docs/incremental.md#syncs): an account sync (HubSpot companies) and a person sync
 * that maps an account trait and associates each contact with its account's company. Account builds log the
 * accounts and people whose account rows, members, identifiers or segments changed; an account sync logs the
 * members of the accounts it is about to send. Two projects receive the same random history (people moving
 * between companies, companies renamed and deleted, person traits that roll up into accounts, mapped
 * only by the person sync) and `cdp run`
 * after each step, one incrementally and one with --full-refresh: both CRMs must end up equal after every step.
 */
const PEOPLE_LIST = 'CDP: Hot';
const ACCOUNT_LIST = 'CDP: Busy accounts';

const ACCOUNT_MODELS = `${MODELS.replace(
  '\nidentity:',
  `
  - name: seats
    table: raw.seats
    timestamp: updated_at
    changes: snapshot
    identifiers:
      - { column: email, type: email }
  - name: firms
    entity: account
    table: raw.firms
    timestamp: updated_at
    changes: snapshot
    identifiers:
      - { column: company_id, type: company_id }
identity:`,
)}
accounts:
  id_types:
    company_id: { priority: 1 }
  membership:
    - { source: seats, column: company_id, id_type: company_id }
  traits:
    - { name: company_name, from: firms, aggregate: last, column: name }
    - { name: members, rollup: count }
    - { name: revenue, rollup: sum, trait: ltv }
    - { name: pricing_people, rollup: count, where: "pricing_7d > 0" }
  segments:
    - { name: busy, where: "pricing_people >= 2" }
`;

const COMPANIES_SYNC = yaml`
  sync: companies
  destination: hubspot
  object: companies
  where: "company_name is not null"
  mode: upsert
  nulls: clear
  fields:
    name: company_name
    cdp_members: members
  segments:
    busy: { list: "${ACCOUNT_LIST}" }
  create_fields: true
  max_removals_pct: 100
  max_audience_removals_pct: 100
  max_field_clears_pct: 100
`;

const CONTACTS_SYNC = yaml`
  sync: contacts
  destination: hubspot
  object: contacts
  audience: all
  match: { id_type: email }
  mode: upsert
  nulls: clear
  fields:
    cdp_ltv: ltv
    cdp_company_revenue: account.revenue
    cdp_company_pricing: account.pricing_people
  segments:
    hot: { list: "${PEOPLE_LIST}" }
  account: { sync: companies }
  create_fields: true
  max_removals_pct: 100
  max_audience_removals_pct: 100
  max_field_clears_pct: 100
`;

const hubspotSide = useHubSpotSides();

function side(): Promise<Side> {
  const tables = ['create table raw.seats (email varchar, company_id varchar, updated_at timestamp)', 'create table raw.firms (company_id varchar, name varchar, updated_at timestamp)'];
  return hubspotSide({ 'models/m.yaml': ACCOUNT_MODELS, 'connectors/companies.yaml': COMPANIES_SYNC, 'connectors/contacts.yaml': CONTACTS_SYNC }, [...RAW_TABLES, ...tables]);
}

type Summary = Record<string, unknown>;

/** One `cdp run` at `asOf`; each sync's summary from --json, by name. */
async function run(s: Side, asOf: number, fullRefresh: boolean): Promise<Map<string, Summary>> {
  const args = ['run', '--json', '--accept-identity-change', '--as-of', new Date(asOf).toISOString(), ...(fullRefresh ? ['--full-refresh'] : [])];
  const result = await cdp(s.dir, args, hubspotEnv(s.sandbox));
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  const json = JSON.parse(result.stdout) as { syncs?: Summary[] };
  return new Map((json.syncs ?? []).map((x) => [String(x.sync), x]));
}

/** What reaches the CRM and what cdp confirmed, without ids each sandbox numbers on its own. */
async function landed(s: Side): Promise<Record<string, unknown>> {
  const companies = s.sandbox.store.allRecords(COMPANIES);
  const accountOf = new Map(companies.map((c) => [c.id, c.properties.get('cdp_account_id') ?? `(no account id ${c.id})`]));
  const props = (p: ReadonlyMap<string, string>) => Object.fromEntries([...p].filter(([k]) => k.startsWith('cdp_') || k === 'name').sort());
  const contacts = [...hubspotContacts(s.sandbox)].map(([email, c]) => [
    email,
    props(c.properties),
    s.sandbox.store.associations.read('0-1', c.id, '0-2').map((a) => accountOf.get(a.toId) ?? `(gone ${a.toId})`).sort(),
  ]);
  const busy = s.sandbox.store.lists.byName(ACCOUNT_LIST);
  const state = async (sync: string, owner: string): Promise<Row[]> =>
    query(s.dir, `select s.* exclude (destination_id, synced_at, profile_id${sync === 'contacts' ? ', a_account' : ''}), ${owner} as owner from cdp.sync_state_${sync} s order by match_key`);
  return {
    contacts: contacts.sort(),
    companies: companies.map((c) => props(c.properties)).sort((a, b) => String(a.cdp_account_id).localeCompare(String(b.cdp_account_id))),
    hot: hubspotListEmails(s.sandbox, PEOPLE_LIST),
    busy: [...(busy?.members.keys() ?? [])].map((id) => accountOf.get(id)).sort(),
    contactState: await state('contacts', `(select min(i.id_type || ':' || i.id_value) from cdp.identifiers i where i.profile_id = s.profile_id)`),
    companyState: await state('companies', 's.profile_id'),
  };
}

/** Companies and seats as SQL: people join, move between and leave 5 companies; companies appear, are renamed and go. */
function accountStep(next: () => number, asOf: number): string[] {
  const sql: string[] = [];
  const company = () => `c${Math.floor(next() * 5)}`;
  for (let k = 0; k < 4; k++) {
    const email = `u${Math.floor(next() * 30)}@x.com`;
    sql.push(`delete from raw.seats where email = ${lit(email)}`);
    if (next() < 0.85) sql.push(`insert into raw.seats values (${lit(email)}, ${lit(company())}, ${at(asOf - Math.floor(next() * 24) * 3_600_000)})`);
  }
  const r = next();
  const c = company();
  if (r < 0.6) sql.push(`delete from raw.firms where company_id = ${lit(c)}`, `insert into raw.firms values (${lit(c)}, ${lit(`Firm ${c} ${Math.floor(next() * 3)}`)}, ${at(asOf - 3_600_000)})`);
  else if (r < 0.75) sql.push(`delete from raw.firms where company_id = ${lit(c)}`);
  return sql;
}

describe('scoped sync diffs with accounts send what whole diffs send', () => {
  for (const seed of [5, 6]) {
    it(`account sync and a person sync taking account traits and associations, seed ${seed}`, async () => {
      const next = random(seed);
      const scoped = await side();
      const whole = await side();
      const crmIds: number[] = [];
      const crmId = { n: 1 };
      let asOf = Date.parse('2026-03-01T00:00:00Z');
      let previousAsOf = asOf;
      const among: unknown[] = [];
      for (let i = 0; i < 8; i++) {
        for (const sql of [...step(next, asOf, previousAsOf, crmIds, crmId), ...accountStep(next, asOf)]) {
          await query(scoped.dir, sql);
          await query(whole.dir, sql);
        }
        const a = await run(scoped, asOf, false);
        const b = await run(whole, asOf, true);
        for (const sync of ['companies', 'contacts']) expect(sent(a.get(sync)), `seed ${seed}, step ${i}, ${sync}`).toEqual(sent(b.get(sync)));
        expect(await landed(scoped), `seed ${seed}, step ${i}`).toEqual(await landed(whole));
        among.push(['companies', 'contacts'].map((sync) => (a.get(sync)?.match_keys as { among?: string } | undefined)?.among));
        previousAsOf = asOf;
        asOf += Math.floor(next() * 4) * 86_400_000 + Math.floor(next() * 24) * 3_600_000;
      }
      // After the first run, both diffs read only what changed.
      expect(among).toEqual([['all', 'all'], ...Array.from({ length: 7 }, () => ['changed', 'changed'])]);
    });
  }
});

describe('scoped sync diffs follow changes no source row shows', () => {
  it('a segment edited in the model, an account sync that takes more accounts, a company that goes', async () => {
    const scoped = await side();
    const whole = await side();
    const asOf = Date.parse('2026-03-01T00:00:00Z');
    const edit = async (file: string, from: string, to: string, text: string) => {
      for (const s of [scoped, whole]) await writeFile(join(s.dir, file), text.replace(from, to));
    };
    const steps: (() => Promise<string[]>)[] = [
      // Acme (c1) has u1 and u2, a company without a name (c2) has u3; u1 and u3 looked at pricing, u1 bought.
      async () => [
        `insert into raw.firms values ('c1', 'Acme', ${at(asOf - 3_600_000)}), ('c2', null, ${at(asOf - 3_600_000)})`,
        `insert into raw.seats values ('u1@x.com', 'c1', ${at(asOf - 3_600_000)}), ('u2@x.com', 'c1', ${at(asOf - 3_600_000)}), ('u3@x.com', 'c2', ${at(asOf - 3_600_000)})`,
        `insert into raw.events values ('a1', 'u1@x.com', ${at(asOf - 7_200_000)}, '/pricing'), ('a3', 'u3@x.com', ${at(asOf - 7_200_000)}, '/pricing')`,
        `insert into raw.orders values ('u1@x.com', ${at(asOf - 7_200_000)}, 10.00)`,
      ],
      // Both segments take one pricing viewer now: Acme becomes busy, u1 and u3 hot. No row changed.
      async () => {
        await edit('models/m.yaml', 'pricing_people >= 2', 'pricing_people >= 1', ACCOUNT_MODELS.replace('pricing_7d >= 2', 'pricing_7d >= 1'));
        return [];
      },
      // The company sync takes companies without a name too: u3's company (busy too) gets a record, and u3 its association.
      async () => {
        await edit('connectors/companies.yaml', 'where: "company_name is not null"', 'where: "members >= 1"', COMPANIES_SYNC);
        return [];
      },
      // Acme goes from the account source: u1 and u2 have no account any more, and no row of theirs changed.
      async () => [`delete from raw.firms where company_id = 'c1'`],
    ];
    const seen: unknown[] = [];
    for (const [i, make] of steps.entries()) {
      for (const sql of await make()) for (const s of [scoped, whole]) await query(s.dir, sql);
      const a = await run(scoped, asOf + i * 3_600_000, false);
      const b = await run(whole, asOf + i * 3_600_000, true);
      for (const sync of ['companies', 'contacts']) expect(sent(a.get(sync)), `step ${i}, ${sync}`).toEqual(sent(b.get(sync)));
      const got = await landed(scoped);
      expect(got, `step ${i}`).toEqual(await landed(whole));
      const contacts = got.contacts as [string, Record<string, string>, string[]][];
      seen.push({ hot: got.hot, busy: (got.busy as unknown[]).length, associated: contacts.filter((c) => c[2].length > 0).map((c) => c[0]) });
    }
    // What each step was for did happen (so the comparison above is not between two empty CRMs).
    expect(seen).toEqual([
      { hot: [], busy: 0, associated: ['u1@x.com', 'u2@x.com'] },
      { hot: ['u1@x.com', 'u3@x.com'], busy: 1, associated: ['u1@x.com', 'u2@x.com'] },
      { hot: ['u1@x.com', 'u3@x.com'], busy: 2, associated: ['u1@x.com', 'u2@x.com', 'u3@x.com'] },
      { hot: ['u1@x.com', 'u3@x.com'], busy: 1, associated: ['u3@x.com'] },
    ]);
  });
});
