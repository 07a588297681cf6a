import type { Dialect } from '../dialect/dialect.js';
import { statementsStep, type DecideStep, type PlanStep } from '../model/plan.js';
import { componentsSteps } from './connected-components.js';
import type { IdentityTables } from './identity-tables.js';
import { addNodesSql, incrementalSql, mergeSteps, splitSteps, type IncrementalTables } from './incremental-components.js';

export type IdentityMode = 'full' | 'incremental';

/**
 * Brings `_identity_graph` in line with this run's edges (scratch `edges`) and nodes (scratch `present`), as
 * the plan step that follows the identity mode (`identity.mode`). Full: the loop over every edge.
 * Incremental: this run's edge set is diffed against the stored `_identity_edges`; components that lost an
 * edge or a node are recomputed from their remaining edges (splits), new nodes enter alone, and added edges
 * merge components by size. Afterwards scratch `touched(comp)` lists every component whose node set
 * changed (full: all). Reads `identity.edges_added` and (incremental) `identity.edges_removed`.
 */
export function componentsStep(d: Dialect, t: IdentityTables, maxRounds: number): DecideStep {
  const s = (name: string) => d.scratchTable(t.scratch(name));
  const sql = incrementalComponentsSql(d, t, maxRounds);
  const label = 'identity: components';
  const read = (id: string, query: string): PlanStep => ({ kind: 'read', id: `identity.${id}`, stage: 'identity', label, sql: query });
  const full: PlanStep[] = [
    ...componentsSteps(d, { edges: s('edges'), out: t.scratch('full_cc'), scratch: t.scratch, maxRounds, id: 'identity.full', label }),
    statementsStep('identity', 'identity.full.graph', label, fullGraphSql(d, t, maxRounds)),
    read('edges_added', `select count(*) as n from (select distinct a, b from ${s('edges')}) x`),
  ];
  const incremental: PlanStep[] = [
    statementsStep('identity', 'identity.diff', label, [...sql.diff, sql.startTouched]),
    ...splitSteps(d, sql.inc, sql.split.dirty, s('edges'), s('present')),
    statementsStep('identity', 'identity.new_nodes', label, sql.addNodes),
    ...mergeSteps(d, sql.inc, s('edges_added')),
    read('edges_added', `select count(*) as n from ${s('edges_added')}`),
    read('edges_removed', `select count(*) as n from ${s('edges_removed')}`),
    statementsStep('identity', 'identity.diff.cleanup', label, sql.cleanup),
  ];
  return {
    kind: 'decide',
    id: 'identity.components',
    stage: 'identity',
    label,
    on: { decision: 'identity.mode' },
    choose: ({ answer }) => answer,
    branches: {
      full: { when: 'a full build: the loop over every edge', steps: full },
      incremental: { when: 'an incremental build: diff the edges, split what lost an edge or node, add new nodes, merge by size', steps: incremental },
    },
  };
}

/**
 * An incremental build's statements outside its split and merge steps: the edge and node diff, the
 * components to split, new nodes, and the clean-up.
 */
export function incrementalComponentsSql(d: Dialect, t: IdentityTables, maxRounds: number) {
  const s = (name: string) => d.scratchTable(t.scratch(name));
  const g = d.table(t.graph);
  const inc: IncrementalTables = { graph: t.graph, sizes: t.sizes, touched: t.scratch('touched'), scratch: t.scratch, maxRounds };
  const stored = `(select distinct a, b from ${d.table(t.edges)})`;
  const current = `(select distinct a, b from ${s('edges')})`;
  return {
    diff: [
      // One join of the two edge sets gives both sides of the diff.
      d.createScratchTableAs(
        t.scratch('edges_diff'),
        `select coalesce(c.a, p.a) as a, coalesce(c.b, p.b) as b, case when p.a is null then 1 else 0 end as added
from ${current} c full outer join ${stored} p on p.a = c.a and p.b = c.b
where p.a is null or c.a is null`,
      ),
      d.createScratchTableAs(t.scratch('edges_added'), `select a, b from ${s('edges_diff')} where added = 1`),
      d.createScratchTableAs(t.scratch('edges_removed'), `select a, b from ${s('edges_diff')} where added = 0`),
      d.createScratchTableAs(
        t.scratch('nodes_removed'),
        `select x.node_key, x.comp from ${g} x left join ${s('present')} p on p.node_key = x.node_key where p.node_key is null`,
      ),
    ],
    inc,
    startTouched: incrementalSql.startTouched(d, inc),
    split: {
      /** The components to recompute: those that lost an edge or a node. */
      dirty: `(select x.comp from ${s('edges_removed')} e join ${g} x on x.node_key = e.a
union all select comp from ${s('nodes_removed')})`,
    },
    addNodes: addNodesSql(d, inc, s('present')),
    cleanup: ['edges_diff', 'edges_added', 'edges_removed', 'nodes_removed'].map((x) => d.dropScratchTable(t.scratch(x))),
  };
}

/** Full build, after the loop wrote scratch `full_cc`: the graph is its result plus every node it has no row for (no links, or the smallest of its component), labelled by itself. */
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
