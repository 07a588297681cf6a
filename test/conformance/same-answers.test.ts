/**
 * Answers that must not depend on the engine: identifiers padded with tabs, newlines, no-break and
 * zero-width spaces normalise to the same value (and are caught by the blocklist) on every engine; and the
 * run lock stays exclusive when two runs race for it on BigQuery and Snowflake, leaving no phantom lock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { RunError } from '../../src/diagnostics/diagnostic.js';
import { buildIdentity } from '../../src/identity/build-identity.js';
import { compileModels } from '../../src/model/compile-models.js';
import { RunLock } from '../../src/run/run-lock.js';
import { executePlan } from '../../src/model/execute-plan.js';
import { typeSources } from '../../src/run/type-sources.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { removeProject, writeProject, yaml } from '../helpers/project.js';
import { loadTable } from './load-table.js';
import { warehouseTargets, type RunningTarget } from './warehouse-targets.js';

const PROJECT = {
  'cdp.config.yaml': 'project: same_answers\nlock_timeout_minutes: 60\n',
  'models/project.yaml': yaml`
    sources:
      - name: web
        table: raw.web
        identifiers:
          - { column: user_id, type: user_id }
          - { column: email, type: email }
      - name: orders
        table: raw.orders
        timestamp: ordered_at
        columns: { paid: boolean }
    traits:
      - { name: spent, from: orders, aggregate: sum, column: amount }
    identity:
      id_types:
        user_id: { priority: 1, normalize: trim }
        email: { priority: 2 }
      blocklist:
        - { type: email, pattern: '^(test|noreply)@' }
  `,
};
const AS_OF = new Date('2026-01-31T00:00:00Z');
/** The same email and user_id, padded with every kind of whitespace an export produces. */
const PADDED: readonly (readonly [string, string])[] = [
  ['u1', 'a@b.com'],
  ['u1\t', 'a@b.com\t'],
  ['\nu1', '\na@b.com\r\n'],
  ['u1\u00a0', '\u00a0A@B.com'],
  ['\u200bu1', 'a@b.com\u200b'],
  ['u1\ufeff', '\ufeffa@b.com \u2003'],
  ['u2', 'test@test.com\t'],
  ['u3', '\u00a0noreply@gmail.com'],
  ['u4', '\u200btest@test.com'],
];

const targets = await warehouseTargets();

for (const target of targets) {
  describe.skipIf(!target.available)(`same answers on ${target.name}`, () => {
    let running: RunningTarget;
    let w: Warehouse;
    let dir: string;
    let project: LoadedProject;

    beforeAll(async () => {
      dir = await writeProject(PROJECT);
      project = (await loadProject(dir, {})).project as LoadedProject;
      running = await target.start();
      w = await running.open();
      await loadTable(w, { schema: 'raw', name: 'orders' }, [['id', 'string'], ['amount', 'string'], ['ordered_at', 'string'], ['paid', 'string']], []);
    }, 180_000);
    afterAll(async () => {
      await w?.close();
      await running?.stop();
      if (dir) await removeProject(dir);
    });

    it('strips tabs, newlines, no-break and zero-width spaces from identifiers, so the blocklist still catches them', async () => {
      await loadTable(w, { schema: 'raw', name: 'web' }, [['user_id', 'string'], ['email', 'string']], PADDED.map(([u, e]) => [u, e]));
      await executePlan(w, compileModels(project, w.dialect));
      await buildIdentity({ project, warehouse: w, runId: 'r1', asOf: AS_OF, fullRefresh: true, log: () => undefined });
      const rows = await w.query(`select id_type, id_value from ${w.dialect.table({ schema: 'cdp', name: 'identifiers' })} order by id_type, id_value`);
      expect(rows.map((r) => `${String(r.id_type)}:${String(r.id_value)}`)).toEqual(['email:a@b.com', 'user_id:u1', 'user_id:u2', 'user_id:u3', 'user_id:u4']);
    }, 300_000);

    it('types source values the same way, quarantining rows that do not convert', async () => {
      await loadTable(w, { schema: 'raw', name: 'orders' }, [['id', 'string'], ['amount', 'string'], ['ordered_at', 'string'], ['paid', 'string']], [
        ['1', '10.5', '2026-01-02 10:00:00', 'true'],
        ['2', 'abc', '2026-01-02 10:00:00', 'false'],
        ['3', '7', 'not a date', 'true'],
        ['4', 'NaN', '2026-01-03 10:00:00', 'true'],
        ['5', '2', '2026-01-03 10:00:00', 'maybe'],
        ['6', null, '2026-01-04 10:00:00', null],
      ]);
      await executePlan(w, compileModels(project, w.dialect));
      const bad = await typeSources({ project, warehouse: w, runId: 'r2', asOf: AS_OF, fullRefresh: false, log: () => undefined });
      expect(bad.filter((b) => b.source === 'orders')).toEqual([
        { source: 'orders', rows: 4, columns: { amount: 2, ordered_at: 1, paid: 1 }, quarantine: 'cdp.quarantine_orders' },
      ]);
      const t = (name: string) => w.dialect.table({ schema: 'cdp', name });
      const good = await w.query(`select id, amount + 1 as more, paid from ${t('source_orders')} order by id`);
      expect(good.map((r) => [String(r.id), r.more === null ? null : Number(r.more), r.paid])).toEqual([
        ['1', 11.5, true],
        ['6', null, null],
      ]);
      const quarantined = await w.query(`select id, _cdp_bad_columns from ${t('quarantine_orders')} order by id`);
      expect(quarantined.map((r) => [String(r.id), r._cdp_bad_columns])).toEqual([['2', 'amount'], ['3', 'ordered_at'], ['4', 'amount'], ['5', 'paid']]);
    }, 300_000);

    it.skipIf(target.name === 'duckdb')('lets exactly one of two racing runs take the lock, and leaves no phantom lock behind', async () => {
      const other = await running.open();
      try {
        for (let round = 0; round < 4; round++) {
          const outcomes = await Promise.allSettled([RunLock.acquire(w, project), RunLock.acquire(other, project)]);
          const won = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
          const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
          expect(won).toHaveLength(1);
          expect(lost).toHaveLength(1);
          expect(lost[0] instanceof RunError ? lost[0].code : String(lost[0])).toBe('lock-held');
          await won[0].release();
          // Released: the next run takes the lock at once (nothing is left to wait out).
          const next = await RunLock.acquire(other, project);
          await next.release();
        }
      } finally {
        await other.close();
      }
    }, 300_000);
  });
}
