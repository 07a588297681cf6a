import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/warehouse/warehouse.js';
import { IDENTIFIERS_SQL } from '../helpers/identity-state.js';
import { buildSide, incrementalSides, type Side } from '../helpers/incremental-sides.js';
import { yaml } from '../helpers/project.js';

/**
 * The identifiers an incremental profiles build takes as changed, and the rows they move
 * (docs/incremental.md#which-profiles-a-build-recomputes).
 *
 * A row can move to the profile of an identifier that did not change:
 * its stronger identifier leaves `identifiers` (here, it becomes a hub), so its weaker one decides. An incremental
 * build must then recompute that weaker identifier's profile too, although nothing about it changed. The row here
 * is old enough to be kept in identity's row groups, so the build finds it among them rather than among the rows.
 */
const MODELS = yaml`
  sources:
    - name: events
      table: raw.events
      timestamp: ts
      changes: append
      late_arrival: 1h
      identifiers:
        - { column: user_id, type: user_id }
        - { column: email, type: email }
        - { column: anon, type: anonymous_id }
  identity:
    id_types:
      user_id: { priority: 1 }
      email: { priority: 2 }
      anonymous_id: { priority: 9, link_window: 1d }
    max_links_per_value: 2
  traits:
    - { name: views, from: events, aggregate: count }
    - { name: first_view, from: events, aggregate: min, column: ts }
`;

const { side } = incrementalSides(MODELS, ['create schema raw', 'create table raw.events (user_id varchar, email varchar, anon varchar, ts timestamp)']);

async function tables(s: Side): Promise<Record<string, Row[]>> {
  return {
    identifiers: await s.warehouse.query(IDENTIFIERS_SQL),
    profiles: await s.warehouse.query('select * from cdp.profiles order by profile_id'),
  };
}

describe('changed identifiers of an incremental profiles build', () => {
  it('a row whose stronger identifier becomes a hub: recomputes the profile of its weaker identifier, which did not change, as --full-refresh does', async () => {
    const incremental = await side();
    const full = await side();
    const steps: { readonly asOf: string; readonly rows: readonly string[] }[] = [
      // The old row links e@x.com and a1; a1 alone has another row.
      { asOf: '2026-03-01 01:00:00', rows: ["(null, 'e@x.com', 'a1', '2026-03-01 00:00:00')", "(null, null, 'a1', '2026-03-01 00:30:00')"] },
      // Three days on, the link is outside a1's link_window: a1 is a profile of its own, and the old row is kept
      // grouped (before the watermark less late_arrival). The row still counts for e@x.com, its strongest id.
      { asOf: '2026-03-04 01:00:00', rows: ["('u0', null, null, '2026-03-04 00:00:00')"] },
      // e@x.com links three user ids, more than max_links_per_value: a hub, out of identifiers. The old row now
      // belongs to a1's profile, which kept its identifiers.
      { asOf: '2026-03-04 02:00:00', rows: ["('u1', 'e@x.com', null, '2026-03-04 01:30:00')", "('u2', 'e@x.com', null, '2026-03-04 01:30:00')", "('u3', 'e@x.com', null, '2026-03-04 01:30:00')"] },
    ];
    for (const [i, { asOf, rows }] of steps.entries()) {
      for (const s of [incremental, full]) await s.warehouse.execute(`insert into raw.events values ${rows.join(', ')}`);
      const summary = await buildSide(incremental, `r${i}`, asOf, false);
      await buildSide(full, `r${i}`, asOf, true);
      expect(summary.profiles?.mode).toBe(i === 0 ? 'full' : 'incremental');
      expect(await tables(incremental), `step ${i}`).toEqual(await tables(full));
    }
    // The old row was read from identity's kept groups, not from the rows.
    const [kept] = await incremental.warehouse.query("select count(*) as n from cdp._identity_settled_events where v1 = 'e@x.com' and v2 = 'a1'");
    expect(Number(kept.n)).toBe(1);
    const [a1] = await incremental.warehouse.query(
      "select p.views from cdp.profiles p join cdp.identifiers i on i.profile_id = p.profile_id where i.id_type = 'anonymous_id' and i.id_value = 'a1'",
    );
    expect(Number(a1.views)).toBe(2);
  });

  it('after a profiles stage that failed once identity had published: compares every identifier again, as --full-refresh gives', async () => {
    const incremental = await side();
    const full = await side();
    const steps: { readonly asOf: string; readonly rows: readonly string[]; readonly failProfiles?: boolean }[] = [
      { asOf: '2026-03-01 01:00:00', rows: ["(null, 'e1@x.com', 'a1', '2026-03-01 00:00:00')", "(null, null, 'a1', '2026-03-01 00:10:00')"] },
      { asOf: '2026-03-01 23:00:00', rows: ["('u5', null, null, '2026-03-01 22:00:00')"] },
      // A day after its last row, the link is outside a1's link_window: a1 splits off into a profile of its own.
      // Identity publishes that, then the profiles stage fails.
      { asOf: '2026-03-02 03:00:00', rows: ["('u0', null, null, '2026-03-02 02:00:00')"], failProfiles: true },
      // A later publish moves nothing about them, and their rows are older than the tail: the split must still
      // reach the profiles.
      { asOf: '2026-03-02 04:00:00', rows: ["('u9', null, null, '2026-03-02 03:30:00')"] },
    ];
    for (const [i, { asOf, rows, failProfiles }] of steps.entries()) {
      for (const s of [incremental, full]) await s.warehouse.execute(`insert into raw.events values ${rows.join(', ')}`);
      if (failProfiles) {
        const w = incremental.warehouse;
        const transaction = w.transaction.bind(w);
        w.transaction = async (statements, options) => {
          if (statements.some((x) => x.startsWith('insert into "cdp"."profiles" ('))) throw new Error('the profiles update failed');
          return transaction(statements, options);
        };
        await expect(buildSide(incremental, `r${i}`, asOf, false)).rejects.toThrow('the profiles update failed');
        w.transaction = transaction;
        const [published] = await w.query("select value from cdp._identity_state where name = 'publishes'");
        expect(Number(published.value)).toBe(3);
        await buildSide(full, `r${i}`, asOf, true);
        continue;
      }
      await buildSide(incremental, `r${i}`, asOf, false);
      await buildSide(full, `r${i}`, asOf, true);
      expect(await tables(incremental), `step ${i}`).toEqual(await tables(full));
    }
  });
});
