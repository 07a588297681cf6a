import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleFixture, type SampleFixture } from './sample-fixture.js';

// asOf is 2025-06-01 (see AS_OF); the window is the 120 days before it.
const AS_OF_SQL = "timestamp '2025-06-01 00:00:00'";

/** person_id of each web event, through its anonymous_id or its user_id. */
const WEB_PERSON = `
  select w.*, coalesce(ta.person_id, tu.person_id) as person_id from web_events w
  left join identity_truth ta on ta.id_type = 'anonymous_id' and ta.id_value_raw = w.anonymous_id and ta.kind = 'person'
  left join identity_truth tu on tu.id_type = 'user_id' and tu.id_value_raw = w.user_id and tu.kind = 'person'`;

/** person_id of each order, through its user_id or its email. */
const ORDER_PERSON = `
  select o.*, coalesce(tu.person_id, te.person_id) as person_id from orders o
  left join identity_truth tu on tu.id_type = 'user_id' and tu.id_value_raw = o.user_id and tu.kind = 'person'
  left join identity_truth te on te.id_type = 'email' and te.id_value_raw = o.email and te.kind = 'person'`;

let s: SampleFixture;
beforeAll(async () => {
  s = await sampleFixture();
});
afterAll(async () => {
  await s.close();
});

describe('sample data: the mess real data has', () => {
  it('has padded, mixed-case emails', async () => {
    expect(await s.one(`select count(*) from hubspot_contacts where email <> trim(email) and trim(email) <> lower(trim(email))`)).toBeGreaterThan(0);
    expect(await s.one(`select count(*) from web_events where email <> trim(email) and trim(email) <> lower(trim(email))`)).toBeGreaterThan(0);
    expect(await s.one(`select count(*) from orders where email = trim(email) and email <> lower(email)`)).toBeGreaterThan(0);
  });

  it('has null, empty and placeholder identifiers', async () => {
    expect(await s.one(`select count(*) from web_events where anonymous_id is null`)).toBeGreaterThan(0);
    expect(await s.one(`select count(*) from web_events where anonymous_id in ('null', 'undefined', 'anonymous', '')`)).toBeGreaterThan(0);
    expect(await s.one(`select count(*) from web_events where lower(email) in ('test@example.com') or email like 'no%reply@%'`)).toBeGreaterThan(0);
    expect(await s.one(`select count(*) from (select user_id from web_events union all select user_id from app_events) where user_id in ('-1', '0', 'null', 'undefined')`)).toBeGreaterThan(0);
    expect(await s.one(`select count(*) from app_events where device_id = '00000000-0000-0000-0000-000000000000'`)).toBeGreaterThan(0);
    const empty = `select count(*) from (select anonymous_id v from web_events union all select user_id from web_events union all select email from web_events
      union all select device_id from app_events union all select user_id from app_events union all select phone from hubspot_contacts) where v = ''`;
    expect(await s.one(empty)).toBeGreaterThan(0);
  });

  it('has shared devices used by two or more people who log in with their own user_ids', async () => {
    const sql = `select a.device_id, t.reason, count(distinct tu.person_id) as people from app_events a
      join identity_truth t on t.id_type = 'device_id' and t.id_value_raw = a.device_id and t.kind = 'shared'
      join identity_truth tu on tu.id_type = 'user_id' and tu.id_value_raw = a.user_id and tu.kind = 'person'
      group by all having count(distinct tu.person_id) >= 2`;
    const shared = await s.rows(sql);
    expect(shared.some((r) => r.reason === 'family_device')).toBe(true);
    expect(shared.length).toBeGreaterThanOrEqual(5);
  });

  it('has kiosk and family-device visits that reach several users only through anonymous ids', async () => {
    const sql = `select t.reason, a.device_id, count(distinct l.user_id) as users from app_events a
      join identity_truth t on t.id_type = 'device_id' and t.id_value_raw = a.device_id and t.kind = 'shared'
      join app_events l on l.anonymous_id = a.anonymous_id and l.user_id is not null and l.device_id is null
      group by all having count(distinct l.user_id) >= 2`;
    const reasons = new Set((await s.rows(sql)).map((r) => r.reason));
    expect([...reasons].sort()).toEqual(['family_device', 'store_kiosk']);
  });

  it('plants a hub: one fake email typed by more than 100 different people', async () => {
    const sql = `select count(distinct person_id) from (${WEB_PERSON}) where lower(trim(email)) = 'none@none.com'`;
    expect(await s.one(sql)).toBeGreaterThan(100);
    expect(await s.one(`select count(*) from identity_truth where id_value_norm = 'none@none.com' and kind = 'junk' and person_id is null`)).toBe(1);
  });

  it('has duplicate HubSpot contacts for one person, with other email spellings', async () => {
    const sql = `select t.person_id, count(*) as contacts, count(distinct h.email) as spellings from hubspot_contacts h
      join identity_truth t on t.id_type = 'hubspot_id' and t.id_value_raw = h.hs_object_id group by 1 having count(*) > 1`;
    const dups = await s.rows(sql);
    expect(dups.length).toBeGreaterThan(20);
    expect(dups.filter((d) => Number(d.spellings) > 1).length).toBeGreaterThan(10);
    expect(await s.one(`select count(*) from salesforce_contacts where not regexp_matches(sf_id, '^003[0-9A-Za-z]{15}$')`)).toBe(0);
  });

  it('writes phones in several formats', async () => {
    const formats = await s.one(`select count(distinct regexp_replace(phone, '[0-9]', '9', 'g')) from
      (select phone from hubspot_contacts union all select phone from salesforce_contacts) where phone like '%5%'`);
    expect(formats).toBeGreaterThanOrEqual(5);
  });

  it('puts events in the 120 days before asOf, plus a few late ones', async () => {
    const late = await s.one(`select count(*) from web_events where received_at > ${AS_OF_SQL}`);
    const all = await s.one(`select count(*) from web_events`);
    expect(late).toBeGreaterThan(0);
    expect(late / all).toBeLessThan(0.01);
    expect(await s.one(`select count(*) from app_events where occurred_at > ${AS_OF_SQL}`)).toBeGreaterThan(0);
    expect(await s.one(`select count(*) from web_events where received_at < ${AS_OF_SQL} - interval 120 day or received_at > ${AS_OF_SQL} + interval 2 day`)).toBe(0);
  });

  it('shows anonymous visitors that later log in on the same cookie', async () => {
    const sql = `select count(*) from (select anonymous_id from web_events group by 1
      having min(received_at) filter (where user_id is null) < min(received_at) filter (where user_id is not null))`;
    expect(await s.one(sql)).toBeGreaterThan(100);
    const paths = await s.rows(`select distinct case when path like '/docs/%' then '/docs/' when path like '/blog/%' then '/blog/' else path end as p from web_events`);
    expect(paths.map((r) => r.p)).toEqual(expect.arrayContaining(['/', '/pricing', '/docs/', '/blog/', '/signup', '/checkout']));
  });
});

describe('sample data: the behaviour mix', () => {
  it('has high-intent people: 3+ pricing views in the last 7 days and no order', async () => {
    const sql = `select p.person_id, count(e.person_id) as views from people_truth p
      left join (${WEB_PERSON}) e on e.person_id = p.person_id and e.path = '/pricing'
        and e.received_at > ${AS_OF_SQL} - interval 7 day and e.received_at <= ${AS_OF_SQL}
      where p.persona = 'high_intent' group by 1`;
    const people = await s.rows(sql);
    expect(people.length).toBeGreaterThanOrEqual(35);
    expect(people.every((r) => Number(r.views) >= 3)).toBe(true);
    const buyers = await s.one(`select count(*) from (${ORDER_PERSON}) o join people_truth p using (person_id) where p.persona = 'high_intent'`);
    expect(buyers).toBe(0);
  });

  it('has customers with orders, churned people gone quiet, and people only in the CRM', async () => {
    const customers = await s.one(`select count(distinct person_id) from (${ORDER_PERSON}) where status = 'completed'`);
    expect(customers).toBeGreaterThan(150);
    const recentChurned = await s.one(`select count(*) from (${WEB_PERSON}) e join people_truth p using (person_id)
      where p.persona = 'churned' and e.received_at > ${AS_OF_SQL} - interval 50 day`);
    expect(recentChurned).toBe(0);
    const crmOnly = await s.rows(`select person_id,
        exists (select 1 from identity_truth t where t.person_id = p.person_id and t.id_type in ('hubspot_id', 'salesforce_id')) as in_crm,
        exists (select 1 from identity_truth t where t.person_id = p.person_id and t.id_type in ('anonymous_id', 'device_id', 'user_id')) as tracked
      from people_truth p where persona = 'crm_only'`);
    expect(crmOnly.length).toBeGreaterThan(50);
    expect(crmOnly.every((r) => r.in_crm === true && r.tracked === false)).toBe(true);
  });

  it('has consent withdrawals at a realistic share and a few erasure requests', async () => {
    const latest = await s.rows(`select coalesce(user_id, lower(trim(email))) k, arg_max(marketing_consent, updated_at) c,
      bool_or(do_not_sync) dns from consents group by 1`);
    const withdrawn = latest.filter((r) => r.c === false).length / latest.length;
    expect(withdrawn).toBeGreaterThan(0.05);
    expect(withdrawn).toBeLessThan(0.35);
    const erased = latest.filter((r) => r.dns === true).length;
    expect(erased).toBeGreaterThanOrEqual(1);
    expect(erased / latest.length).toBeLessThan(0.02);
    expect(await s.one(`select count(*) from email_events where event = 'unsubscribe'`)).toBeGreaterThan(0);
  });
});
