/**
 * Connected components in SQL (the identity core) against an in-memory union-find over the same
 * edges, read from the same DuckDB database in the same run; plus an incremental run adding 1% of
 * the edges to a graph built from the other 99%, as a ratio of the full run.
 *
 *   npx tsx bench/identity/run.ts [--edges 1000000] [--shape identity|chain|both] [--threads 2] [--repeat 1]
 *
 * Graphs are generated in DuckDB SQL with shuffled node ids: `identity` = people with 1-4
 * identifiers linked as a star plus 1% noise links between random identifiers; `chain` = one path
 * over all nodes in random order (the worst case for contraction).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { connectedComponents } from '../../src/identity/connected-components.js';
import { mergeComponents, startTouched, type IncrementalTables } from '../../src/identity/incremental-components.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { unionFindLabels, samePartition } from './union-find-labels.js';

const { values } = parseArgs({
  options: {
    edges: { type: 'string', default: '1000000' },
    shape: { type: 'string', default: 'both' },
    threads: { type: 'string', default: '2' },
    repeat: { type: 'string', default: '1' },
  },
});
const edgeCount = Number(values.edges);
const threads = Number(values.threads);
const shapes = values.shape === 'both' ? ['identity', 'chain'] : [String(values.shape)];
const repeat = Math.max(1, Number(values.repeat));
const seconds = (start: number) => (performance.now() - start) / 1000;

/** The fastest of `repeat` runs (other processes share the machine), and the last result. */
async function fastest<T>(work: () => Promise<T> | T): Promise<{ time: number; result: T }> {
  let best = Infinity;
  let result: T | undefined;
  for (let k = 0; k < repeat; k++) {
    const t = performance.now();
    result = await work();
    best = Math.min(best, seconds(t));
  }
  return { time: best, result: result as T };
}

/** Edges (a, b) over dense node ids 0..n-1 in random order, and `held` marking the 1% held out for the incremental run. */
function generateSql(shape: string, m: number): string {
  if (shape === 'chain') {
    return `create or replace table bench.edges as
with p as (select i, (row_number() over (order by hash(i, 17)) - 1)::bigint as v from range(${m + 1}) t(i))
select x.v as a, y.v as b, hash(x.i, 99) % 100 = 0 as held from p x join p y on y.i = x.i + 1`;
  }
  const people = Math.round(m / 1.5);
  return `create or replace table bench.edges as
with ids as (
  select p * 4 + j as raw from range(${people}) t(p), range(4) s(j) where j < 1 + hash(p, 3) % 4
),
dense as (select raw, (row_number() over (order by hash(raw, 5)) - 1)::bigint as v from ids),
star as (select c.v as a, x.v as b from dense x join dense c on c.raw = x.raw - x.raw % 4 where x.raw % 4 <> 0),
n as (select count(*) as total from dense),
noise as (
  select (hash(i, 7) % n.total)::bigint as a, (hash(i, 11) % n.total)::bigint as b
  from range(${Math.round(m / 100)}) t(i), n
)
select a, b, hash(a, b, 13) % 100 = 0 as held from (select * from star union all select * from noise)`;
}

async function readEdges(path: string, where: string): Promise<{ a: Int32Array; b: Int32Array; nodes: number }> {
  const instance = await DuckDBInstance.create(path, { threads: String(threads) });
  const db = await instance.connect();
  const [[n, nodes]] = (await db.runAndReadAll(`select count(*)::integer, (select max(greatest(a, b)) + 1 from bench.edges)::integer from bench.edges where ${where}`)).getRows() as [[number, number]];
  const a = new Int32Array(n);
  const b = new Int32Array(n);
  const result = await db.stream(`select a::integer, b::integer from bench.edges where ${where}`);
  let k = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const va = chunk.getColumnVector(0);
    const vb = chunk.getColumnVector(1);
    for (let i = 0; i < chunk.rowCount; i++, k++) {
      a[k] = va.getItem(i) as number;
      b[k] = vb.getItem(i) as number;
    }
  }
  db.closeSync();
  instance.closeSync();
  return { a, b, nodes };
}

/** Labels by node; a node without a row is labelled by itself (the loop writes no row for a component's smallest node). */
async function readLabels(w: DuckDBWarehouse, sql: string, nodes: number): Promise<Int32Array> {
  const labels = Int32Array.from({ length: nodes }, (_, v) => v);
  for await (const rows of w.stream(sql, { chunkRows: 100_000 })) for (const r of rows) labels[Number(r.node_key)] = Number(r.comp);
  return labels;
}

async function benchShape(shape: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cdp-bench-identity-'));
  const path = join(dir, 'cc.duckdb');
  try {
    let w = await DuckDBWarehouse.open({ path, threads });
    await w.execute('create schema bench');
    let t = performance.now();
    await w.execute(generateSql(shape, edgeCount));
    const [stats] = await w.query(`select count(*) as edges, count(*) filter (where held) as held, (select count(distinct v) from (select a as v from bench.edges union all select b from bench.edges)) as nodes from bench.edges`);
    console.log(`\n${shape}: ${stats.edges} edges over ${stats.nodes} nodes (generated in ${seconds(t).toFixed(1)} s; ${stats.held} held out for the incremental run)`);
    await w.close();

    t = performance.now();
    const all = await readEdges(path, 'true');
    const readTime = seconds(t);
    const { time: ufTime, result: roots } = await fastest(() => unionFindLabels(all.a, all.b, all.nodes));

    w = await DuckDBWarehouse.open({ path, threads });
    for (const sql of w.dialect.unorderedSession().enter) await w.execute(sql);
    const scratch = (name: string) => ({ schema: 'bench', name });
    const { time: sqlTime, result: full } = await fastest(() =>
      connectedComponents(w, { edges: 'bench.edges', out: scratch('full'), scratch, maxRounds: 200 }),
    );
    const labels = await readLabels(w, `select node_key, comp from ${w.dialect.scratchTable(scratch('full'))}`, all.nodes);
    const check = samePartition(labels, roots, all.a, all.b);
    console.log(`  full SQL CC      ${sqlTime.toFixed(2)} s  (${full.rounds} rounds, ${full.jumps} jumps)  ${check}`);
    console.log(`  union-find       ${ufTime.toFixed(2)} s  (+ ${readTime.toFixed(2)} s reading ${all.a.length} edges out of DuckDB)`);
    console.log(`  ratio SQL / UF   ${(sqlTime / ufTime).toFixed(1)}x   (SQL / (UF + read) ${(sqlTime / (ufTime + readTime)).toFixed(1)}x)`);

    // Incremental: state from the 99%, then merge the held-out 1%.
    const inc: IncrementalTables = { graph: { schema: 'bench', name: 'graph' }, sizes: { schema: 'bench', name: 'sizes' }, touched: scratch('touched'), scratch, maxRounds: 200 };
    await connectedComponents(w, { edges: '(select a, b from bench.edges where not held)', out: scratch('base'), roots: true, scratch, maxRounds: 200 });
    await w.execute('create or replace table bench.delta as select a, b from bench.edges where held');
    let incSeconds = Infinity;
    let absorbed = 0;
    let incRounds = 0;
    for (let k = 0; k < repeat; k++) {
      await w.execute(`create or replace table bench.graph as select node_key, comp from ${w.dialect.scratchTable(scratch('base'))}`);
      await w.execute('create or replace table bench.sizes as select comp, count(*) as n from bench.graph group by comp');
      await startTouched(w, inc);
      t = performance.now();
      const merged = await mergeComponents(w, inc, 'bench.delta');
      incSeconds = Math.min(incSeconds, seconds(t));
      absorbed = merged.absorbed;
      incRounds = merged.rounds;
    }
    const after = await readLabels(w, 'select node_key, comp from bench.graph', all.nodes);
    console.log(
      `  incremental 1%   ${incSeconds.toFixed(2)} s  (${incRounds} rounds, ${absorbed} components absorbed)  = ${((100 * incSeconds) / sqlTime).toFixed(1)}% of full  ${samePartition(after, roots, all.a, all.b)}`,
    );
    await w.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

for (const shape of shapes) await benchShape(shape);
