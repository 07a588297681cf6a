import type { TableRef } from '../../src/dialect/dialect.js';
import { UnionFind } from '../../bench/identity/union-find.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';

export type Edge = readonly [number, number];

/** Loads edges into a fresh table (a, b bigint). */
export async function loadEdges(w: Warehouse, table: TableRef, edges: readonly Edge[]): Promise<void> {
  const d = w.dialect;
  await w.execute(d.createSchema(table.schema));
  await w.execute(`create or replace table ${d.table(table)} (a bigint, b bigint)`);
  await w.insertRows(table, ['a', 'b'], edges.map(([a, b]) => [a, b]));
}

/** Reads `select a, b` back out of the engine: the oracle never trusts the generator. */
export async function readEdges(w: Warehouse, sql: string): Promise<Edge[]> {
  const out: Edge[] = [];
  for await (const chunk of w.stream(sql, { chunkRows: 50_000 })) for (const r of chunk) out.push([Number(r.a), Number(r.b)]);
  return out;
}

export async function readLabels(w: Warehouse, sql: string): Promise<Map<number, number>> {
  const labels = new Map<number, number>();
  for await (const chunk of w.stream(sql, { chunkRows: 50_000 })) {
    for (const r of chunk) {
      const node = Number(r.node_key);
      if (labels.has(node)) throw new Error(`node ${node} has two labels`);
      labels.set(node, Number(r.comp));
    }
  }
  return labels;
}

/** Union-find over arbitrary node ids: node -> representative. */
export function oracleRoots(edges: readonly Edge[], extraNodes: Iterable<number> = []): Map<number, number> {
  const index = new Map<number, number>();
  const ids: number[] = [];
  const idOf = (v: number) => {
    let k = index.get(v);
    if (k === undefined) {
      k = ids.length;
      index.set(v, k);
      ids.push(v);
    }
    return k;
  };
  for (const [a, b] of edges) (idOf(a), idOf(b));
  for (const v of extraNodes) idOf(v);
  const uf = new UnionFind(ids.length);
  for (const [a, b] of edges) uf.union(index.get(a) as number, index.get(b) as number);
  return new Map(ids.map((v, k) => [v, ids[uf.find(k)]]));
}

/**
 * Compares two partitions of the same node set, as partitions (labels may differ): label -> root and
 * root -> label must both be functions. Returns the first problem found, or undefined.
 */
export function partitionDifference(labels: ReadonlyMap<number, number | string>, roots: ReadonlyMap<number, number>): string | undefined {
  if (labels.size !== roots.size) {
    const missing = [...roots.keys()].find((v) => !labels.has(v));
    const extra = [...labels.keys()].find((v) => !roots.has(v));
    return `node count ${labels.size} != ${roots.size} (missing ${missing}, extra ${extra})`;
  }
  const rootOfLabel = new Map<number | string, number>();
  const labelOfRoot = new Map<number, number | string>();
  for (const [v, label] of labels) {
    const root = roots.get(v);
    if (root === undefined) return `node ${v} unknown to the oracle`;
    const seenRoot = rootOfLabel.get(label);
    if (seenRoot !== undefined && seenRoot !== root) return `over-merge: label ${label} spans oracle components ${seenRoot} and ${root} (node ${v})`;
    rootOfLabel.set(label, root);
    const seenLabel = labelOfRoot.get(root);
    if (seenLabel !== undefined && seenLabel !== label) return `under-merge: oracle component ${root} has labels ${seenLabel} and ${label} (node ${v})`;
    labelOfRoot.set(root, label);
  }
  return undefined;
}

/** Labels must be the smallest node of their component. */
export function minLabelProblem(labels: ReadonlyMap<number, number>): string | undefined {
  const min = new Map<number, number>();
  for (const [v, l] of labels) min.set(l, Math.min(min.get(l) ?? Infinity, v));
  for (const [l, m] of min) if (l !== m) return `label ${l} is not the smallest member (${m})`;
  return undefined;
}
