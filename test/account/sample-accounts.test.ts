import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { cdp } from '../helpers/project.js';

/**
 * The repository's sample project builds accounts from the generated companies (docs/accounts.md), and
 * membership is scored against the generator's truth (`people_truth.company_domain`).
 */
const REPO = resolve(import.meta.dirname, '..', '..');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cdp-accounts-sample-'));
  for (const part of ['cdp.config.yaml', 'models', 'connectors', 'schemas']) await cp(join(REPO, part), join(dir, part), { recursive: true });
  expect((await cdp(dir, ['generate', '--people', '1500', '--seed', '11'])).code).toBe(0);
  const build = await cdp(dir, ['build']);
  expect(build.code, build.stderr).toBe(0);
}, 180_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('sample project: accounts', () => {
  it("puts each B2B person in their company's account, and no consumer in any", async () => {
    const w = await DuckDBWarehouse.open({ path: join(dir, '.cdp/warehouse.duckdb') });
    try {
      const truth = `(select * from read_csv('${join(dir, 'data', 'people_truth.csv')}', header = true, all_varchar = true))`;
      const ids = `(select * from read_csv('${join(dir, 'data', 'identity_truth.csv')}', header = true, all_varchar = true))`;
      // Each person's profile(s), through the normal forms of their identifiers.
      const [score] = await w.query(`
        with person_profile as (
          select distinct t.person_id, i.profile_id from ${ids} t join cdp.identifiers i on i.id_type = t.id_type and i.id_value = t.id_value_norm where t.kind = 'person'
        ),
        verdict as (
          select p.person_id, p.company_domain, max(case when d.id_value = p.company_domain then 1 else 0 end) as right_account, max(case when m.account_id is not null then 1 else 0 end) as any_account,
            max(case when e.id_type = 'email' then 1 else 0 end) as has_email
          from ${truth} p
          join person_profile pp on pp.person_id = p.person_id
          left join cdp.account_members m on m.profile_id = pp.profile_id
          left join cdp.account_identifiers d on d.account_id = m.account_id and d.id_type = 'domain'
          left join cdp.identifiers e on e.profile_id = pp.profile_id
          group by p.person_id, p.company_domain
        )
        select count(*) filter (where company_domain is not null and has_email = 1) as b2b,
               count(*) filter (where company_domain is not null and has_email = 1 and right_account = 1) as b2b_right,
               count(*) filter (where any_account = 1 and right_account = 0) as wrong,
               count(*) filter (where company_domain is null) as consumers,
               count(*) filter (where company_domain is null and any_account = 1) as consumers_in_account
        from verdict`);
      const b2b = Number(score.b2b);
      expect(b2b).toBeGreaterThan(300);
      // Every B2B person whose profile has an email (the others are anonymous visitors: nothing says where
      // they work) is in their company's account; nobody is in another company's; consumers (free mail) never.
      expect(Number(score.b2b_right)).toBe(b2b);
      expect(Number(score.wrong)).toBe(0);
      expect(Number(score.consumers_in_account)).toBe(0);
      const [free] = await w.query(`select count(*) as n from cdp.account_identifiers where id_value in ('gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com')`);
      expect(Number(free.n)).toBe(0);
      const [reasons] = await w.query(`select count(distinct case when reason like 'email_domain:%' then 'email' else reason end) as n from cdp.account_members`);
      expect(Number(reasons.n)).toBe(3); // both CRM links and email domains decide some memberships
      const [hot] = await w.query(`select count(*) as n from cdp.account_segment_members where segment = 'hot_accounts'`);
      expect(Number(hot.n)).toBeGreaterThan(0);
    } finally {
      await w.close();
    }
  });
});
