import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..', '..');
let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * The README's first command, `npm run demo`, on a copy of the sample project: it must finish with
 * exit 0, sync both CRMs on the first run and send only the new activity on the second. (`npm test`
 * builds dist/ first, which the demo script runs.)
 */
describe('npm run demo', () => {
  it('runs the sample project end to end: two runs, both CRMs, only changes the second time', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cdp-demo-'));
    for (const part of ['cdp.config.yaml', 'models', 'connectors', 'schemas']) await cp(join(repo, part), join(dir, part), { recursive: true });
    const { stdout } = await run(process.execPath, [join(repo, 'scripts', 'demo.mjs')], {
      env: { PATH: process.env.PATH, CDP_DEMO_DIR: dir },
      maxBuffer: 32 * 1024 * 1024,
      timeout: 240_000,
    });
    const runs = stdout.split('$ cdp run').slice(1);
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatch(/hubspot_contacts: [1-9][\d,]* created/);
    expect(runs[0]).toMatch(/salesforce_contacts: [1-9][\d,]* created/);
    expect(runs[0]).toMatch(/hubspot_companies: [1-9][\d,]* created/);
    expect(runs[0]).toMatch(/salesforce_accounts: [1-9][\d,]* created/);
    expect(runs[0]).toContain('identity gate: passed');
    // The second run sends the five new pricing-page visitors' changes, not everyone again: the visitors, and
    // the co-workers whose account's engagement score (a field on their contact) their visits raised.
    const second = /hubspot_contacts: 0 created, (\d+) updated/.exec(runs[1]);
    expect(Number(second?.[1])).toBeGreaterThan(0);
    expect(Number(second?.[1])).toBeLessThanOrEqual(await visitorsAndCoworkers(dir));
    const companies = /hubspot_companies: 0 created, (\d+) updated/.exec(runs[1]);
    expect(Number(companies?.[1])).toBeLessThanOrEqual(5);
  }, 300_000);
});

/** Profiles of the demo's new pricing-page visitors (web_events_live.csv) and of everyone in their accounts. */
async function visitorsAndCoworkers(root: string): Promise<number> {
  const w = await DuckDBWarehouse.open({ path: join(root, '.cdp', 'warehouse.duckdb') });
  try {
    const [row] = await w.query(`
      with visitors as (
        select distinct i.profile_id from read_csv('${join(root, 'data', 'web_events_live.csv')}', header = true, all_varchar = true) e
        join cdp.identifiers i on i.id_type = 'user_id' and i.id_value = e.user_id
      ),
      coworkers as (select m2.profile_id from cdp.account_members m join visitors using (profile_id) join cdp.account_members m2 on m2.account_id = m.account_id)
      select count(*) as n from (select profile_id from visitors union select profile_id from coworkers)`);
    return Number(row.n);
  } finally {
    await w.close();
  }
}
