import { afterEach, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { buildProject } from '../../src/run/build-project.js';
import type { Row } from '../../src/warehouse/warehouse.js';
import { IDENTIFIERS_SQL, LINKS_BY_VALUE_SQL } from '../helpers/identity-state.js';
import { removeProject, writeProject, yaml } from '../helpers/project.js';

/**
 * An append source's kept row groups (identity/observation-sql.ts, docs/incremental.md#identity): a build reads
 * only the rows after the source's watermark less late_arrival. Whatever the kept groups were made with, an
 * incremental build must give what a --full-refresh build of the same rows gives, and must not read the rows
 * the kept groups already hold.
 */
const models = (anonymous: string, extra = '') => yaml`
  sources:
    - name: events
      table: raw.events
      timestamp: ts
      changes: append
      late_arrival: 1d
      identifiers:
        - { column: anon, type: anonymous_id }
        - { column: email, type: email }${extra}
  identity:
    id_types:
      email: { priority: 1 }
      anonymous_id: ${anonymous}
`;

const DAY = 86_400_000;
const start = Date.parse('2026-05-01T00:00:00Z');
const at = (ms: number) => `timestamp '${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')}'`;

const dirs: string[] = [];
const open: DuckDBWarehouse[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.close()));
  await Promise.all(dirs.splice(0).map(removeProject));
});

async function project(anonymous = '{ priority: 9 }', extra = ''): Promise<LoadedProject> {
  const dir = await writeProject({ 'cdp.config.yaml': 'project: t\n', 'models/m.yaml': models(anonymous, extra) });
  dirs.push(dir);
  return (await loadProject(dir)).project as LoadedProject;
}

async function warehouse(): Promise<DuckDBWarehouse> {
  const w = await DuckDBWarehouse.open({ path: ':memory:' });
  open.push(w);
  await w.execute('create schema raw');
  await w.execute('create table raw.events (anon varchar, email varchar, ts timestamp)');
  return w;
}

/** `n` events on day `day` (hour by row), browsers b0..b9, every third row logged in as its browser's person. */
function events(day: number, n: number, from = 0): string {
  const rows = Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return `(' B${i % 10} ', ${i % 3 === 0 ? `'P${i % 5}@X.com'` : 'null'}, ${at(start + day * DAY + (i % 24) * 3_600_000)})`;
  });
  return `insert into raw.events values ${rows.join(', ')}`;
}

async function build(w: DuckDBWarehouse, p: LoadedProject, asOf: number, fullRefresh = false) {
  return buildProject({ project: p, warehouse: w, runId: `r${asOf}${fullRefresh}`, asOf: new Date(asOf), fullRefresh, log: () => {} });
}

/** What identity published, by value. */
async function identity(w: DuckDBWarehouse): Promise<Record<string, Row[]>> {
  return {
    identifiers: await w.query(IDENTIFIERS_SQL),
    links: await w.query(LINKS_BY_VALUE_SQL),
  };
}

/** Builds incrementally, then with --full-refresh, and expects the same identity both times. */
async function expectSameAsFullRefresh(w: DuckDBWarehouse, p: LoadedProject, asOf: number): Promise<void> {
  await build(w, p, asOf);
  const incremental = await identity(w);
  await build(w, p, asOf, true);
  expect(incremental).toEqual(await identity(w));
}

describe('kept row groups of an append source', () => {
  it('keep the rows before the watermark less late_arrival, and a build adds only what passed it', async () => {
    const w = await warehouse();
    const p = await project();
    for (let day = 0; day < 5; day++) await w.execute(events(day, 48, day * 48));
    await build(w, p, start + 5 * DAY);
    // The watermark is day 4 at 23:00; less a day, the rows up to day 3 at 23:00 are kept.
    const [bound] = await w.query(`select since from cdp._identity_settled where source = 'events'`);
    expect(new Date(String(bound?.since)).toISOString()).toBe(new Date(start + 3 * DAY + 23 * 3_600_000).toISOString());
    const [kept] = await w.query('select sum(n_rows) as n from cdp._identity_settled_events');
    expect(Number(kept?.n)).toBe(4 * 48);

    // A row that arrives late but within late_arrival counts; rows past as-of wait.
    await w.execute(events(5, 24, 240));
    await w.execute(`insert into raw.events values ('b77', 'p77@x.com', ${at(start + 4 * DAY)}), ('b88', 'p88@x.com', ${at(start + 9 * DAY)})`);
    await expectSameAsFullRefresh(w, p, start + 6 * DAY);
    const [late] = await w.query(`select count(*) as n from cdp.identifiers where id_value in ('b77', 'b88')`);
    expect(Number(late?.n)).toBe(1);
  });

  it('are dropped when the source is grouped another way (a changed normalisation)', async () => {
    const w = await warehouse();
    for (let day = 0; day < 4; day++) await w.execute(events(day, 48, day * 48));
    await build(w, await project(), start + 4 * DAY);
    await w.execute(events(4, 24, 400));
    // anonymous_id now keeps its spaces; the kept groups hold trimmed values and must not be reused.
    await expectSameAsFullRefresh(w, await project('{ priority: 9, normalize: none }'), start + 5 * DAY);
    const [spaced] = await w.query(`select count(*) as n from cdp.identifiers where id_value = ' B1 '`);
    expect(Number(spaced?.n)).toBe(1);
  });

  it('are made again when the source gains an identifier column, or their table is gone', async () => {
    const w = await warehouse();
    for (let day = 0; day < 4; day++) await w.execute(events(day, 48, day * 48));
    await build(w, await project(), start + 4 * DAY);
    await w.execute(events(4, 24, 400));
    // The email column again, as a second type: one more column in every kept group.
    const wider = await project('{ priority: 9 }', '\n        - { column: email, type: work_email }');
    await expectSameAsFullRefresh(w, wider, start + 5 * DAY);
    const [typed] = await w.query(`select count(*) as n from cdp.identifiers where id_type = 'work_email'`);
    expect(Number(typed?.n)).toBeGreaterThan(0);
    await w.execute('drop table cdp._identity_settled_events');
    await expectSameAsFullRefresh(w, wider, start + 5 * DAY);
  });

  it('are dropped when the reference time goes back before them', async () => {
    const w = await warehouse();
    const p = await project();
    for (let day = 0; day < 6; day++) await w.execute(events(day, 48, day * 48));
    await build(w, p, start + 6 * DAY);
    await expectSameAsFullRefresh(w, p, start + 2 * DAY + 12 * 3_600_000);
  });

  it('are compacted once they double, and stay the same groups', async () => {
    const w = await warehouse();
    const p = await project();
    let asOf = start + DAY;
    await w.execute(events(0, 48));
    await build(w, p, asOf);
    const counts: number[] = [];
    for (let day = 1; day < 12; day++) {
      await w.execute(events(day, 48, day * 48));
      asOf += DAY;
      await build(w, p, asOf);
      const [kept] = await w.query('select count(*) as n, sum(n_rows) as r from cdp._identity_settled_events');
      counts.push(Number(kept?.n));
      // Every row up to the bound is in a kept group, whether compacted or not.
      expect(Number(kept?.r)).toBe(day * 48);
    }
    // The same browsers and people come back every day: without compaction the groups would grow with every build.
    expect(Math.max(...counts)).toBeLessThan(3 * Math.min(...counts));
    await expectSameAsFullRefresh(w, p, asOf);
  });
});
