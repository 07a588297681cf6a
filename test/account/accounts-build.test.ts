import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import type { Row } from '../../src/warehouse/warehouse.js';
import { cdp, removeProject, writeProject, yaml } from '../helpers/project.js';

/**
 * The account entity end to end on DuckDB (docs/accounts.md): `cdp build` on CSV sources, then the
 * account tables read back. Roll-ups are checked against values computed here, in TypeScript, from the
 * same input rows and the membership the fixture was written to have.
 */
const AS_OF = '2026-06-30T12:00:00Z';
const CONTACTS = [
  // email, salesforce account id, updated_at
  ['ann@acme.com', 'SF1', '2026-06-01 00:00:00'],
  ['bob@acme.com', '', '2026-06-01 00:00:00'],
  ['cid@gmail.com', 'SF2', '2026-06-01 00:00:00'], // free mail, but the CRM names the account
  ['dan@gmail.com', '', '2026-06-01 00:00:00'], // free mail and no CRM account: in no account
  ['eve@beta.io', 'SF1', '2026-06-01 00:00:00'], // the column rule comes first: acme, not beta.io
  ['fay@gamma.dev', '', '2026-06-01 00:00:00'], // no CRM record: the email domain makes the account
] as const;
type Event = readonly [email: string, path: string, amount: number, ts: string];
const EVENTS: Event[] = [
  ['ann@acme.com', '/pricing', 0, '2026-06-29 10:00:00'],
  ['ann@acme.com', '/pricing', 0, '2026-06-28 10:00:00'],
  ['bob@acme.com', '/pricing', 0, '2026-06-29 11:00:00'],
  ['bob@acme.com', '/buy', 200, '2026-06-10 00:00:00'],
  ['cid@gmail.com', '/pricing', 40, '2026-06-01 00:00:00'], // outside the 7-day window
  ['dan@gmail.com', '/pricing', 5, '2026-06-29 00:00:00'],
  ['eve@beta.io', '/buy', 75, '2026-06-20 00:00:00'],
  ['fay@gamma.dev', '/pricing', 0, '2026-06-29 00:00:00'],
];
const MODELS = yaml`
  sources:
    - name: crm_contacts
      path: data/contacts.csv
      timestamp: updated_at
      identifiers: [{ column: email, type: email }]
    - name: events
      path: data/events.csv
      timestamp: ts
      identifiers: [{ column: email, type: email }]
    - name: sf_accounts
      entity: account
      path: data/sf_accounts.csv
      identifiers: [{ column: sf_id, type: salesforce_account_id }, { column: website, type: domain }]
    - name: subscriptions
      entity: account
      path: data/subscriptions.csv
      timestamp: started_at
      identifiers: [{ column: billing_id, type: billing_account_id }, { column: domain, type: domain }]
  identity:
    id_types:
      email: { priority: 1 }
  traits:
    - { name: pricing_views_7d, from: events, aggregate: count, where: "path = '/pricing'", window: 7d }
    - { name: lifetime_value, from: events, aggregate: sum, column: amount }
  segments:
    - { name: high_intent, where: "pricing_views_7d >= 2" }
  accounts:
    id_types:
      salesforce_account_id: { priority: 1 }
      billing_account_id: { priority: 1 }
      domain: { priority: 2, normalize: domain }
    free_mail_domains: [mail.example-isp.net]
    membership:
      - { source: crm_contacts, column: account_id, id_type: salesforce_account_id }
      - { email_domain: true }
    traits:
      - { name: mrr, from: subscriptions, aggregate: sum, column: mrr }
      - { name: members, rollup: count }
      - { name: pricing_viewers_7d, rollup: count, where: "pricing_views_7d > 0" }
      - { name: high_intent_members, rollup: count, segment: high_intent }
      - { name: total_ltv, rollup: sum, trait: lifetime_value }
      - { name: max_ltv, rollup: max, trait: lifetime_value }
      - { name: engagement_score, sql: "pricing_viewers_7d * 10 + members" }
    segments:
      - { name: hot_accounts, where: "pricing_viewers_7d >= 2" }
`;

const csv = (header: string, rows: readonly (readonly (string | number)[])[]) => `${header}\n${rows.map((r) => r.join(',')).join('\n')}\n`;
let dir: string;
const write = (name: string, text: string) => writeFile(join(dir, name), text);
async function query(sql: string): Promise<Row[]> {
  const w = await DuckDBWarehouse.open({ path: join(dir, '.cdp/warehouse.duckdb') });
  try {
    return await w.query(sql);
  } finally {
    await w.close();
  }
}
const accountOf = async (type: string, value: string) =>
  String((await query(`select account_id from cdp.account_identifiers where id_type = '${type}' and id_value = '${value}'`))[0]?.account_id);
const membership = async (): Promise<Record<string, { account: string; reason: string }>> =>
  Object.fromEntries(
    (await query(`select i.id_value as email, m.account_id, m.reason from cdp.account_members m join cdp.identifiers i on i.profile_id = m.profile_id and i.id_type = 'email'`)).map(
      (r) => [String(r.email), { account: String(r.account_id), reason: String(r.reason) }],
    ),
  );

/** The roll-ups computed from the event rows and a membership (email -> account), independently of cdp. */
function expectedRollups(events: readonly Event[], members: Readonly<Record<string, string>>) {
  const asOf = Date.parse(AS_OF);
  const person = new Map<string, { views: number; ltv: number }>();
  for (const email of Object.keys(members)) person.set(email, { views: 0, ltv: 0 });
  for (const [email, path, amount, ts] of events) {
    const p = person.get(email);
    if (!p) continue;
    const at = Date.parse(`${ts.replace(' ', 'T')}Z`);
    if (path === '/pricing' && at > asOf - 7 * 86400_000 && at <= asOf) p.views += 1;
    p.ltv += amount;
  }
  const out = new Map<string, { members: number; pricing_viewers_7d: number; high_intent_members: number; total_ltv: number; max_ltv: number }>();
  for (const [email, account] of Object.entries(members)) {
    const p = person.get(email) as { views: number; ltv: number };
    const a = out.get(account) ?? { members: 0, pricing_viewers_7d: 0, high_intent_members: 0, total_ltv: 0, max_ltv: -Infinity };
    a.members += 1;
    if (p.views > 0) a.pricing_viewers_7d += 1;
    if (p.views >= 2) a.high_intent_members += 1;
    a.total_ltv += p.ltv;
    a.max_ltv = Math.max(a.max_ltv, p.ltv);
    out.set(account, a);
  }
  return out;
}

async function checkRollups(events: readonly Event[], members: Readonly<Record<string, string>>): Promise<void> {
  const accounts = Object.fromEntries((await query('select * from cdp.accounts')).map((r) => [String(r.account_id), r]));
  for (const [account, want] of expectedRollups(events, members)) {
    const got = accounts[account];
    expect(got, account).toBeDefined();
    expect(Number(got.members)).toBe(want.members);
    expect(Number(got.pricing_viewers_7d)).toBe(want.pricing_viewers_7d);
    expect(Number(got.high_intent_members)).toBe(want.high_intent_members);
    expect(Number(got.total_ltv)).toBe(want.total_ltv);
    expect(Number(got.max_ltv)).toBe(want.max_ltv);
    expect(Number(got.engagement_score)).toBe(want.pricing_viewers_7d * 10 + want.members);
  }
}

beforeAll(async () => {
  dir = await writeProject({
    'cdp.config.yaml': 'project: accounts\n',
    'models/m.yaml': MODELS,
    'data/contacts.csv': csv('email,account_id,updated_at', CONTACTS),
    'data/events.csv': csv('email,path,amount,ts', EVENTS),
    'data/sf_accounts.csv': csv('sf_id,website', [
      ['SF1', 'https://www.Acme.com/about'],
      ['SF2', 'beta.io:443'],
      ['SF3', 'gmail.com'], // a free-mail domain is never an account identifier
    ]),
    'data/subscriptions.csv': csv('billing_id,domain,mrr,started_at', [
      ['B1', 'acme.com', 100, '2026-01-01 00:00:00'],
      ['B1', 'ACME.com', 50, '2026-02-01 00:00:00'],
      ['B2', 'http://beta.io/', 30, '2026-03-01 00:00:00'],
      ['B3', 'WWW.DELTA.COM', 10, '2026-04-01 00:00:00'],
      ['B4', 'mail.example-isp.net', 5, '2026-04-01 00:00:00'], // the project's own free-mail domain
    ]),
  });
}, 60_000);
afterAll(() => removeProject(dir));

describe('accounts on DuckDB', () => {
  it('links CRM ids, billing ids and normalised domains into accounts; free mail never', async () => {
    const run = await cdp(dir, ['build', '--as-of', AS_OF]);
    expect(run.code, run.stderr).toBe(0);
    const ids = await query('select account_id, id_type, id_value from cdp.account_identifiers order by id_type, id_value');
    const groups = new Map<string, string[]>();
    for (const r of ids) groups.set(String(r.account_id), [...(groups.get(String(r.account_id)) ?? []), `${r.id_type}:${r.id_value}`]);
    expect([...groups.values()].map((g) => g.sort().join(' ')).sort()).toEqual([
      'billing_account_id:B1 domain:acme.com salesforce_account_id:SF1',
      'billing_account_id:B2 domain:beta.io salesforce_account_id:SF2',
      'billing_account_id:B3 domain:delta.com',
      'billing_account_id:B4',
      'domain:gamma.dev',
      'salesforce_account_id:SF3',
    ]);
    expect(ids.some((r) => /gmail|example-isp/.test(String(r.id_value)))).toBe(false);
  });

  it('gives each person at most one account, the first rule winning, with the reason', async () => {
    const acme = await accountOf('domain', 'acme.com');
    const beta = await accountOf('domain', 'beta.io');
    const gamma = await accountOf('domain', 'gamma.dev');
    expect(await membership()).toEqual({
      'ann@acme.com': { account: acme, reason: 'crm_contacts.account_id' },
      'bob@acme.com': { account: acme, reason: 'email_domain:acme.com' },
      'cid@gmail.com': { account: beta, reason: 'crm_contacts.account_id' },
      'eve@beta.io': { account: acme, reason: 'crm_contacts.account_id' },
      'fay@gamma.dev': { account: gamma, reason: 'email_domain:gamma.dev' },
    });
  });

  it('computes aggregates and roll-ups exactly, and account segments', async () => {
    const acme = await accountOf('domain', 'acme.com');
    const beta = await accountOf('domain', 'beta.io');
    const gamma = await accountOf('domain', 'gamma.dev');
    const members = { 'ann@acme.com': acme, 'bob@acme.com': acme, 'eve@beta.io': acme, 'cid@gmail.com': beta, 'fay@gamma.dev': gamma };
    await checkRollups(EVENTS, members);
    const mrr = Object.fromEntries((await query('select account_id, mrr from cdp.accounts')).map((r) => [String(r.account_id), r.mrr === null ? null : Number(r.mrr)]));
    expect(mrr[acme]).toBe(150);
    expect(mrr[beta]).toBe(30);
    expect(mrr[gamma]).toBeNull();
    expect(await query('select account_id, segment from cdp.account_segment_members')).toEqual([{ account_id: acme, segment: 'hot_accounts' }]);
  });

  it('cdp inspect account: shows identifiers, members with their reason, traits and segments', async () => {
    const acme = await accountOf('domain', 'acme.com');
    const byDomain = await cdp(dir, ['inspect', 'account:https://WWW.acme.com/pricing']);
    expect(byDomain.code, byDomain.stderr).toBe(0);
    const out = byDomain.stdout + byDomain.stderr;
    expect(out).toContain(`account ${acme}`);
    expect(out).toContain('billing_account_id:B1');
    expect(out).toContain('salesforce_account_id:SF1');
    expect(out).toMatch(/email:bob@acme\.com {2}\(email_domain:acme\.com\)/);
    expect(out).toMatch(/email:eve@beta\.io {2}\(crm_contacts\.account_id\)/);
    expect(out).toMatch(/members +3/);
    expect(out).toMatch(/in {2}hot_accounts since/);
    const byId = await cdp(dir, ['inspect', `account:${acme}`]);
    expect(byId.stdout + byId.stderr).toContain('salesforce_account_id:SF1');
    const none = await cdp(dir, ['inspect', 'account:gmail.com']);
    expect(none.stdout + none.stderr).toContain('no account (no account has this identifier)');
  });

  it('records a person moving between accounts, keeps account ids, and segment entries and exits', async () => {
    const acme = await accountOf('domain', 'acme.com');
    const beta = await accountOf('domain', 'beta.io');
    const gamma = await accountOf('domain', 'gamma.dev');
    await write('data/contacts.csv', csv('email,account_id,updated_at', CONTACTS.map((c) => (c[0] === 'bob@acme.com' ? [c[0], 'SF2', c[2]] : c))));
    const events: Event[] = [...EVENTS, ['cid@gmail.com', '/pricing', 0, '2026-06-30 01:00:00']];
    await write('data/events.csv', csv('email,path,amount,ts', events));
    const run = await cdp(dir, ['build', '--as-of', AS_OF]);
    expect(run.code, run.stderr).toBe(0);
    expect(await accountOf('domain', 'acme.com')).toBe(acme);
    expect(await accountOf('salesforce_account_id', 'SF2')).toBe(beta);
    expect((await membership())['bob@acme.com']).toEqual({ account: beta, reason: 'crm_contacts.account_id' });
    const moves = await query(
      `select i.id_value as email, c.from_account_id, c.to_account_id from cdp.account_membership_changes c join cdp.identifiers i on i.profile_id = c.profile_id
       where c.from_account_id is not null`,
    );
    expect(moves).toEqual([{ email: 'bob@acme.com', from_account_id: acme, to_account_id: beta }]);
    await checkRollups(events, { 'ann@acme.com': acme, 'eve@beta.io': acme, 'bob@acme.com': beta, 'cid@gmail.com': beta, 'fay@gamma.dev': gamma });
    const changes = await query(`select account_id, change from cdp.account_segment_changes where segment = 'hot_accounts' order by run_id, change`);
    const named = changes.map((r) => `${r.account_id === acme ? 'acme' : r.account_id === beta ? 'beta' : String(r.account_id)} ${r.change}`);
    expect(named.sort()).toEqual(['acme enter', 'acme exit', 'beta enter']);
    expect(await query('select account_id from cdp.account_segment_members')).toEqual([{ account_id: beta }]);
  });

  it('a re-run with nothing changed records no membership or segment change', async () => {
    const before = await query('select (select count(*) from cdp.account_membership_changes) as m, (select count(*) from cdp.account_segment_changes) as s');
    const run = await cdp(dir, ['build', '--as-of', AS_OF]);
    expect(run.code, run.stderr).toBe(0);
    expect(await query('select (select count(*) from cdp.account_membership_changes) as m, (select count(*) from cdp.account_segment_changes) as s')).toEqual(before);
  });
});
