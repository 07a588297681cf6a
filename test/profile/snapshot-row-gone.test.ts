import { describe, expect, it } from 'vitest';
import { buildSide, incrementalSides, type Side } from '../helpers/incremental-sides.js';
import { yaml } from '../helpers/project.js';

/**
 * A snapshot row deleted while its identifiers stay (another row still holds them): no identifier changes, so only
 * the row's hash, gone from the source, touches its profile (docs/incremental.md#which-profiles-a-build-recomputes).
 * An incremental build must recompute that profile's traits from the source, as --full-refresh does; the profile's
 * traits from other sources stay as stored (its events did not change).
 */
const MODELS = yaml`
  sources:
    - name: crm
      table: raw.crm
      changes: snapshot
      identifiers:
        - { column: email, type: email }
    - name: events
      table: raw.events
      timestamp: ts
      changes: append
      identifiers:
        - { column: email, type: email }
  identity:
    id_types:
      email: { priority: 1 }
  traits:
    - { name: crm_rows, from: crm, aggregate: count }
    - { name: plans, from: crm, aggregate: count_distinct, column: plan }
    - { name: views, from: events, aggregate: count }
`;

const { side } = incrementalSides(MODELS, [
  'create schema raw',
  'create table raw.crm (id integer, email varchar, plan varchar)',
  'create table raw.events (email varchar, ts timestamp)',
]);

const profiles = (s: Side) => s.warehouse.query('select crm_rows, plans, views from cdp.profiles order by all');

describe('a snapshot row gone, its identifiers kept', () => {
  it('recomputes its profile from the remaining rows, as --full-refresh does', async () => {
    const incremental = await side();
    const full = await side();
    const steps = [
      ["insert into raw.crm values (1, 'ann@x.com', 'pro'), (2, 'ann@x.com', 'team'), (3, 'bob@x.com', 'free')", "insert into raw.events values ('ann@x.com', '2026-03-01 00:00:00')"],
      ['delete from raw.crm where id = 2'],
    ];
    const seen: unknown[] = [];
    for (const [i, sql] of steps.entries()) {
      for (const s of sql) {
        await incremental.warehouse.execute(s);
        await full.warehouse.execute(s);
      }
      const built = await buildSide(incremental, `r${i}`, '2026-03-02T00:00:00Z', false);
      await buildSide(full, `r${i}`, '2026-03-02T00:00:00Z', true);
      seen.push(built.profiles?.mode);
      expect(await profiles(incremental), `step ${i}`).toEqual(await profiles(full));
    }
    expect(seen).toEqual(['full', 'incremental']);
    expect(await profiles(incremental)).toEqual([
      { crm_rows: 1, plans: 1, views: 0 },
      { crm_rows: 1, plans: 1, views: 1 },
    ]);
  });
});
