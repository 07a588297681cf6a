import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedComponents } from '../../src/identity/connected-components.js';
import { incrementalSql, mergeComponents, splitComponents, startTouched, type IncrementalTables } from '../../src/identity/incremental-components.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { chain, random, shuffled, star } from './graph-families.js';
import { loadEdges, oracleRoots, partitionDifference, readEdges, readLabels, type Edge } from './graph-oracle.js';

let w: DuckDBWarehouse;
beforeAll(async () => {
  w = await DuckDBWarehouse.open({ path: ':memory:', threads: 2 });
});
afterAll(async () => {
  await w.close();
});

const all = { schema: 'inc', name: 'all_edges' };
const delta = { schema: 'inc', name: 'delta' };
const t: IncrementalTables = {
  graph: { schema: 'inc', name: 'graph' },
  sizes: { schema: 'inc', name: 'sizes' },
  touched: { schema: 'inc', name: 'touched' },
  scratch: (name) => ({ schema: 'inc', name }),
  maxRounds: 60,
};

/** Full build of the stored graph from `edges`. */
async function build(edges: readonly Edge[]): Promise<void> {
  const d = w.dialect;
  await loadEdges(w, all, edges);
  const out = { schema: 'inc', name: 'full' };
  await connectedComponents(w, { edges: d.table(all), out, roots: true, scratch: t.scratch, maxRounds: 60 });
  await w.execute(`create or replace table ${d.table(t.graph)} as select node_key, comp from ${d.scratchTable(out)}`);
  await w.execute(`create or replace table ${d.table(t.sizes)} (comp bigint, n bigint)`);
  for (const sql of incrementalSql.rebuildSizes(d, t)) await w.execute(sql);
  await startTouched(w, t);
}

async function addEdges(edges: readonly Edge[]): Promise<number> {
  await loadEdges(w, delta, edges);
  await w.execute(`insert into ${w.dialect.table(all)} select a, b from ${w.dialect.table(delta)}`);
  return (await mergeComponents(w, t, w.dialect.table(delta))).absorbed;
}

async function removeEdges(edges: readonly Edge[]): Promise<void> {
  const d = w.dialect;
  await loadEdges(w, delta, edges);
  const dirty = `(select g.comp from ${d.table(delta)} x join ${d.table(t.graph)} g on g.node_key = x.a)`;
  // Compute the dirty components before the edges disappear, then split them.
  await w.execute(`create or replace table inc.dirty as select distinct comp from ${dirty} y`);
  await w.execute(`delete from ${d.table(all)} where exists (select 1 from ${d.table(delta)} x where (x.a = all_edges.a and x.b = all_edges.b) or (x.a = all_edges.b and x.b = all_edges.a))`);
  await splitComponents(w, t, 'inc.dirty', d.table(all), `(select node_key from ${d.table(t.graph)})`);
}

/** The stored partition against union-find over every edge so far (read back), isolated nodes included. */
async function expectOracle(): Promise<void> {
  const d = w.dialect;
  const edges = (await readEdges(w, `select a, b from ${d.table(all)}`)).filter(([a, b]) => a !== b);
  const labels = await readLabels(w, `select node_key, comp from ${d.table(t.graph)}`);
  expect(partitionDifference(labels, oracleRoots(edges, labels.keys()))).toBeUndefined();
  const bad = await w.query(`select g.comp from ${d.table(t.graph)} g left join ${d.table(t.graph)} m on m.node_key = g.comp where m.comp is null or m.comp <> g.comp limit 1`);
  expect(bad, 'every label is a member of its own component').toEqual([]);
  const sizes = await w.query(`select count(*) as n from (select comp, count(*) as n from ${d.table(t.graph)} group by comp) c
    full join ${d.table(t.sizes)} z on z.comp = c.comp where z.n is null or c.n is null or z.n <> c.n`);
  expect(sizes, 'sizes match the graph').toEqual([{ n: 0 }]);
}

describe('incremental components', () => {
  it('matches union-find after every random delta', async () => {
    const edges = shuffled(random(3000, 2400, 21), 1);
    await build(edges.slice(0, 1200));
    for (let k = 0; k < 6; k++) {
      await addEdges(edges.slice(1200 + k * 200, 1400 + k * 200));
      await expectOracle();
    }
  });

  it('relabels only the smaller side when a delta bridges the two largest components', async () => {
    const big = chain(3000, 5);
    const small = chain(1000, 6).map(([a, b]) => [a + 5000, b + 5000] as const);
    await build([...big, ...small, [9000, 9001]]);
    const before = await w.query(`select comp, count(*) as n from ${w.dialect.table(t.graph)} group by comp order by n desc`);
    expect(before.map((r) => r.n)).toEqual([3000, 1000, 2]);
    const absorbed = await addEdges([[big[17][0], small[3][1]]]);
    expect(absorbed).toBe(1);
    const after = await w.query(`select comp, count(*) as n from ${w.dialect.table(t.graph)} group by comp order by n desc`);
    expect(after[0]).toEqual({ comp: before[0].comp, n: 4000 });
    await expectOracle();
  });

  it('splits components when edges are removed, and new nodes stay separate', async () => {
    await build([...chain(400, 3), ...star(50, 'max').map(([a, b]) => [a + 1000, b + 1000] as const)]);
    const cut = chain(400, 3).slice(100, 101);
    await removeEdges(cut);
    await expectOracle();
    await removeEdges([[1050, 1001], [1050, 1002]]);
    await expectOracle();
    await addEdges([[2000, 2001], [2001, 1050]]);
    await expectOracle();
  });

  it('agrees with union-find through random inserts and deletes', async () => {
    const edge = fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }));
    const step = fc.record({ add: fc.array(edge, { maxLength: 8 }), remove: fc.nat({ max: 5 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(edge, { maxLength: 30 }), fc.array(step, { minLength: 1, maxLength: 4 }), async (base, steps) => {
        await build(base);
        for (const s of steps) {
          if (s.add.length > 0) await addEdges(s.add);
          const present = await readEdges(w, `select a, b from ${w.dialect.table(all)}`);
          const gone = present.filter((_, k) => k % 7 < s.remove);
          if (gone.length > 0) await removeEdges(gone);
          await expectOracle();
        }
      }),
      { numRuns: 30 },
    );
  }, 180_000);
});
