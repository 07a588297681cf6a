import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedComponents, type ComponentsRun } from '../../src/identity/connected-components.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { broom, chain, everything, grid, noisy, random, star, tiny } from './graph-families.js';
import { loadEdges, minLabelProblem, oracleRoots, partitionDifference, readEdges, readLabels, type Edge } from './graph-oracle.js';

let w: DuckDBWarehouse;
beforeAll(async () => {
  w = await DuckDBWarehouse.open({ path: ':memory:', threads: 2 });
});
afterAll(async () => {
  await w.close();
});

const input = { schema: 'g', name: 'edges' };
const out = { schema: 'g', name: 'labels' };
const scratch = (name: string) => ({ schema: 'g', name });

/**
 * Runs the SQL loop and checks it against union-find over the edges read back from DuckDB. Without `roots` the
 * output leaves out each component's smallest node (its label), which a reader takes as labelled by itself.
 */
async function check(edges: readonly Edge[], maxRounds = 60, roots = false): Promise<ComponentsRun> {
  await loadEdges(w, input, edges);
  const run = await connectedComponents(w, { edges: w.dialect.table(input), out, scratch, maxRounds, roots });
  const stored = await readEdges(w, `select a, b from ${w.dialect.table(input)}`);
  const linked = stored.filter(([a, b]) => a !== b);
  const written = w.dialect.scratchTable(out);
  const [{ self_labelled: selfLabelled }] = await w.query(`select count(*) as self_labelled from ${written} where node_key = comp`);
  const labels = await readLabels(w, roots ? `select node_key, comp from ${written}` : `select node_key, comp from ${written} union all select distinct comp, comp from ${written}`);
  if (roots) expect(selfLabelled).toBe(labels.size === 0 ? 0 : new Set(labels.values()).size);
  else expect(selfLabelled).toBe(0);
  expect(partitionDifference(labels, oracleRoots(linked))).toBeUndefined();
  expect(minLabelProblem(labels)).toBeUndefined();
  const n = Math.max(2, labels.size);
  expect(run.rounds).toBeLessThanOrEqual(2 * Math.log2(n) + 10);
  return run;
}

describe('connected components in SQL', () => {
  it('handles the empty edge set and self-loops only', async () => {
    expect((await check([])).rounds).toBe(0);
    expect((await check([[1, 1], [2, 2]])).rounds).toBe(0);
  });

  it('solves a sorted chain in one round and a shuffled chain in a few', async () => {
    expect((await check(chain(2000))).rounds).toBe(1);
    const shuffledRun = await check(chain(2000, 7));
    expect(shuffledRun.rounds).toBeGreaterThan(1);
    expect(shuffledRun.rounds).toBeLessThanOrEqual(12);
  });

  it('solves stars with the centre as the smallest and as the largest id', async () => {
    expect((await check(star(1000, 'min'))).rounds).toBe(1);
    expect((await check(star(1000, 'max'))).rounds).toBeLessThanOrEqual(2);
  });

  it('solves many tiny components, a grid, a broom and a random giant component', async () => {
    await check(tiny(300));
    await check(grid(30));
    await check(grid(30, 3));
    await check(broom(500, 500, 5));
    await check(random(3000, 4000, 9));
  });

  it('ignores duplicate and reversed edges and self-loops', async () => {
    await check(noisy(chain(500, 11)));
  });

  it('solves the disjoint union of every family, with and without rows for the labels', async () => {
    await check(everything(400, 13));
    await check(everything(400, 13), 60, true);
  });

  it('solves a shuffled chain of 100k nodes within the round budget', async () => {
    await w.execute(`create or replace table ${w.dialect.table(input)} as
      with p as (select i, row_number() over (order by hash(i * 7919)) as v from range(100000) t(i))
      select x.v as a, y.v as b from p x join p y on y.i = x.i + 1`);
    const run = await connectedComponents(w, { edges: w.dialect.table(input), out, scratch, maxRounds: 60 });
    const labels = await w.query(`select count(*) as nodes, count(distinct comp) as comps, min(comp) as label from ${w.dialect.scratchTable(out)}`);
    expect(labels[0]).toEqual({ nodes: 99999, comps: 1, label: 1 });
    expect(run.rounds).toBeLessThanOrEqual(2 * Math.log2(100000) + 10);
  });

  it('fails clearly instead of looping past the round budget', async () => {
    await loadEdges(w, input, chain(200, 3));
    await expect(connectedComponents(w, { edges: w.dialect.table(input), out, scratch, maxRounds: 1 })).rejects.toThrow(/did not converge within 1 rounds/);
  });

  it('agrees with union-find on random small graphs', async () => {
    const edge = fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }));
    await fc.assert(
      fc.asyncProperty(fc.array(edge, { maxLength: 60 }), fc.boolean(), async (edges, roots) => {
        await check(edges, 60, roots);
      }),
      { numRuns: 60 },
    );
  });
});
