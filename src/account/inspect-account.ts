import type { LoadedProject } from '../config/load-project.js';
import { identitySpec } from '../identity/identity-spec.js';
import { identityTables } from '../identity/identity-tables.js';
import { normalizeSql } from '../identity/normalize-sql.js';
import type { Value, Warehouse } from '../warehouse/warehouse.js';
import { accountSpec } from './account-spec.js';

export const ACCOUNT_ID = /^acc_[0-9a-f]{16}$/;

export type AccountView =
  | { readonly found: false; readonly query: string; readonly reason: 'no-accounts' | 'not-built' | 'unknown-type' | 'not-found' }
  | {
      readonly found: true;
      readonly query: string;
      readonly accountId: string;
      readonly identifiers: readonly { readonly idType: string; readonly idValue: string; readonly firstSeen: Value; readonly lastSeen: Value }[];
      /** Each member person, why it belongs (the membership rule), and one of its identifiers to recognise it by. */
      readonly members: readonly { readonly profileId: string; readonly reason: string; readonly identifier: string | null }[];
      readonly traits: Readonly<Record<string, Value>>;
      readonly segments: readonly { readonly segment: string; readonly member: boolean; readonly enteredAt: Value; readonly where: string }[];
    };

/**
 * `cdp inspect account:<query>` (docs/accounts.md): the query is an account id (`acc_…`), `type:value` of an
 * account identifier type, or a domain (normalised like account identity does, so `https://www.Acme.com/`
 * finds `acme.com`).
 */
export async function inspectAccount(warehouse: Warehouse, project: LoadedProject, query: string): Promise<AccountView> {
  const spec = accountSpec(project);
  if (!spec) return { found: false, query, reason: 'no-accounts' };
  const d = warehouse.dialect;
  const t = spec.tables;
  if (!(await warehouse.tableExists(t.identifiers))) return { found: false, query, reason: 'not-built' };
  let accountId: string | undefined;
  if (ACCOUNT_ID.test(query)) accountId = query;
  else {
    const colon = query.indexOf(':');
    const named = colon > 0 ? spec.identity.types.find((x) => x.name === query.slice(0, colon)) : undefined;
    const type = named ?? spec.domainType;
    if (!type) return { found: false, query, reason: 'unknown-type' };
    const value = named ? query.slice(colon + 1) : query;
    const [row] = await warehouse.query(
      `select account_id from ${d.table(t.identifiers)} where id_type = ${d.literal(type.name)} and id_value = ${normalizeSql(d, type, d.literal(value))}`,
    );
    accountId = row ? String(row.account_id) : undefined;
  }
  const identifiers = accountId === undefined ? [] : await warehouse.query(`select id_type, id_value, first_seen, last_seen from ${d.table(t.identifiers)} where account_id = ${d.literal(accountId)} order by id_type, id_value`);
  if (accountId === undefined || identifiers.length === 0) return { found: false, query, reason: 'not-found' };
  const personIds = d.table(identityTables(project.config.schema).identifiers);
  // A member is shown by an email when it has one (the identifier people recognise), else its smallest identifier.
  const emails = identitySpec(project).types.filter((x) => x.normalize === 'email');
  const emailTypes = emails.length > 0 ? emails.map((x) => d.literal(x.name)).join(', ') : 'null';
  const members = await warehouse.query(
    `select m.profile_id, m.reason, coalesce(min(case when i.id_type in (${emailTypes}) then i.id_type || ':' || i.id_value end), min(i.id_type || ':' || i.id_value)) as identifier
from ${d.table(t.members)} m left join ${personIds} i on i.profile_id = m.profile_id
where m.account_id = ${d.literal(accountId)} group by m.profile_id, m.reason order by m.profile_id`,
  );
  const [row] = (await warehouse.tableExists(t.accounts)) ? await warehouse.query(`select * from ${d.table(t.accounts)} where account_id = ${d.literal(accountId)}`) : [];
  const traits = Object.fromEntries(spec.traits.map((x) => [x.name, row?.[x.name.toLowerCase()] ?? null]));
  const entered = new Map<string, Value>();
  if (await warehouse.tableExists(t.segmentMembers)) {
    for (const m of await warehouse.query(`select segment, entered_at from ${d.table(t.segmentMembers)} where account_id = ${d.literal(accountId)}`)) entered.set(String(m.segment), m.entered_at);
  }
  return {
    found: true,
    query,
    accountId,
    identifiers: identifiers.map((r) => ({ idType: String(r.id_type), idValue: String(r.id_value), firstSeen: r.first_seen, lastSeen: r.last_seen })),
    members: members.map((r) => ({ profileId: String(r.profile_id), reason: String(r.reason), identifier: r.identifier === null ? null : String(r.identifier) })),
    traits,
    segments: spec.segments.map((s) => ({ segment: s.name, member: entered.has(s.name), enteredAt: entered.get(s.name) ?? null, where: s.where })),
  };
}
