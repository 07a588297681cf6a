import type { Dialect } from '../dialect/dialect.js';
import { executePlan } from '../model/execute-plan.js';
import { statementsStep, type PlanStep } from '../model/plan.js';
import { note } from '../model/print-plan.js';
import type { Row, Value, Warehouse } from '../warehouse/warehouse.js';
import { componentsSteps } from './connected-components.js';
import type { IdentitySpec } from './identity-spec.js';
import type { IdentityTables } from './identity-tables.js';
import { prioritySql } from './normalize-sql.js';

/**
 * Per-type limits (`max_per_profile`). A component of the link graph that holds more values of a
 * limited type than allowed (two user_ids, six emails) is split again: its links are taken
 * strongest first — by the weaker end's priority, then rows, then recency, then the values
 * themselves — and a link is dropped when it would join two groups whose union breaks a limit
 * (Kruskal with a veto). The order depends only on the current data, never on arrival, so full
 * and incremental runs drop the same links. Components within their limits are untouched: no
 * subset of them can break a limit. Only the (few) violating components are read out.
 *
 * Writes scratch `limit_drops(a, b, detail)` and `limit_labels(node_key, comp)` (every node of a
 * violating component with its part's label, the part's smallest node key).
 */
export interface LimitResult {
  readonly violating: number;
  readonly dropped: number;
  readonly rounds: number;
}

export interface LinkRow {
  readonly a: number;
  readonly b: number;
  readonly tier: number;
  readonly rows: number;
  readonly last: string;
  readonly key: string;
  readonly ta: string;
  readonly tb: string;
}

/** The statements around the veto, pure (also printed by `cdp compile`). */
export const limitSql = {
  dropsTable: (d: Dialect, t: IdentityTables): string =>
    d.createScratchTableAs(t.scratch('limit_drops'), `select a, b, cast(null as ${d.typeName('string')}) as detail from ${d.table(t.edges)} where 1 = 0`),
  /** Components holding more values of a limited type than allowed. */
  violating(d: Dialect, spec: IdentitySpec, t: IdentityTables): string {
    const limited = spec.types.filter((x) => x.maxPerProfile !== undefined);
    if (limited.length === 0) return d.createScratchTableAs(t.scratch('violating'), `select comp from ${d.table(t.graph)} where 1 = 0`);
    return d.createScratchTableAs(
      t.scratch('violating'),
      `select distinct comp from (
  select x.comp from ${d.table(t.graph)} x join ${d.table(t.nodes)} n on n.node_key = x.node_key
  where n.id_type in (${limited.map((x) => d.stringLiteral(x.name)).join(', ')})
  group by x.comp, n.id_type
  having count(*) > case n.id_type ${limited.map((x) => `when ${d.stringLiteral(x.name)} then ${x.maxPerProfile}`).join(' ')} end
) y`,
    );
  },
  /** Read by the CLI: the links of violating components, one row per node pair, with what orders them. */
  links(d: Dialect, spec: IdentitySpec, t: IdentityTables): string {
    const s = (name: string) => d.scratchTable(t.scratch(name));
    const prio = (alias: string) => prioritySql(d, spec, `${alias}.id_type`);
    return `select e.a, e.b, na.id_type as ta, na.id_value as va, nb.id_type as tb, nb.id_value as vb,
  greatest(${prio('na')}, ${prio('nb')}) as tier, sum(e.n_rows) as n_rows, max(e.last_seen) as last_seen
from ${s('edges')} e
join ${d.table(t.graph)} x on x.node_key = e.a join ${s('violating')} v on v.comp = x.comp
join ${d.table(t.nodes)} na on na.node_key = e.a join ${d.table(t.nodes)} nb on nb.node_key = e.b
group by e.a, e.b, na.id_type, na.id_value, nb.id_type, nb.id_value`;
  },
  /** The links of violating components that survive the veto: the edges of the second loop. */
  kept: (d: Dialect, t: IdentityTables): string => `(select e.a, e.b from ${d.scratchTable(t.scratch('edges'))} e
  join ${d.table(t.graph)} x on x.node_key = e.a join ${d.scratchTable(t.scratch('violating'))} v on v.comp = x.comp
  left join ${d.scratchTable(t.scratch('limit_drops'))} k on k.a = e.a and k.b = e.b
  where k.a is null)`,
  labels: (d: Dialect, t: IdentityTables): string =>
    d.createScratchTableAs(
      t.scratch('limit_labels'),
      `select x.node_key, coalesce(c.comp, x.node_key) as comp
from ${d.table(t.graph)} x join ${d.scratchTable(t.scratch('violating'))} v on v.comp = x.comp
left join ${d.scratchTable(t.scratch('limit_cc'))} c on c.node_key = x.node_key`,
    ),
};

/** The columns of scratch `limit_drops` the CLI writes the vetoed links into. */
export const VETOED_COLUMNS = ['a', 'b', 'detail'];

/** `applyLimits` on its own (tests); a build runs `limitSteps` inside its plan. */
export async function applyLimits(w: Warehouse, spec: IdentitySpec, t: IdentityTables): Promise<LimitResult> {
  const run = await executePlan(w, limitSteps(w.dialect, spec, t));
  return {
    violating: Number(run.reads.get('identity.limits.violating')?.[0]?.n ?? 0),
    dropped: vetoedCount(spec, run.reads.get('identity.limits.veto') ?? []),
    rounds: run.rounds.get('identity.limits.rounds') ?? 0,
  };
}

/**
 * The per-type limits as plan steps: the violating components, the veto (a `compute` step: the links read,
 * `vetoedLinks` decides, its rows are inserted into `limit_drops`), the components loop over the links kept
 * (`identity.limits.rounds`), and the labels. Reads `identity.limits.veto` and `identity.limits.violating`.
 */
export function limitSteps(d: Dialect, spec: IdentitySpec, t: IdentityTables): PlanStep[] {
  const label = 'identity: per-type limits';
  const target = d.scratchTable(t.scratch('limit_drops'));
  return [
    statementsStep('identity', 'identity.limits', label, [limitSql.dropsTable(d, t), limitSql.violating(d, spec, t)]),
    {
      kind: 'compute',
      id: 'identity.limits.veto',
      stage: 'identity',
      label,
      read: limitSql.links(d, spec, t),
      write: (rows) => ({ statements: valuesInserts(d, target, VETOED_COLUMNS, vetoed(spec, rows).map((x) => [x.a, x.b, x.detail])) }),
      shown: [note(`in chunks of 500, one row (a, b, detail) per link vetoed (strongest first, a link that would break a limit):\n${vetoedInsertTemplate(d, target)}`)],
    },
    ...componentsSteps(d, { edges: limitSql.kept(d, t), out: t.scratch('limit_cc'), scratch: (n) => t.scratch(`limit_${n}`), maxRounds: spec.maxRounds, id: 'identity.limits', label }),
    statementsStep('identity', 'identity.limits.labels', label, [limitSql.labels(d, t), d.dropScratchTable(t.scratch('limit_cc'))]),
    { kind: 'read', id: 'identity.limits.violating', stage: 'identity', label, sql: `select count(*) as n from ${d.scratchTable(t.scratch('violating'))}` },
  ];
}

/** How many links the veto dropped, from the links it read. */
export function vetoedCount(spec: IdentitySpec, links: readonly Row[]): number {
  return vetoed(spec, links).length;
}

function vetoed(spec: IdentitySpec, links: readonly Row[]) {
  const limits = new Map(spec.types.flatMap((x) => (x.maxPerProfile !== undefined ? [[x.name, x.maxPerProfile] as const] : [])));
  return vetoedLinks(links.map(linkRow), limits);
}

function linkRow(r: Row): LinkRow {
  const ka = `${text(r.ta)}\u0000${text(r.va)}`;
  const kb = `${text(r.tb)}\u0000${text(r.vb)}`;
  return {
    a: Number(r.a),
    b: Number(r.b),
    tier: Number(r.tier),
    rows: Number(r.n_rows ?? 0),
    last: text(r.last_seen),
    key: ka < kb ? `${ka}\u0001${kb}` : `${kb}\u0001${ka}`,
    ta: text(r.ta),
    tb: text(r.tb),
  };
}

/** The insert of vetoed links with its rows left out (`<rows>`): the rows are decided at run time. */
export function vetoedInsertTemplate(d: Dialect, target: string): string {
  return valuesInserts(d, target, VETOED_COLUMNS, [[0, 0, '']])[0].replace(/values\n[\s\S]*$/, 'values <rows>');
}

const text = (v: Value): string => (v === null ? '' : String(v));

/** Kruskal with a veto: the links whose acceptance would break a type's limit. Pure. */
export function vetoedLinks(
  links: readonly LinkRow[],
  limits: ReadonlyMap<string, number>,
): { readonly a: number; readonly b: number; readonly detail: string }[] {
  const ordered = [...links].sort(
    (x, y) => x.tier - y.tier || y.rows - x.rows || (x.last < y.last ? 1 : x.last > y.last ? -1 : 0) || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0),
  );
  const types = [...limits.keys()];
  const index = new Map<number, number>();
  const typeOf: number[] = [];
  const nodeIndex = (node: number, type: string) => {
    let k = index.get(node);
    if (k === undefined) {
      k = typeOf.length;
      index.set(node, k);
      typeOf.push(types.indexOf(type));
    }
    return k;
  };
  for (const l of ordered) (nodeIndex(l.a, l.ta), nodeIndex(l.b, l.tb));
  const parent = Int32Array.from(typeOf, (_, k) => k);
  const find = (x: number): number => {
    let v = x;
    while (parent[v] !== v) v = parent[v] = parent[parent[v]];
    return v;
  };
  const counts = typeOf.map((k) => {
    const c = new Int32Array(types.length);
    if (k >= 0) c[k] = 1;
    return c;
  });
  const drops: { a: number; b: number; detail: string }[] = [];
  for (const l of ordered) {
    const ra = find(index.get(l.a) as number);
    const rb = find(index.get(l.b) as number);
    if (ra === rb) continue;
    const broken = types.findIndex((_, k) => counts[ra][k] + counts[rb][k] > (limits.get(types[k]) ?? Infinity));
    if (broken >= 0) {
      drops.push({ a: l.a, b: l.b, detail: `${types[broken]} max_per_profile ${limits.get(types[broken])}` });
      continue;
    }
    parent[rb] = ra;
    for (let k = 0; k < types.length; k++) counts[ra][k] += counts[rb][k];
  }
  return drops;
}

/** `insert into target (cols) values ...` in chunks, for scratch tables (Warehouse.insertRows writes to schema tables). */
export function valuesInserts(d: Dialect, target: string, columns: readonly string[], rows: readonly (readonly Value[])[], chunk = 500): string[] {
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += chunk) {
    const values = rows.slice(i, i + chunk).map((r) => `(${r.map((v) => d.literal(v)).join(', ')})`);
    out.push(`insert into ${target} (${columns.join(', ')}) values\n${values.join(',\n')}`);
  }
  return out;
}
