import type { Dialect, TableRef } from '../dialect/dialect.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { connectedComponents } from './connected-components.js';

/**
 * Keeps a stored partition `graph(node_key, comp)` up to date as edges come and go (research §5),
 * touching only the components that change. `comp` is always the node key of one of its members.
 * Every component whose node set changes is recorded in `touched(comp)`, which is kept in terms of
 * the current labels.
 */
export interface IncrementalTables {
  readonly graph: TableRef;
  /** Scratch table (comp) collecting the components that changed; created by `startTouched`. */
  readonly touched: TableRef;
  readonly scratch: (name: string) => TableRef;
  readonly maxRounds: number;
}

export interface MergeResult {
  readonly rounds: number;
  /** Components absorbed into a larger one. */
  readonly absorbed: number;
}

/** Pure builders for the statements below that `cdp compile` also prints. */
export const incrementalSql = {
  startTouched: (d: Dialect, t: IncrementalTables): string => d.createScratchTableAs(t.touched, `select comp from ${d.table(t.graph)} where 1 = 0`),
  addNodes: (d: Dialect, t: IncrementalTables, nodes: string): readonly string[] => {
    const fresh = t.scratch('inc_fresh');
    return [
      d.createScratchTableAs(
        fresh,
        `select distinct x.node_key from ${nodes} x left join ${d.table(t.graph)} g on g.node_key = x.node_key where g.node_key is null`,
      ),
      `insert into ${d.table(t.graph)} (node_key, comp) select node_key, node_key from ${d.scratchTable(fresh)}`,
      `insert into ${d.scratchTable(t.touched)} (comp) select node_key from ${d.scratchTable(fresh)}`,
      d.dropScratchTable(fresh),
    ];
  },
};

export async function startTouched(w: Warehouse, t: IncrementalTables): Promise<void> {
  await w.execute(incrementalSql.startTouched(w.dialect, t), { label: 'identity: touched components' });
}

/** Nodes of `nodes` (a relation with column node_key) that the graph lacks enter as singletons. */
export async function addNodes(w: Warehouse, t: IncrementalTables, nodes: string): Promise<void> {
  for (const sql of incrementalSql.addNodes(w.dialect, t, nodes)) await w.execute(sql, { label: 'identity: new nodes' });
}

/**
 * Recomputes the components listed in `dirty` (a relation with column comp) from `edges` (a, b),
 * keeping only their nodes listed in `keep` (a relation with column node_key): removed edges and
 * removed nodes split components here. Parts are labelled by their smallest node.
 */
export async function splitComponents(w: Warehouse, t: IncrementalTables, dirty: string, edges: string, keep: string): Promise<number> {
  const d = w.dialect;
  const label = { label: 'identity: split components' };
  const nodes = t.scratch('split_nodes');
  const inner = t.scratch('split_edges');
  const parts = t.scratch('split_parts');
  const dirtySet = t.scratch('split_dirty');
  await w.execute(d.createScratchTableAs(dirtySet, `select distinct comp from ${dirty} x`), label);
  await w.execute(
    d.createScratchTableAs(
      nodes,
      `select g.node_key from ${d.table(t.graph)} g
join ${d.scratchTable(dirtySet)} x on x.comp = g.comp
join ${keep} k on k.node_key = g.node_key`,
    ),
    label,
  );
  await w.execute(
    d.createScratchTableAs(
      inner,
      `select e.a, e.b from ${edges} e
join ${d.scratchTable(nodes)} x on x.node_key = e.a
join ${d.scratchTable(nodes)} y on y.node_key = e.b`,
    ),
    label,
  );
  const run = await connectedComponents(w, {
    edges: d.scratchTable(inner),
    out: parts,
    scratch: (n) => t.scratch(`split_${n}`),
    maxRounds: t.maxRounds,
    label: 'identity: split components',
  });
  const relabelled = `select n.node_key, coalesce(p.comp, n.node_key) as comp
from ${d.scratchTable(nodes)} n left join ${d.scratchTable(parts)} p on p.node_key = n.node_key`;
  await w.execute(`delete from ${d.table(t.graph)} where comp in (select comp from ${d.scratchTable(dirtySet)})`, label);
  await w.execute(`insert into ${d.table(t.graph)} (node_key, comp)\n${relabelled}`, label);
  await w.execute(`delete from ${d.scratchTable(t.touched)} where comp in (select comp from ${d.scratchTable(dirtySet)})`, label);
  await w.execute(`insert into ${d.scratchTable(t.touched)} (comp)\nselect distinct comp from (${relabelled}) x`, label);
  for (const x of [nodes, inner, parts, dirtySet]) await w.execute(d.dropScratchTable(x), label);
  return run.rounds;
}

/**
 * Merges the components that `delta` edges (a, b) join: edges are lifted into component space, the
 * same loop finds which components merge, and in each group the largest component (ties: smallest
 * label) survives, so only the nodes of absorbed components are rewritten (union by size).
 * Endpoints the graph lacks are added as singletons first.
 */
export async function mergeComponents(w: Warehouse, t: IncrementalTables, delta: string): Promise<MergeResult> {
  const d = w.dialect;
  const label = { label: 'identity: merge components' };
  const g = d.table(t.graph);
  const lifted = t.scratch('merge_lifted');
  const groups = t.scratch('merge_groups');
  const sizes = t.scratch('merge_sizes');
  const relabel = t.scratch('merge_relabel');
  await addNodes(w, t, `(select a as node_key from ${delta} e union all select b as node_key from ${delta} e)`);
  await w.execute(
    d.createScratchTableAs(
      lifted,
      `select distinct least(ga.comp, gb.comp) as a, greatest(ga.comp, gb.comp) as b
from ${delta} e join ${g} ga on ga.node_key = e.a join ${g} gb on gb.node_key = e.b
where ga.comp <> gb.comp`,
    ),
    label,
  );
  const run = await connectedComponents(w, {
    edges: d.scratchTable(lifted),
    out: groups,
    scratch: (n) => t.scratch(`merge_${n}`),
    maxRounds: t.maxRounds,
    label: 'identity: merge components',
  });
  await w.execute(
    d.createScratchTableAs(
      sizes,
      `select m.node_key as comp, m.comp as grp, count(*) as n
from ${d.scratchTable(groups)} m join ${g} x on x.comp = m.node_key
group by m.node_key, m.comp`,
    ),
    label,
  );
  await w.execute(
    d.createScratchTableAs(
      relabel,
      `select s.comp as old_comp, v.comp as new_comp
from ${d.scratchTable(sizes)} s
join (select grp, comp from (select grp, comp, row_number() over (partition by grp order by n desc, comp) as r from ${d.scratchTable(sizes)} z) y where r = 1) v
  on v.grp = s.grp
where s.comp <> v.comp`,
    ),
    label,
  );
  const r = d.scratchTable(relabel);
  await w.execute(`update ${g} set comp = m.new_comp from ${r} m where comp = m.old_comp`, label);
  await w.execute(`update ${d.scratchTable(t.touched)} set comp = m.new_comp from ${r} m where comp = m.old_comp`, label);
  await w.execute(`insert into ${d.scratchTable(t.touched)} (comp) select distinct new_comp from ${r}`, label);
  const [row] = await w.query(`select count(*) as n from ${r}`, label);
  for (const x of [lifted, groups, sizes, relabel]) await w.execute(d.dropScratchTable(x), label);
  return { rounds: run.rounds, absorbed: Number(row?.n ?? 0) };
}
