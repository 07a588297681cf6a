import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/warehouse/warehouse.js';
import { hubspotContacts, hubspotEnv, hubspotListEmails, query } from '../destinations/destination-fixture.js';
import { cdp } from '../helpers/project.js';
import { sent, useHubSpotSides, type Side } from './hubspot-sides.js';
import { MODELS, RAW_TABLES, at, random, step } from '../helpers/random-history.js';

/**
 * A sync diffs only the profiles changed since its last diff (docs/incremental.md#syncs). Two projects receive
 * the same random history (appends, late rows, CRM rows updated and deleted in place, merges, splits, time
 * moving forward) and `cdp run` after each step, each into its own HubSpot sandbox: one incrementally, whose
 * diffs are scoped to the changed profiles, and one with --full-refresh, whose diffs read every profile. What
 * reaches each CRM, what each run sent and the confirmed state must be equal after every step, through
 * refused records (retried from `sync_pending`) and a connector edit (a whole diff again).
 */
const LIST = 'CDP: Hot';

/** A trait to match on (the CRM row's email, which the history moves between people). */
const TRAIT_MODELS = MODELS.replace('traits:\n', 'traits:\n  - { name: crm_email, from: crm, aggregate: last, column: email }\n');

function connector(match: string, extraFields: Readonly<Record<string, string>> = {}): string {
  const fields = { cdp_events_total: 'events_total', cdp_ltv: 'ltv', cdp_plan: 'plan', cdp_score: 'score', ...extraFields };
  return [
    'sync: contacts',
    'destination: hubspot',
    'object: contacts',
    'audience: all',
    `match: ${match}`,
    'mode: upsert',
    'nulls: clear',
    'fields:',
    ...Object.entries(fields).map(([k, v]) => `  ${k}: ${v}`),
    'segments:',
    `  hot: { list: "${LIST}" }`,
    '  paying: { field: cdp_paying }',
    'create_fields: true',
    'max_removals_pct: 100',
    'max_audience_removals_pct: 100',
    'max_field_clears_pct: 100',
    '',
  ].join('\n');
}

const hubspotSide = useHubSpotSides();

function side(models: string, match: string): Promise<Side> {
  return hubspotSide({ 'models/m.yaml': models, 'connectors/contacts.yaml': connector(match) }, RAW_TABLES);
}

/** One `cdp run` at `asOf`; its sync's summary from --json. */
async function run(s: Side, asOf: number, fullRefresh: boolean): Promise<{ code: number; sync: Record<string, unknown> }> {
  const args = ['run', '--json', '--accept-identity-change', '--as-of', new Date(asOf).toISOString(), ...(fullRefresh ? ['--full-refresh'] : [])];
  const result = await cdp(s.dir, args, hubspotEnv(s.sandbox));
  // 0, or 3 when HubSpot refused records.
  expect([0, 3], `${result.stdout}\n${result.stderr}`).toContain(result.code);
  const json = JSON.parse(result.stdout) as { syncs?: { syncs?: Record<string, unknown>[] } | Record<string, unknown>[] };
  const syncs = Array.isArray(json.syncs) ? json.syncs : (json.syncs?.syncs ?? []);
  return { code: result.code, sync: syncs[0] ?? {} };
}

/** What reaches the CRM and what cdp confirmed, without ids the two sandboxes (and two run ids) number on their own. */
async function landed(s: Side): Promise<Record<string, unknown>> {
  const contacts = [...hubspotContacts(s.sandbox)].map(([email, c]) => [email, Object.fromEntries([...c.properties].filter(([k]) => k.startsWith('cdp_')).sort())]);
  // Each state row's profile by its least identifier: an id minted again after a retirement is salted with the run id.
  const state: Row[] = await query(
    s.dir,
    `select s.* exclude (destination_id, synced_at, profile_id), (select min(i.id_type || ':' || i.id_value) from cdp.identifiers i where i.profile_id = s.profile_id) as owner
from cdp.sync_state_contacts s order by match_key`,
  );
  return { contacts: contacts.sort(), list: hubspotListEmails(s.sandbox, LIST), state };
}

const CASES = [
  { name: 'match by email identifier (on_collision: skip)', models: MODELS, match: '{ id_type: email }', seed: 1 },
  { name: 'match by email identifier, another history', models: MODELS, match: '{ id_type: email }', seed: 2 },
  { name: 'match by a trait that moves between people (on_collision: keep_one)', models: TRAIT_MODELS, match: '{ trait: crm_email, field: email, on_collision: keep_one }', seed: 3 },
];

describe('a scoped sync diff sends what a whole diff sends', () => {
  for (const c of CASES) {
    it(`${c.name}, seed ${c.seed}`, async () => {
      const next = random(c.seed);
      const scoped = await side(c.models, c.match);
      const whole = await side(c.models, c.match);
      const crmIds: number[] = [];
      const crmId = { n: 1 };
      let asOf = Date.parse('2026-03-01T00:00:00Z');
      let previousAsOf = asOf;
      const among: unknown[] = [];
      const codes: number[] = [];
      for (let i = 0; i < 9; i++) {
        for (const sql of step(next, asOf, previousAsOf, crmIds, crmId)) {
          await query(scoped.dir, sql);
          await query(whole.dir, sql);
        }
        // Step 3: HubSpot refuses the first records it gets; step 4 takes them (pending keys).
        if (i === 3) for (const s of [scoped, whole]) s.sandbox.faults.set({ rejectRecords: [{ field: 'email', pattern: 'x[.]com$', count: 4 }] });
        if (i === 4) for (const s of [scoped, whole]) s.sandbox.faults.clear();
        // Step 6: a field is mapped in the connector: one whole diff sends it to everyone.
        if (i === 6) for (const s of [scoped, whole]) await writeFile(join(s.dir, 'connectors/contacts.yaml'), connector(c.match, { cdp_paths: 'paths' }));
        const a = await run(scoped, asOf, false);
        const b = await run(whole, asOf, true);
        expect(a.code, `step ${i}`).toBe(b.code);
        codes.push(a.code);
        expect(sent(a.sync), `seed ${c.seed}, step ${i}`).toEqual(sent(b.sync));
        expect(await landed(scoped), `seed ${c.seed}, step ${i}`).toEqual(await landed(whole));
        among.push((a.sync.match_keys as { among?: string } | undefined)?.among);
        previousAsOf = asOf;
        asOf += Math.floor(next() * 4) * 86_400_000 + Math.floor(next() * 24) * 3_600_000;
      }
      // HubSpot refused records at step 3 only: the next run sent them although nothing about those people changed.
      expect(codes).toEqual([0, 0, 0, 3, 0, 0, 0, 0, 0]);
      // The first diff and the one after the connector changed read everything; the others only what changed.
      expect(among).toEqual(['all', 'changed', 'changed', 'changed', 'changed', 'changed', 'all', 'changed', 'changed']);
    });
  }

  it('sends the key a person gets when a source only identity reads sees an older email again', async () => {
    const scoped = await side(MODELS, '{ id_type: email }');
    const whole = await side(MODELS, '{ id_type: email }');
    const asOf = Date.parse('2026-03-01T00:00:00Z');
    const steps = [
      // One person with two emails (the CRM rows share a phone); u2@ is the newer, so it is the key.
      [`insert into raw.crm values (1, 'u1@x.com', '+14155550100', 'pro', ${at(asOf - 7_200_000)}), (2, 'u2@x.com', '+14155550100', 'pro', ${at(asOf - 3_600_000)})`],
      // A login with u1@: now the newer one. No trait source changed.
      [`insert into raw.logins values ('u1@x.com', ${at(asOf + 3_600_000)})`],
    ];
    const keys: string[][] = [];
    for (const [i, sqls] of steps.entries()) {
      for (const sql of sqls) for (const s of [scoped, whole]) await query(s.dir, sql);
      const a = await run(scoped, asOf + i * 7_200_000, false);
      const b = await run(whole, asOf + i * 7_200_000, true);
      expect(sent(a.sync)).toEqual(sent(b.sync));
      expect(await landed(scoped)).toEqual(await landed(whole));
      keys.push((await query(scoped.dir, 'select match_key from cdp.sync_state_contacts order by 1')).map((r) => String(r.match_key)));
    }
    expect(keys).toEqual([['u2@x.com'], ['u1@x.com']]);
  });
});
