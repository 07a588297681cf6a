import type { LoadedProject } from '../config/load-project.js';
import type { Row, Value, Warehouse } from '../warehouse/warehouse.js';
import { identitySpec } from './identity-spec.js';
import { identityTables } from './identity-tables.js';
import { blockedBySql, normalizeSql } from './normalize-sql.js';

export interface IdentifierRef {
  readonly idType: string;
  readonly idValue: string;
}

/** One source's evidence for a link: how many rows, when, and one row's primary key. */
export interface LinkEvidence {
  readonly source: string;
  readonly rows: number;
  readonly firstSeen: Value;
  readonly lastSeen: Value;
  /** The smallest primary key among those rows (null when the source declares none). */
  readonly example: Value;
}

export interface LinkStep {
  readonly from: IdentifierRef;
  readonly to: IdentifierRef;
  readonly evidence: readonly LinkEvidence[];
}

export interface InspectedIdentifier extends IdentifierRef {
  readonly firstSeen: Value;
  readonly lastSeen: Value;
  /** The links that join it to the inspected identifier, in order (empty for that identifier itself). */
  readonly path: readonly LinkStep[];
}

/** Something a guard kept out: a value (blocklist, hub) or a link (window, limit, or a link to a hub or blocked value). */
export interface GuardDrop {
  readonly reason: 'blocklist' | 'hub' | 'window' | 'limit';
  readonly identifier: IdentifierRef;
  readonly other: IdentifierRef | null;
  readonly source: string | null;
  readonly rows: number;
  readonly lastSeen: Value;
  readonly detail: string;
}

export type IdentityInspection =
  | {
      readonly found: true;
      readonly query: IdentifierRef;
      readonly profileId: string;
      /** Ids that were merged into this profile. */
      readonly aliases: readonly string[];
      readonly identifiers: readonly InspectedIdentifier[];
      /** Every link between the profile's identifiers, with each source's evidence. */
      readonly links: readonly LinkStep[];
      readonly dropped: readonly GuardDrop[];
      /** True when the profile was too large to list in full. */
      readonly truncated: boolean;
    }
  | {
      readonly found: false;
      readonly query: IdentifierRef;
      readonly reason: 'unknown-type' | 'invalid' | 'not-built' | 'blocklist' | 'hub' | 'not-seen';
      readonly dropped: readonly GuardDrop[];
      /** The blocklist rule the value matches, also when no source row has it (snake_case: a --json key). */
      readonly blocked_by?: string;
    };

const LIMIT = 5000;

/** One person's identity: which identifiers form the profile, the links that joined each one, and what the guards dropped around it. */
export async function inspectIdentity(warehouse: Warehouse, project: LoadedProject, idType: string, value: string): Promise<IdentityInspection> {
  const d = warehouse.dialect;
  const spec = identitySpec(project);
  const t = identityTables(spec.schema);
  const type = spec.types.find((x) => x.name === idType);
  const raw = { idType, idValue: value };
  if (!type) return { found: false, query: raw, reason: 'unknown-type', dropped: [] };
  const [norm] = await warehouse.query(`select ${normalizeSql(d, type, d.stringLiteral(value))} as v`);
  if (norm?.v === null || norm?.v === undefined) return { found: false, query: raw, reason: 'invalid', dropped: [] };
  const query = { idType, idValue: String(norm.v) };
  if (!(await warehouse.tableExists(t.identifiers)) || !(await warehouse.tableExists(t.review))) return { found: false, query, reason: 'not-built', dropped: [] };

  const lit = (v: string) => d.stringLiteral(v);
  const [hit] = await warehouse.query(`select profile_id from ${d.table(t.identifiers)} where id_type = ${lit(query.idType)} and id_value = ${lit(query.idValue)}`);
  if (!hit) {
    const dropped = (await warehouse.query(`select * from ${d.table(t.review)} where id_type = ${lit(query.idType)} and id_value = ${lit(query.idValue)} order by reason, n_rows desc limit 100`)).map(drop);
    const reason = dropped.find((x) => x.other === null)?.reason;
    const [rule] = await warehouse.query(`select ${blockedBySql(d, spec, lit(query.idType), lit(query.idValue))} as blocked_by`);
    const blockedBy = rule?.blocked_by == null ? undefined : String(rule.blocked_by);
    const why = reason === 'blocklist' || reason === 'hub' ? reason : blockedBy ? 'blocklist' : 'not-seen';
    return { found: false, query, reason: why, dropped, ...(blockedBy ? { blocked_by: blockedBy } : {}) };
  }
  const profileId = String(hit.profile_id);
  const members = `(select id_type, id_value from ${d.table(t.identifiers)} where profile_id = ${lit(profileId)})`;
  const identifiers = await warehouse.query(
    `select id_type, id_value, first_seen, last_seen from ${d.table(t.identifiers)} where profile_id = ${lit(profileId)} order by id_type, id_value limit ${LIMIT + 1}`,
  );
  const links = await warehouse.query(
    `select na.id_type as ta, na.id_value as va, nb.id_type as tb, nb.id_value as vb, e.src, e.n_rows, e.first_seen, e.last_seen, e.evidence
from ${d.table(t.edges)} e
join ${d.table(t.nodes)} na on na.node_key = e.a
join ${d.table(t.nodes)} nb on nb.node_key = e.b
join ${members} ma on ma.id_type = na.id_type and ma.id_value = na.id_value
join ${members} mb on mb.id_type = nb.id_type and mb.id_value = nb.id_value
order by e.src, e.a, e.b
limit ${LIMIT * 4}`,
  );
  const dropped = await warehouse.query(
    `select r.* from ${d.table(t.review)} r join ${members} m on m.id_type = r.id_type and m.id_value = r.id_value
union all
select r.* from ${d.table(t.review)} r join ${members} m on m.id_type = r.other_type and m.id_value = r.other_value
order by reason, n_rows desc
limit 500`,
  );
  const aliases = await warehouse.query(`select old_profile_id from ${d.table(t.aliases)} where profile_id = ${lit(profileId)} order by old_profile_id`);
  const paths = shortestPaths(query, links);
  const linkSteps = new Map<string, LinkStep>();
  for (const r of links) {
    const from = { idType: String(r.ta), idValue: String(r.va) };
    const to = { idType: String(r.tb), idValue: String(r.vb) };
    const k = `${key(from)}\u0001${key(to)}`;
    const evidence: LinkEvidence = { source: String(r.src), rows: Number(r.n_rows ?? 0), firstSeen: r.first_seen, lastSeen: r.last_seen, example: r.evidence };
    linkSteps.set(k, { from, to, evidence: [...(linkSteps.get(k)?.evidence ?? []), evidence] });
  }
  return {
    found: true,
    query,
    profileId,
    aliases: aliases.map((r) => String(r.old_profile_id)),
    identifiers: identifiers.slice(0, LIMIT).map((r) => {
      const ref = { idType: String(r.id_type), idValue: String(r.id_value) };
      return { ...ref, firstSeen: r.first_seen, lastSeen: r.last_seen, path: paths.get(key(ref)) ?? [] };
    }),
    links: [...linkSteps.values()],
    dropped: dropped.map(drop),
    truncated: identifiers.length > LIMIT,
  };
}

const key = (r: IdentifierRef) => `${r.idType}\u0000${r.idValue}`;

/** Breadth-first from the inspected identifier over the profile's links: the fewest links to each member. */
function shortestPaths(from: IdentifierRef, links: readonly Row[]): Map<string, LinkStep[]> {
  const steps = new Map<string, LinkStep>();
  const neighbours = new Map<string, IdentifierRef[]>();
  for (const r of links) {
    const a = { idType: String(r.ta), idValue: String(r.va) };
    const b = { idType: String(r.tb), idValue: String(r.vb) };
    const evidence: LinkEvidence = { source: String(r.src), rows: Number(r.n_rows ?? 0), firstSeen: r.first_seen, lastSeen: r.last_seen, example: r.evidence };
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const k = `${key(x)}\u0001${key(y)}`;
      const known = steps.get(k);
      steps.set(k, { from: x, to: y, evidence: [...(known?.evidence ?? []), evidence] });
      if (!known) neighbours.set(key(x), [...(neighbours.get(key(x)) ?? []), y]);
    }
  }
  const paths = new Map<string, LinkStep[]>([[key(from), []]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    const at = queue[i];
    for (const next of neighbours.get(key(at)) ?? []) {
      if (paths.has(key(next))) continue;
      paths.set(key(next), [...(paths.get(key(at)) ?? []), steps.get(`${key(at)}\u0001${key(next)}`) as LinkStep]);
      queue.push(next);
    }
  }
  return paths;
}

function drop(r: Row): GuardDrop {
  const other = r.other_type === null ? null : { idType: String(r.other_type), idValue: String(r.other_value) };
  return {
    reason: String(r.reason) as GuardDrop['reason'],
    identifier: { idType: String(r.id_type), idValue: String(r.id_value) },
    other,
    source: r.src === null ? null : String(r.src),
    rows: Number(r.n_rows ?? 0),
    lastSeen: r.last_seen,
    detail: r.detail === null ? '' : String(r.detail),
  };
}
