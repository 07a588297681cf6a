import type { Dialect, TableRef } from '../dialect/dialect.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { executePlan } from '../model/execute-plan.js';
import { statementsStep, type PlanStep } from '../model/plan.js';
import { componentsSteps, type ComponentsOptions } from './connected-components.js';

/**
 * Keeps a stored partition `graph(node_key, comp)` and its component sizes `sizes(comp, n)` up to
 * date as edges come and go (docs/identity.md#incremental-updates), touching only the components that change. `comp` is
 * always the node key of one of its members. Every component whose node set changes is recorded in
 * scratch `touched(comp)`, kept in terms of the current labels.
 */
export interface IncrementalTables {
  readonly graph: TableRef;
  readonly sizes: TableRef;
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
  /** Sizes from scratch, after a full build. */
  rebuildSizes: (d: Dialect, t: IncrementalTables): readonly string[] => [
    `delete from ${d.table(t.sizes)} where 1 = 1`,
    `insert into ${d.table(t.sizes)} (comp, n) select comp, count(*) from ${d.table(t.graph)} group by comp`,
  ],
  /** Nodes of scratch `fresh(node_key)` enter the graph as singletons. */
  addFresh: (d: Dialect, t: IncrementalTables, fresh: TableRef): readonly string[] => [
    `insert into ${d.table(t.graph)} (node_key, comp) select node_key, node_key from ${d.scratchTable(fresh)}`,
    `insert into ${d.table(t.sizes)} (comp, n) select node_key, 1 from ${d.scratchTable(fresh)}`,
    `insert into ${d.scratchTable(t.touched)} (comp) select node_key from ${d.scratchTable(fresh)}`,
  ],
};

export async function startTouched(w: Warehouse, t: IncrementalTables): Promise<void> {
  await w.execute(incrementalSql.startTouched(w.dialect, t), { label: 'identity: touched components' });
}

/** Nodes of `nodes` (a relation with column node_key) that the graph lacks enter as singletons. */
export async function addNodes(w: Warehouse, t: IncrementalTables, nodes: string): Promise<void> {
  for (const sql of addNodesSql(w.dialect, t, nodes)) await w.execute(sql, { label: 'identity: new nodes' });
}

export function addNodesSql(d: Dialect, t: IncrementalTables, nodes: string): string[] {
  const fresh = t.scratch('inc_fresh');
  return [
    d.createScratchTableAs(fresh, `select distinct x.node_key from ${nodes} x left join ${d.table(t.graph)} g on g.node_key = x.node_key where g.node_key is null`),
    ...incrementalSql.addFresh(d, t, fresh),
    d.dropScratchTable(fresh),
  ];
}

/**
 * Recomputes the components listed in `dirty` (a relation with column comp) from `edges` (a, b),
 * keeping only their nodes listed in `keep` (a relation with column node_key): removed edges and
 * removed nodes split components here. Parts are labelled by their smallest node.
 */
export async function splitComponents(w: Warehouse, t: IncrementalTables, dirty: string, edges: string, keep: string): Promise<number> {
  const run = await executePlan(w, splitSteps(w.dialect, t, dirty, edges, keep));
  return run.rounds.get('identity.split.rounds') ?? 0;
}

/** `splitComponents` as plan steps: the statements of `splitSql` around its components loop (`identity.split.rounds`). */
export function splitSteps(d: Dialect, t: IncrementalTables, dirty: string, edges: string, keep: string): PlanStep[] {
  return aroundLoop(d, t, 'split', splitSql(d, t, dirty, edges, keep));
}

/** Statements, the components loop, statements: the shape of both a split and a merge. */
function aroundLoop(
  d: Dialect,
  t: IncrementalTables,
  name: 'split' | 'merge',
  sql: { readonly before: readonly string[]; readonly loop: Omit<ComponentsOptions, 'maxRounds'>; readonly after: readonly string[] },
): PlanStep[] {
  const label = `identity: ${name} components`;
  return [
    statementsStep('identity', `identity.${name}.before`, label, sql.before),
    ...componentsSteps(d, { ...sql.loop, maxRounds: t.maxRounds, id: `identity.${name}`, label }),
    statementsStep('identity', `identity.${name}.after`, label, sql.after),
  ];
}

/** The statements of `splitComponents` around its components loop (`loop`: the loop's edges, output and scratch names). */
export function splitSql(d: Dialect, t: IncrementalTables, dirty: string, edges: string, keep: string) {
  const [dirtySet, nodes, inner, parts, relabelled] = ['split_dirty', 'split_nodes', 'split_edges', 'split_parts', 'split_relabelled'].map(t.scratch);
  const s = (x: TableRef) => d.scratchTable(x);
  return {
    before: [
      d.createScratchTableAs(dirtySet, `select distinct comp from ${dirty} x`),
      d.createScratchTableAs(nodes, `select g.node_key from ${d.table(t.graph)} g join ${s(dirtySet)} x on x.comp = g.comp join ${keep} k on k.node_key = g.node_key`),
      d.createScratchTableAs(inner, `select e.a, e.b from ${edges} e join ${s(nodes)} x on x.node_key = e.a join ${s(nodes)} y on y.node_key = e.b`),
    ],
    loop: { edges: s(inner), out: parts, scratch: (n: string) => t.scratch(`split_${n}`) },
    after: [
      d.createScratchTableAs(relabelled, `select n.node_key, coalesce(p.comp, n.node_key) as comp from ${s(nodes)} n left join ${s(parts)} p on p.node_key = n.node_key`),
      `delete from ${d.table(t.graph)} where comp in (select comp from ${s(dirtySet)})`,
      `insert into ${d.table(t.graph)} (node_key, comp) select node_key, comp from ${s(relabelled)}`,
      `delete from ${d.table(t.sizes)} where comp in (select comp from ${s(dirtySet)})`,
      `insert into ${d.table(t.sizes)} (comp, n) select comp, count(*) from ${s(relabelled)} group by comp`,
      `delete from ${s(t.touched)} where comp in (select comp from ${s(dirtySet)})`,
      `insert into ${s(t.touched)} (comp) select distinct comp from ${s(relabelled)}`,
      ...[dirtySet, nodes, inner, parts, relabelled].map((x) => d.dropScratchTable(x)),
    ],
  };
}

/**
 * Merges the components that `delta` edges (a, b) join: the endpoints' components are read in one
 * pass over the graph (endpoints it lacks enter as singletons), edges are lifted into component
 * space, the same loop finds which components merge, and in each group the largest component (ties:
 * smallest label) survives, so only the nodes of absorbed components are rewritten (union by size).
 */
export async function mergeComponents(w: Warehouse, t: IncrementalTables, delta: string): Promise<MergeResult> {
  const run = await executePlan(w, mergeSteps(w.dialect, t, delta));
  return { rounds: run.rounds.get('identity.merge.rounds') ?? 0, absorbed: Number(run.reads.get('identity.merge.absorbed')?.[0]?.n ?? 0) };
}

/** `mergeComponents` as plan steps: `mergeSql` around its loop (`identity.merge.rounds`), the read `identity.merge.absorbed`, the clean-up. */
export function mergeSteps(d: Dialect, t: IncrementalTables, delta: string): PlanStep[] {
  const sql = mergeSql(d, t, delta);
  return [
    ...aroundLoop(d, t, 'merge', sql),
    { kind: 'read', id: 'identity.merge.absorbed', stage: 'identity', label: 'identity: merge components', sql: sql.absorbed },
    statementsStep('identity', 'identity.merge.cleanup', 'identity: merge components', sql.cleanup),
  ];
}

/** The statements of `mergeComponents` around its components loop; `absorbed` is read before `cleanup`. */
export function mergeSql(d: Dialect, t: IncrementalTables, delta: string) {
  const g = d.table(t.graph);
  const [points, ends, fresh, lifted, groups, sized, relabel, grown] = [
    'merge_points', 'merge_ends', 'merge_fresh', 'merge_lifted', 'merge_groups', 'merge_sized', 'merge_relabel', 'merge_grown',
  ].map(t.scratch);
  const s = (x: TableRef) => d.scratchTable(x);
  return {
    before: [
      d.createScratchTableAs(points, `select distinct node_key from (select a as node_key from ${delta} e union all select b as node_key from ${delta} e) x`),
      d.createScratchTableAs(ends, `select x.node_key, x.comp from ${g} x join ${s(points)} p on p.node_key = x.node_key`),
      d.createScratchTableAs(fresh, `select p.node_key from ${s(points)} p left join ${s(ends)} x on x.node_key = p.node_key where x.node_key is null`),
      ...incrementalSql.addFresh(d, t, fresh),
      `insert into ${s(ends)} (node_key, comp) select node_key, node_key from ${s(fresh)}`,
      d.createScratchTableAs(
        lifted,
        `select distinct least(ea.comp, eb.comp) as a, greatest(ea.comp, eb.comp) as b
from ${delta} e join ${s(ends)} ea on ea.node_key = e.a join ${s(ends)} eb on eb.node_key = e.b
where ea.comp <> eb.comp`,
      ),
    ],
    // Every component of a group has a row, the group's smallest too: the sizes decide which survives.
    loop: { edges: s(lifted), out: groups, roots: true, scratch: (n: string) => t.scratch(`merge_${n}`) },
    after: [
      // One probe of the sizes: every component in a group with its size.
      d.createScratchTableAs(sized, `select q.comp as grp, q.node_key as comp, z.n from ${s(groups)} q join ${d.table(t.sizes)} z on z.comp = q.node_key`),
      d.createScratchTableAs(
        relabel,
        `select m.comp as old_comp, v.comp as new_comp, m.n
from ${s(sized)} m
join (select grp, comp from (select grp, comp, row_number() over (partition by grp order by n desc, comp) as r from ${s(sized)} y) x where r = 1) v on v.grp = m.grp
where m.comp <> v.comp`,
      ),
      d.createScratchTableAs(
        grown,
        `select m.comp as grown_comp, m.n + a.added as n
from (select new_comp, sum(n) as added from ${s(relabel)} group by new_comp) a join ${s(sized)} m on m.comp = a.new_comp`,
      ),
      `update ${g} x set comp = m.new_comp from ${s(relabel)} m where x.comp = m.old_comp`,
      `delete from ${d.table(t.sizes)} where comp in (select old_comp from ${s(relabel)} union all select grown_comp from ${s(grown)})`,
      `insert into ${d.table(t.sizes)} (comp, n) select grown_comp, n from ${s(grown)}`,
      `update ${s(t.touched)} x set comp = m.new_comp from ${s(relabel)} m where x.comp = m.old_comp`,
      `insert into ${s(t.touched)} (comp) select grown_comp from ${s(grown)}`,
    ],
    absorbed: `select count(*) as n from ${s(relabel)}`,
    cleanup: [points, ends, fresh, lifted, groups, sized, relabel, grown].map((x) => d.dropScratchTable(x)),
  };
}
