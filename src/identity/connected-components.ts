import { RunError } from '../diagnostics/diagnostic.js';
import type { Dialect, TableRef } from '../dialect/dialect.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { executePlan } from '../model/execute-plan.js';
import { statementsStep, type LoopStep, type PlanStage, type PlanStep } from '../model/plan.js';

/**
 * Connected components in plain SQL: the hook / pointer-jump / contract loop (docs/identity.md#connected-components).
 * Each round every node with an edge points at the smallest node in its closed neighbourhood,
 * pointers are jumped to their roots, and edges are rewritten between roots (edges inside a tree
 * vanish). The edge table shrinks every round; when it is empty the per-round maps are composed.
 * A component's label is its smallest node key. Only equi-joins, GROUP BY/MIN and DISTINCT: the
 * same statements run on every engine, driven one at a time by the CLI.
 *
 * Roots are never written: a node that is the smallest of its closed neighbourhood has no row in
 * the round's pointers, and a node missing from a map stays where it is. With edges stored as
 * a < b, a node's smaller neighbours are the `a` of its edges as `b`, so the hook groups each edge
 * once instead of both ways; the output likewise holds only the nodes whose label is another node
 * (unless `roots`), and every consumer reads a missing node as labelled by itself.
 */
export interface ComponentsOptions {
  /** A relation or parenthesised SELECT with integer columns `a`, `b` (any order, duplicates and self-loops allowed). */
  readonly edges: string;
  /**
   * Scratch table written with (node_key, comp) for every node that has an edge and is not the smallest of
   * its component; with `roots`, the smallest nodes too (as comp = node_key).
   */
  readonly out: TableRef;
  readonly roots?: boolean;
  readonly scratch: (name: string) => TableRef;
  readonly maxRounds: number;
  /** Prefix of statement labels, so a failing statement says which loop it belonged to. */
  readonly label?: string;
  /** The plan stage the loop's steps belong to (default `identity`; accounts run the same loop). */
  readonly stage?: PlanStage;
}

export interface ComponentsRun {
  readonly rounds: number;
  readonly jumps: number;
}

/** The scratch tables one loop uses. */
export interface LoopTables {
  readonly w: TableRef;
  readonly wNext: TableRef;
  /** Hook result (the nodes with a smaller neighbour), then the first (full) jump. */
  readonly par: TableRef;
  readonly jumped: TableRef;
  /** Nodes still jumping: their parent was not a root at the last jump. */
  readonly active: TableRef;
  readonly activeNext: TableRef;
  /** Nodes whose parent is a root; in round 1 this is also the round's map. */
  settled(round: number): TableRef;
  readonly lab: TableRef;
  /** Round r's moves: every node that is not a root of round r; round 1's map is its settled table. */
  map(round: number): TableRef;
}

export function loopTables(scratch: (name: string) => TableRef): LoopTables {
  return {
    w: scratch('cc_w'),
    wNext: scratch('cc_w_next'),
    par: scratch('cc_par'),
    jumped: scratch('cc_jumped'),
    active: scratch('cc_active'),
    activeNext: scratch('cc_active_next'),
    settled: (round) => (round === 1 ? scratch('cc_map_1') : scratch('cc_settled')),
    lab: scratch('cc_lab'),
    map: (round) => scratch(`cc_map_${round}`),
  };
}

/** Pure statement builders: also what `cdp compile` prints for one round. */
export const ccSql = {
  /** Oriented a < b, self-loops dropped; duplicates stay (the hook ignores them, the first contraction removes them). */
  prepare: (d: Dialect, edges: string, w: TableRef): string =>
    d.createScratchTableAs(
      w,
      `select least(e.a, e.b) as a, greatest(e.a, e.b) as b\nfrom ${edges} e\nwhere e.a is not null and e.b is not null and e.a <> e.b`,
    ),
  count: (d: Dialect, table: TableRef): string => `select count(*) as n from ${d.scratchTable(table)}`,
  /** (1) hook: each node with a smaller neighbour points at the smallest (edges are a < b); roots have no row. */
  hook: (d: Dialect, w: TableRef, par: TableRef): string =>
    d.createScratchTableAs(par, `select b as v, min(a) as p\nfrom ${d.scratchTable(w)}\ngroup by b`),
  /** (2a) the first pointer jump over every node; `moved` = 0 means the parent was a root (it has no row). */
  firstJump: (d: Dialect, t: LoopTables, round: number): string[] => [
    d.createScratchTableAs(
      t.jumped,
      `select x.v, coalesce(y.p, x.p) as p, case when y.v is null then 0 else 1 end as moved\nfrom ${d.scratchTable(t.par)} x left join ${d.scratchTable(t.par)} y on y.v = x.p`,
    ),
    d.createScratchTableAs(t.settled(round), `select v, p from ${d.scratchTable(t.jumped)} where moved = 0`),
    d.createScratchTableAs(t.active, `select v, p from ${d.scratchTable(t.jumped)} where moved = 1`),
  ],
  /** (2b) further jumps touch only the nodes that moved; a parent's parent is active, settled, or the parent is a root. */
  nextJump: (d: Dialect, t: LoopTables, round: number): string[] => [
    d.createScratchTableAs(
      t.activeNext,
      `select x.v, coalesce(ay.p, sy.p, x.p) as p, case when ay.v is null and sy.v is null then 0 else 1 end as moved
from ${d.scratchTable(t.active)} x
left join ${d.scratchTable(t.active)} ay on ay.v = x.p
left join ${d.scratchTable(t.settled(round))} sy on sy.v = x.p`,
    ),
    `insert into ${d.scratchTable(t.settled(round))} (v, p)\nselect v, p from ${d.scratchTable(t.activeNext)} where moved = 0`,
    d.createScratchTableAs(t.active, `select v, p from ${d.scratchTable(t.activeNext)} where moved = 1`),
  ],
  /** (3) this round's moves, kept for the final composition (round 1's settled table is its map). */
  keepMap: (d: Dialect, t: LoopTables, round: number): string =>
    d.createScratchTableAs(t.map(round), `select v, p from ${d.scratchTable(t.settled(round))}`),
  /** (4) contract: edges into root space (a node without a row is a root), intra-tree edges and duplicates dropped. */
  contract: (d: Dialect, w: TableRef, par: TableRef, wNext: TableRef): string => {
    const [pa, pb] = ['coalesce(pa.p, e.a)', 'coalesce(pb.p, e.b)'];
    return d.createScratchTableAs(
      wNext,
      `select distinct least(${pa}, ${pb}) as a, greatest(${pa}, ${pb}) as b\nfrom ${d.scratchTable(w)} e\nleft join ${d.scratchTable(par)} pa on pa.v = e.a\nleft join ${d.scratchTable(par)} pb on pb.v = e.b\nwhere ${pa} <> ${pb}`,
    );
  },
  /** Compose the maps from the last round back to round 2: lab(v) = final root of v. */
  composeStart: (d: Dialect, t: LoopTables, lastRound: number): string =>
    lastRound < 2
      ? d.createScratchTableAs(t.lab, `select a as v, b as p from ${d.scratchTable(t.w)} where 1 = 0`)
      : d.createScratchTableAs(t.lab, `select v, p from ${d.scratchTable(t.map(lastRound))}`),
  composeRound: (d: Dialect, t: LoopTables, round: number): string =>
    `insert into ${d.scratchTable(t.lab)} (v, p)\nselect m.v, coalesce(l.p, m.p)\nfrom ${d.scratchTable(t.map(round))} m left join ${d.scratchTable(t.lab)} l on l.v = m.p`,
  /**
   * The output: round 1's moves composed with the later rounds', and the later rounds' moves themselves (their
   * nodes were roots of round 1); with `roots`, also each label as its own row.
   */
  output: (d: Dialect, t: LoopTables, rounds: number, out: TableRef, roots: boolean): string[] =>
    rounds === 0
      ? [d.createScratchTableAs(out, `select a as node_key, b as comp from ${d.scratchTable(t.w)} where 1 = 0`)]
      : [
          d.createScratchTableAs(
            out,
            `select m.v as node_key, coalesce(l.p, m.p) as comp\nfrom ${d.scratchTable(t.map(1))} m left join ${d.scratchTable(t.lab)} l on l.v = m.p\nunion all\nselect v, p from ${d.scratchTable(t.lab)}`,
          ),
          ...(roots ? [`insert into ${d.scratchTable(out)} (node_key, comp)\nselect distinct comp, comp from ${d.scratchTable(out)}`] : []),
        ],
  cleanup: (d: Dialect, t: LoopTables, rounds: number): string[] => [
    ...[t.w, t.wNext, t.par, t.jumped, t.active, t.activeNext, t.settled(2), t.lab].map((x) => d.dropScratchTable(x)),
    ...Array.from({ length: rounds }, (_, k) => d.dropScratchTable(t.map(k + 1))),
  ],
};

/** A jump budget per round: pointer jumping halves depth, so 64 jumps means something is wrong. */
const MAX_JUMPS = 64;

/**
 * The loop as plan steps (model/plan.ts): prepare, then rounds while edges are left (each: hook, the first
 * jump, more jumps while nodes moved, the round's map, contract), then the maps composed into `out`. Loop
 * ids are `<id>.rounds` and `<id>.jumps`; `cdp compile` writes rounds 1-3, and every later round repeats
 * round 2 (even) or 3 (odd) with its own map table `cc_map_<r>`.
 */
export function componentsSteps(d: Dialect, o: ComponentsOptions & { readonly id: string }): PlanStep[] {
  const t = loopTables(o.scratch);
  const label = o.label ?? 'identity components';
  const stage = o.stage ?? 'identity';
  const step = (name: string, statements: readonly string[]) => statementsStep(stage, `${o.id}.${name.split(' ').pop()}`, `${label}: ${name}`, statements);
  // Two edge tables written alternately, so no statement reads the table it replaces.
  const edges = (round: number) => (round % 2 === 1 ? [t.w, t.wNext] : [t.wNext, t.w]);
  const jumps = (round: number): LoopStep => ({
    kind: 'loop',
    id: `${o.id}.jumps`,
    stage,
    label: `${label}: round ${round} jumps`,
    count: () => ccSql.count(d, t.active),
    body: () => [step(`round ${round} jump`, ccSql.nextJump(d, t, round))],
    maxRounds: MAX_JUMPS - 1,
    exceeded: () => new RunError('identity-jumps', `pointer jumping did not settle within ${MAX_JUMPS} jumps in round ${round}`),
    shown: { rounds: [1], after: [] },
  });
  const rounds: LoopStep = {
    kind: 'loop',
    id: `${o.id}.rounds`,
    stage,
    label: `${label}: rounds`,
    count: (round) => ccSql.count(d, edges(round)[0]),
    body: (round) => {
      const [w, wNext] = edges(round);
      return [
        step(`round ${round} hook`, [ccSql.hook(d, w, t.par)]),
        step(`round ${round} jump`, ccSql.firstJump(d, t, round)),
        jumps(round),
        ...(round > 1 ? [step(`round ${round} map`, [ccSql.keepMap(d, t, round)])] : []),
        step(`round ${round} contract`, [ccSql.contract(d, w, t.settled(round), wNext)]),
      ];
    },
    after: (last) => [
      step('compose', [ccSql.composeStart(d, t, last), ...Array.from({ length: Math.max(0, last - 2) }, (_, k) => ccSql.composeRound(d, t, last - 1 - k))]),
      step('output', ccSql.output(d, t, last, o.out, o.roots ?? false)),
      step('cleanup', ccSql.cleanup(d, t, last)),
    ],
    maxRounds: o.maxRounds,
    exceeded: () =>
      new RunError(
        'identity-rounds',
        `connected components did not converge within ${o.maxRounds} rounds`,
        'raise identity.max_rounds, or look for a hub value that chains many profiles together (cdp inspect)',
      ),
    // R = 4 stands for every R >= 3: it composes maps R-1 down to 2 (a later R's maps repeat map 3's statement).
    shown: { rounds: [1, 2, 3], after: [0, 1, 2, 4] },
  };
  return [step('prepare', [ccSql.prepare(d, o.edges, t.w)]), rounds];
}

/** Runs the loop on its own (tests, benches); a build runs `componentsSteps` inside its plan. */
export async function connectedComponents(warehouse: Warehouse, o: ComponentsOptions): Promise<ComponentsRun> {
  const run = await executePlan(warehouse, componentsSteps(warehouse.dialect, { ...o, id: 'components' }));
  const rounds = run.rounds.get('components.rounds') ?? 0;
  return { rounds, jumps: rounds + (run.rounds.get('components.jumps') ?? 0) };
}
