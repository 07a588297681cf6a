import { RunError } from '../diagnostics/diagnostic.js';
import type { Dialect, TableRef } from '../dialect/dialect.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/**
 * Connected components in plain SQL: the hook / pointer-jump / contract loop (docs/identity.md#connected-components).
 * Each round every node with an edge points at the smallest node in its closed neighbourhood,
 * pointers are jumped to their roots, and edges are rewritten between roots (edges inside a tree
 * vanish). The edge table shrinks every round; when it is empty the per-round maps are composed.
 * A component's label is its smallest node key. Only equi-joins, GROUP BY/MIN and DISTINCT: the
 * same statements run on every engine, driven one at a time by the CLI.
 */
export interface ComponentsOptions {
  /** A relation or parenthesised SELECT with integer columns `a`, `b` (any order, duplicates and self-loops allowed). */
  readonly edges: string;
  /** Scratch table written with (node_key, comp) for every node that has an edge. */
  readonly out: TableRef;
  readonly scratch: (name: string) => TableRef;
  readonly maxRounds: number;
  /** Prefix of statement labels, so a failing statement says which loop it belonged to. */
  readonly label?: string;
}

export interface ComponentsRun {
  readonly rounds: number;
  readonly jumps: number;
}

/** The scratch tables one loop uses. */
export interface LoopTables {
  readonly w: TableRef;
  readonly wNext: TableRef;
  /** Hook result, then the first (full) jump. */
  readonly par: TableRef;
  readonly jumped: TableRef;
  /** Nodes still jumping: their parent was not a root at the last jump. */
  readonly active: TableRef;
  readonly activeNext: TableRef;
  /** Nodes whose parent is a root; in round 1 this is also the round's map (every node). */
  settled(round: number): TableRef;
  readonly lab: TableRef;
  /** Round r's moves (v <> p); round 1's map is its settled table. */
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
  /** (1) hook: each node points at the smallest id in its closed neighbourhood. */
  hook: (d: Dialect, w: TableRef, par: TableRef): string =>
    d.createScratchTableAs(
      par,
      `select v, least(v, min(nbr)) as p\nfrom (select a as v, b as nbr from ${d.scratchTable(w)} union all select b as v, a as nbr from ${d.scratchTable(w)}) x\ngroup by v`,
    ),
  /** (2a) the first pointer jump over every node; `moved` = 0 means the parent was already a root. */
  firstJump: (d: Dialect, t: LoopTables, round: number): string[] => [
    d.createScratchTableAs(
      t.jumped,
      `select x.v, y.p, case when y.p <> x.p then 1 else 0 end as moved\nfrom ${d.scratchTable(t.par)} x join ${d.scratchTable(t.par)} y on y.v = x.p`,
    ),
    d.createScratchTableAs(t.settled(round), `select v, p from ${d.scratchTable(t.jumped)} where moved = 0`),
    d.createScratchTableAs(t.active, `select v, p from ${d.scratchTable(t.jumped)} where moved = 1`),
  ],
  /** (2b) further jumps touch only the nodes that moved; a parent's parent is active or settled. */
  nextJump: (d: Dialect, t: LoopTables, round: number): string[] => [
    d.createScratchTableAs(
      t.activeNext,
      `select x.v, coalesce(ay.p, sy.p) as p, case when coalesce(ay.p, sy.p) <> x.p then 1 else 0 end as moved
from ${d.scratchTable(t.active)} x
left join ${d.scratchTable(t.active)} ay on ay.v = x.p
left join ${d.scratchTable(t.settled(round))} sy on sy.v = x.p`,
    ),
    `insert into ${d.scratchTable(t.settled(round))} (v, p)\nselect v, p from ${d.scratchTable(t.activeNext)} where moved = 0`,
    d.createScratchTableAs(t.active, `select v, p from ${d.scratchTable(t.activeNext)} where moved = 1`),
  ],
  /** (3) this round's moves, kept for the final composition (round 1 keeps every node). */
  keepMap: (d: Dialect, t: LoopTables, round: number): string =>
    d.createScratchTableAs(t.map(round), `select v, p from ${d.scratchTable(t.settled(round))} where v <> p`),
  /** (4) contract: edges into root space, intra-tree edges and duplicates dropped. */
  contract: (d: Dialect, w: TableRef, par: TableRef, wNext: TableRef): string =>
    d.createScratchTableAs(
      wNext,
      `select distinct least(pa.p, pb.p) as a, greatest(pa.p, pb.p) as b\nfrom ${d.scratchTable(w)} e\njoin ${d.scratchTable(par)} pa on pa.v = e.a\njoin ${d.scratchTable(par)} pb on pb.v = e.b\nwhere pa.p <> pb.p`,
    ),
  /** Compose the maps from the last round back to round 2: lab(v) = final root of v. */
  composeStart: (d: Dialect, t: LoopTables, lastRound: number): string =>
    lastRound < 2
      ? d.createScratchTableAs(t.lab, `select a as v, b as p from ${d.scratchTable(t.w)} where 1 = 0`)
      : d.createScratchTableAs(t.lab, `select v, p from ${d.scratchTable(t.map(lastRound))}`),
  composeRound: (d: Dialect, t: LoopTables, round: number): string =>
    `insert into ${d.scratchTable(t.lab)} (v, p)\nselect m.v, coalesce(l.p, m.p)\nfrom ${d.scratchTable(t.map(round))} m left join ${d.scratchTable(t.lab)} l on l.v = m.p`,
  /** Round 1's map holds every node: its composition is the output. */
  output: (d: Dialect, t: LoopTables, rounds: number, out: TableRef): string =>
    rounds === 0
      ? d.createScratchTableAs(out, `select a as node_key, b as comp from ${d.scratchTable(t.w)} where 1 = 0`)
      : d.createScratchTableAs(
          out,
          `select m.v as node_key, coalesce(l.p, m.p) as comp\nfrom ${d.scratchTable(t.map(1))} m left join ${d.scratchTable(t.lab)} l on l.v = m.p`,
        ),
  cleanup: (d: Dialect, t: LoopTables, rounds: number): string[] => [
    ...[t.w, t.wNext, t.par, t.jumped, t.active, t.activeNext, t.settled(2), t.lab].map((x) => d.dropScratchTable(x)),
    ...Array.from({ length: rounds }, (_, k) => d.dropScratchTable(t.map(k + 1))),
  ],
};

/** A jump budget per round: pointer jumping halves depth, so 64 jumps means something is wrong. */
const MAX_JUMPS = 64;

export async function connectedComponents(warehouse: Warehouse, o: ComponentsOptions): Promise<ComponentsRun> {
  const d = warehouse.dialect;
  const t = loopTables(o.scratch);
  const label = o.label ?? 'identity components';
  const run = async (sql: string | readonly string[], step: string) => {
    for (const s of typeof sql === 'string' ? [sql] : sql) await warehouse.execute(s, { label: `${label}: ${step}` });
  };
  const count = async (table: TableRef, step: string) =>
    Number((await warehouse.query(ccSql.count(d, table), { label: `${label}: ${step}` }))[0]?.n ?? 0);

  await run(ccSql.prepare(d, o.edges, t.w), 'prepare');
  let rounds = 0;
  let jumps = 0;
  // Two edge tables written alternately, so no statement reads the table it replaces.
  let [w, wSpare] = [t.w, t.wNext];
  while ((await count(w, 'count edges')) > 0) {
    if (rounds >= o.maxRounds) {
      throw new RunError(
        'identity-rounds',
        `connected components did not converge within ${o.maxRounds} rounds`,
        'raise identity.max_rounds, or look for a hub value that chains many profiles together (cdp inspect)',
      );
    }
    rounds += 1;
    await run(ccSql.hook(d, w, t.par), `round ${rounds} hook`);
    await run(ccSql.firstJump(d, t, rounds), `round ${rounds} jump`);
    jumps += 1;
    for (let k = 1; (await count(t.active, `round ${rounds} jump`)) > 0; k++) {
      if (k >= MAX_JUMPS) throw new RunError('identity-jumps', `pointer jumping did not settle within ${MAX_JUMPS} jumps in round ${rounds}`);
      await run(ccSql.nextJump(d, t, rounds), `round ${rounds} jump`);
      jumps += 1;
    }
    if (rounds > 1) await run(ccSql.keepMap(d, t, rounds), `round ${rounds} map`);
    await run(ccSql.contract(d, w, t.settled(rounds), wSpare), `round ${rounds} contract`);
    [w, wSpare] = [wSpare, w];
  }
  await run(ccSql.composeStart(d, t, rounds), 'compose');
  for (let r = rounds - 1; r >= 2; r--) await run(ccSql.composeRound(d, t, r), 'compose');
  await run(ccSql.output(d, t, rounds, o.out), 'output');
  await run(ccSql.cleanup(d, t, rounds), 'cleanup');
  return { rounds, jumps };
}
