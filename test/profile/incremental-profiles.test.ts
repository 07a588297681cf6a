import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/warehouse/warehouse.js';
import { IDENTIFIERS_SQL, LINKS_BY_VALUE_SQL } from '../helpers/identity-state.js';
import { buildSide, incrementalSides, type Side } from '../helpers/incremental-sides.js';
import { MODELS, PART_MODELS, RAW_TABLES, random, step } from '../helpers/random-history.js';

/**
 * Incremental profiles (docs/incremental.md) against `--full-refresh`: two warehouses receive the same random
 * history (events and orders appended, late rows within late_arrival, rows without a time, CRM rows updated
 * and deleted in place, merges through new links and splits through deleted ones, the reference time moving
 * forward) and build after each step, one incrementally and one with --full-refresh. Every table a user or a
 * sync reads must be equal after every step. Twice: with traits recomputed from a touched profile's rows, and with
 * traits kept from their parts (docs/incremental.md#traits-kept-from-their-parts).
 */
const models = [
  { name: 'recomputed traits', ...incrementalSides(MODELS, RAW_TABLES), parts: false },
  { name: 'traits kept from their parts', ...incrementalSides(PART_MODELS, RAW_TABLES), parts: true },
];

async function tables(s: Side): Promise<Record<string, Row[]>> {
  const q = (sql: string) => s.warehouse.query(sql);
  return {
    identifiers: await q(IDENTIFIERS_SQL),
    // Identity's links and what its guards kept out, by value.
    links: await q(LINKS_BY_VALUE_SQL),
    review: await q('select * from cdp._identity_review order by all'),
    profiles: await q('select * from cdp.profiles order by profile_id'),
    segment_members: await q('select * from cdp.segment_members order by all'),
    segment_changes: await q('select * from cdp.segment_changes order by all'),
    // The map the next incremental build compares with (written whole after a full build, as a delta otherwise).
    stored_identifiers: await q('select id_type, id_value, profile_id from cdp.profiles_identifiers order by all'),
  };
}

for (const { name, side, parts } of models) {
  describe(`incremental profiles equal --full-refresh: ${name}`, () => {
    for (const seed of [1, 2, 3, 4]) {
      it(`random history, seed ${seed}: identifiers, profiles, segments and segment changes after every step`, async () => {
        const next = random(seed);
        const incremental = await side();
        const full = await side();
        const crmIds: number[] = [];
        const crmId = { n: 1 };
        let asOf = Date.parse('2026-03-01T00:00:00Z');
        let previousAsOf = asOf;
        const modes: string[] = [];
        let recomputed = 0;
        let fromParts = 0;
        let profiles = 0;
        for (let i = 0; i < 12; i++) {
          for (const sql of step(next, asOf, previousAsOf, crmIds, crmId)) {
            await incremental.warehouse.execute(sql);
            await full.warehouse.execute(sql);
          }
          const a = await buildSide(incremental, `r${i}`, asOf, false);
          await buildSide(full, `r${i}`, asOf, true);
          modes.push(a.profiles?.mode ?? '-');
          if (i > 0) {
            recomputed += a.profiles?.recomputed ?? 0;
            fromParts += a.profiles?.fromParts ?? 0;
            profiles += a.profiles?.profiles ?? 0;
          }
          expect(await tables(incremental), `seed ${seed}, step ${i}`).toEqual(await tables(full));
          previousAsOf = asOf;
          // The reference time moves forward by 0 to 3 days, crossing window edges.
          asOf += Math.floor(next() * 4) * 86_400_000 + Math.floor(next() * 24) * 3_600_000;
        }
        // The first build is full; every later one is incremental and recomputes fewer than all profiles overall.
        expect(modes).toEqual(['full', ...Array(11).fill('incremental')]);
        expect(recomputed).toBeLessThan(profiles);
        // Only the second model's traits can be kept from their parts, and its histories keep some.
        if (parts) expect(fromParts).toBeGreaterThan(0);
        else expect(fromParts).toBe(0);
      });
    }
  });
}
