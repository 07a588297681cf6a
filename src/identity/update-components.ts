import type { Dialect } from '../dialect/dialect.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { connectedComponents } from './connected-components.js';
import type { IdentityTables } from './identity-tables.js';
import { addNodesSql, incrementalSql, mergeSql, splitSql, type IncrementalTables } from './incremental-components.js';

export type IdentityMode = 'full' | 'incremental';

export interface ComponentChanges {
  readonly mode: IdentityMode;
  readonly rounds: number;
  readonly edgesAdded: number;
  readonly edgesRemoved: number;
  readonly nodesRemoved: number;
  readonly componentsAbsorbed: number;
}

/**
 * Brings `_identity_graph` in line with this run's edges (scratch `edges`) and nodes (scratch
 * `present`). Full: the loop over every edge. Incremental: this run's edge set is diffed against
 * the stored `_identity_edges`; components that lost an edge or a node are recomputed from their
 * remaining edges (splits), new nodes enter alone, and added edges merge components by size.
 * Afterwards scratch `touched(comp)` lists every component whose node set changed (full: all).
 */
export async function updateComponents(w: Warehouse, t: IdentityTables, mode: IdentityMode, maxRounds: number): Promise<ComponentChanges> {
  const d = w.dialect;
  const s = (name: string) => d.scratchTable(t.scratch(name));
  const g = d.table(t.graph);
  const inc: IncrementalTables = { graph: t.graph, sizes: t.sizes, touched: t.scratch('touched'), scratch: t.scratch, maxRounds };
  const label = { label: 'identity: components' };
  const count = async (sql: string) => Number((await w.query(sql, label))[0]?.n ?? 0);

  if (mode === 'full') {
    const run = await connectedComponents(w, { edges: s('edges'), out: t.scratch('full_cc'), scratch: t.scratch, maxRounds, label: 'identity: components' });
    for (const sql of fullGraphSql(d, t, maxRounds)) await w.execute(sql, label);
    const edges = await count(`select count(*) as n from (select distinct a, b from ${s('edges')}) x`);
    return { mode, rounds: run.rounds, edgesAdded: edges, edgesRemoved: 0, nodesRemoved: 0, componentsAbsorbed: 0 };
  }

  const sql = incrementalComponentsSql(d, t, maxRounds);
  for (const statement of [...sql.diff, sql.startTouched, ...sql.split.before]) await w.execute(statement, label);
  const split = await connectedComponents(w, { ...sql.split.loop, maxRounds, label: 'identity: split components' });
  for (const statement of [...sql.split.after, ...sql.addNodes, ...sql.merge.before]) await w.execute(statement, label);
  const merge = await connectedComponents(w, { ...sql.merge.loop, maxRounds, label: 'identity: merge components' });
  for (const statement of sql.merge.after) await w.execute(statement, label);
  const absorbed = await count(sql.merge.absorbed);
  for (const statement of sql.merge.cleanup) await w.execute(statement, label);
  const changes = {
    mode,
    rounds: split.rounds + merge.rounds,
    edgesAdded: await count(`select count(*) as n from ${s('edges_added')}`),
    edgesRemoved: await count(`select count(*) as n from ${s('edges_removed')}`),
    nodesRemoved: await count(`select count(*) as n from ${s('nodes_removed')}`),
    componentsAbsorbed: absorbed,
  };
  for (const statement of sql.cleanup) await w.execute(statement, label);
  return changes;
}

/**
 * An incremental build's statements around its two components loops (split, then merge), in the order
 * they run: the edge and node diff, the split of components that lost something, new nodes, the merge
 * by size, and the clean-up. `cdp compile` writes them as the incremental choice of the components step.
 */
export function incrementalComponentsSql(d: Dialect, t: IdentityTables, maxRounds: number) {
  const s = (name: string) => d.scratchTable(t.scratch(name));
  const g = d.table(t.graph);
  const inc: IncrementalTables = { graph: t.graph, sizes: t.sizes, touched: t.scratch('touched'), scratch: t.scratch, maxRounds };
  const stored = `(select distinct a, b from ${d.table(t.edges)})`;
  const current = `(select distinct a, b from ${s('edges')})`;
  return {
    diff: [
      d.createScratchTableAs(t.scratch('edges_added'), `select c.a, c.b from ${current} c left join ${stored} p on p.a = c.a and p.b = c.b where p.a is null`),
      d.createScratchTableAs(t.scratch('edges_removed'), `select p.a, p.b from ${stored} p left join ${current} c on c.a = p.a and c.b = p.b where c.a is null`),
      d.createScratchTableAs(
        t.scratch('nodes_removed'),
        `select x.node_key, x.comp from ${g} x left join ${s('present')} p on p.node_key = x.node_key where p.node_key is null`,
      ),
    ],
    startTouched: incrementalSql.startTouched(d, inc),
    split: splitSql(
      d,
      inc,
      `(select x.comp from ${s('edges_removed')} e join ${g} x on x.node_key = e.a
union all select comp from ${s('nodes_removed')})`,
      s('edges'),
      s('present'),
    ),
    addNodes: addNodesSql(d, inc, s('present')),
    merge: mergeSql(d, inc, s('edges_added')),
    cleanup: ['edges_added', 'edges_removed', 'nodes_removed'].map((x) => d.dropScratchTable(t.scratch(x))),
  };
}

/** Full build, after the loop wrote scratch `full_cc`: the graph is its result plus every node without links. */
export function fullGraphSql(d: Dialect, t: IdentityTables, maxRounds: number): readonly string[] {
  const inc: IncrementalTables = { graph: t.graph, sizes: t.sizes, touched: t.scratch('touched'), scratch: t.scratch, maxRounds };
  const fresh = t.scratch('full_fresh');
  return [
    `delete from ${d.table(t.graph)} where 1 = 1`,
    `insert into ${d.table(t.graph)} (node_key, comp) select node_key, comp from ${d.scratchTable(t.scratch('full_cc'))}`,
    d.createScratchTableAs(
      fresh,
      `select p.node_key from ${d.scratchTable(t.scratch('present'))} p left join ${d.scratchTable(t.scratch('full_cc'))} c on c.node_key = p.node_key where c.node_key is null`,
    ),
    `insert into ${d.table(t.graph)} (node_key, comp) select node_key, node_key from ${d.scratchTable(fresh)}`,
    d.dropScratchTable(fresh),
    d.dropScratchTable(t.scratch('full_cc')),
    ...incrementalSql.rebuildSizes(d, inc),
    d.createScratchTableAs(t.scratch('touched'), `select comp from ${d.table(t.sizes)}`),
  ];
}
