import type { LoadedProject } from '../config/load-project.js';
import type { Dialect, TableRef } from '../dialect/dialect.js';
import type { IdTypeSpec } from '../identity/identity-spec.js';
import { identityTables } from '../identity/identity-tables.js';
import { blockedBySql, domainSql, normalizeSql, prioritySql } from '../identity/normalize-sql.js';
import type { AccountSpec } from './account-spec.js';

/**
 * Account identity as statements (docs/accounts.md#account-identity), pure: `cdp build` sends them
 * (build-accounts.ts) and `cdp compile` writes them (accounts-plan.ts). Every run rebuilds the account
 * graph from the account sources (accounts are few): identifiers normalised with the person identity's
 * SQL (the `domain` kind strips scheme, `www.`, path and port), placeholders and free-mail domains dropped,
 * a star of links per row from its strongest identifier, connected components (identity's loop, driven by
 * the caller between `edges` and `assign`), and an `account_id` that stays with the identifiers it had.
 */
export function accountIdentitySql(project: LoadedProject, d: Dialect, spec: AccountSpec, params: { readonly runId: string; readonly asOf: Date }) {
  const t = spec.tables;
  const s = (name: string) => d.scratchTable(t.scratch(name));
  const str = d.typeName('string');
  const asOf = d.timestampLiteral(params.asOf);
  const sources = spec.identity.sources;
  const valid = (type: IdTypeSpec, value: string) => {
    const freeMail = type.normalize === 'domain' && spec.freeMail.length > 0 ? ` and ${value} not in (${spec.freeMail.map((x) => d.stringLiteral(x)).join(', ')})` : '';
    return `case when ${value} is not null and ${blockedBySql(d, spec.identity, d.stringLiteral(type.name), value)} is null${freeMail} then ${value} end`;
  };
  // One scratch table per source: each identifier column normalised and guarded (NULL when unusable).
  const values = sources.map((source, k) => {
    const ordered = [...source.identifiers].sort((a, b) => a.type.priority - b.type.priority || (a.type.name < b.type.name ? -1 : a.type.name > b.type.name ? 1 : 0));
    const ts = source.timestamp !== undefined ? d.cast(`r.${d.quoteIdentifier(source.timestamp)}`, 'timestamp') : `cast(null as ${d.typeName('timestamp')})`;
    const inner = ordered.map((c, j) => `${normalizeSql(d, c.type, `r.${d.quoteIdentifier(c.column)}`)} as n${j}`);
    const outer = ordered.map((c, j) => `${valid(c.type, `x.n${j}`)} as v${j}`);
    return {
      table: t.scratch(`values_${k}`),
      ordered,
      sql: d.createScratchTableAs(t.scratch(`values_${k}`), `select ${outer.join(', ')}, x.ts\nfrom (select ${inner.join(', ')}, ${ts} as ts from ${d.table(source.relation)} r) x`),
      source: source.name,
    };
  });
  // Observations: (a) alone is a value seen; (a, b) is a link from a row's strongest value to another.
  const observed: string[] = [];
  for (const v of values) {
    const tbl = d.scratchTable(v.table);
    v.ordered.forEach((c, j) => {
      observed.push(`select ${d.stringLiteral(c.type.name)} as a_type, s.v${j} as a_value, cast(null as ${str}) as b_type, cast(null as ${str}) as b_value, s.ts from ${tbl} s where s.v${j} is not null`);
      for (let i = 0; i < j; i++) {
        const stronger = Array.from({ length: i }, (_, h) => ` and s.v${h} is null`).join('');
        observed.push(`select ${d.stringLiteral(v.ordered[i].type.name)}, s.v${i}, ${d.stringLiteral(c.type.name)}, s.v${j}, s.ts from ${tbl} s where s.v${i} is not null and s.v${j} is not null${stronger}`);
      }
    });
  }
  // Email domains: a business domain a member's email carries is an account of its own unless a source names it.
  const domainType = spec.domainType;
  if (domainType && usesEmailDomains(spec)) observed.push(emailDomainObservations(d, spec, domainType));
  if (observed.length === 0) observed.push(`select cast(null as ${str}) as a_type, cast(null as ${str}) as a_value, cast(null as ${str}) as b_type, cast(null as ${str}) as b_value, cast(null as ${d.typeName('timestamp')}) as ts where 1 = 0`);
  const priority = prioritySql(d, spec.identity, 'n.id_type');
  const fresh = (extra: string) => `'acc_' || substr(${d.md5Hex(`s.id_type || ':' || s.id_value${extra}`)}, 1, 16)`;
  return {
    createTables: [
      d.createSchema(spec.identity.schema),
      `create table if not exists ${d.table(t.identifiers)} (account_id ${str}, id_type ${str}, id_value ${str}, first_seen ${d.typeName('timestamp')}, last_seen ${d.typeName('timestamp')})`,
      `create table if not exists ${d.table(t.members)} (profile_id ${str}, account_id ${str}, reason ${str})`,
      `create table if not exists ${d.table(t.membershipChanges)} (run_id ${str}, profile_id ${str}, from_account_id ${str}, to_account_id ${str}, changed_at ${d.typeName('timestamp')})`,
    ],
    values: values.map((v) => v.sql),
    observations: d.createScratchTableAs(t.scratch('observations'), observed.join('\nunion all\n')),
    nodes: d.createScratchTableAs(
      t.scratch('nodes'),
      `select row_number() over (order by id_type, id_value) as node_key, id_type, id_value, min(coalesce(ts, ${asOf})) as first_seen, max(coalesce(ts, ${asOf})) as last_seen
from (select a_type as id_type, a_value as id_value, ts from ${s('observations')} union all select b_type, b_value, ts from ${s('observations')} where b_type is not null) o
group by id_type, id_value`,
    ),
    edges: d.createScratchTableAs(
      t.scratch('edges'),
      `select na.node_key as a, nb.node_key as b
from ${s('observations')} o
join ${s('nodes')} na on na.id_type = o.a_type and na.id_value = o.a_value
join ${s('nodes')} nb on nb.id_type = o.b_type and nb.id_value = o.b_value`,
    ),
    /** The components loop reads `edges` and writes `components` (node_key, comp) for nodes with a link. */
    componentsIn: s('edges'),
    componentsOut: t.scratch('components'),
    /** Every node with its component (a node without links is one alone) and its type's priority. */
    comp: d.createScratchTableAs(
      t.scratch('comp'),
      `select n.node_key, n.id_type, n.id_value, n.first_seen, n.last_seen, coalesce(c.comp, n.node_key) as comp, ${priority} as priority
from ${s('nodes')} n left join ${s('components')} c on c.node_key = n.node_key`,
    ),
    /**
     * Stable ids: a component keeps the previous account_id it shares most identifiers with, when it is also
     * the component that shares most with that account (ties: smallest id, smallest component). Any other
     * component gets `acc_` + 16 hex digits of the MD5 of its strongest identifier (with the run id, if that
     * id is already kept by another component).
     */
    keep: d.createScratchTableAs(
      t.scratch('keep'),
      `select comp, account_id from (
  select comp, account_id,
    row_number() over (partition by comp order by n desc, account_id) as pick,
    row_number() over (partition by account_id order by n desc, comp) as claim
  from (select c.comp, p.account_id, count(*) as n from ${s('comp')} c join ${d.table(t.identifiers)} p on p.id_type = c.id_type and p.id_value = c.id_value group by c.comp, p.account_id) o
) x where pick = 1 and claim = 1`,
    ),
    assign: d.createScratchTableAs(
      t.scratch('assign'),
      `select s.comp, case when k.account_id is not null then k.account_id when taken.account_id is not null then ${fresh(` || ':' || ${d.stringLiteral(params.runId)}`)} else ${fresh('')} end as account_id
from (select comp, id_type, id_value from (select comp, id_type, id_value, row_number() over (partition by comp order by priority, id_type, id_value) as k from ${s('comp')}) r where k = 1) s
left join ${s('keep')} k on k.comp = s.comp
left join ${s('keep')} taken on taken.account_id = ${fresh('')} and taken.comp <> s.comp`,
    ),
    /** The new `account_identifiers`. */
    identifiersNext: `select a.account_id, c.id_type, c.id_value, c.first_seen, c.last_seen from ${s('comp')} c join ${s('assign')} a on a.comp = c.comp`,
    /** Read after the build: accounts over `max_profile_size` (the over-merge guard's report). */
    oversized: `select account_id, count(*) as n from ${d.table(t.identifiers)} group by account_id having count(*) > ${spec.identity.maxProfileSize} order by n desc, account_id`,
    cleanup: [...values.map((v) => v.table), ...['observations', 'nodes', 'edges', 'components', 'comp', 'keep', 'assign'].map((n) => t.scratch(n))].map((x) => d.dropScratchTable(x)),
  };
}

/** Whether accounts read the persons' email domains: a domain id type and an `email_domain` membership rule. */
export function usesEmailDomains(spec: AccountSpec): boolean {
  return spec.domainType !== undefined && spec.membership.some((r) => 'email_domain' in r);
}

/** Scratch `email_domains`: account identity and membership both read it, so each email is normalised to its domain once a build. */
export function emailDomainsTable(spec: AccountSpec): TableRef {
  return spec.tables.scratch('email_domains');
}

/**
 * A person's email identifiers as (domain, last seen): the domain normalised, free-mail domains left out. Made
 * once per build, before the observations, when accounts use email domains (none otherwise).
 */
export function emailDomainsStatements(project: LoadedProject, d: Dialect, spec: AccountSpec): string[] {
  if (!usesEmailDomains(spec)) return [];
  const identifiers = d.table(identityTables(project.config.schema).identifiers);
  const emailTypes = project.identity ? Object.keys(project.identity.id_types).filter((n) => (project.identity?.id_types[n]?.normalize ?? (/e_?mail/i.test(n) ? 'email' : undefined)) === 'email') : [];
  const types = emailTypes.length > 0 ? emailTypes.map((n) => d.stringLiteral(n)).join(', ') : `cast(null as ${d.typeName('string')})`;
  const free = spec.freeMail.length > 0 ? ` or domain in (${spec.freeMail.map((x) => d.stringLiteral(x)).join(', ')})` : '';
  // The unusable domains are deleted after: a condition on the domain in the same statement is pushed into the read
  // of `identifiers` by DuckDB, which then works out each domain again for it (1.2 s against 0.25 s at 1M people).
  return [
    d.createScratchTableAs(emailDomainsTable(spec), `select i.profile_id, ${domainSql(d, 'i.id_value')} as domain, i.last_seen from ${identifiers} i where i.id_type in (${types})`),
    `delete from ${d.scratchTable(emailDomainsTable(spec))} where domain is null${free}`,
  ];
}

function emailDomainObservations(d: Dialect, spec: AccountSpec, domainType: IdTypeSpec): string {
  const str = d.typeName('string');
  return `select ${d.stringLiteral(domainType.name)} as a_type, e.domain as a_value, cast(null as ${str}) as b_type, cast(null as ${str}) as b_value, e.last_seen as ts from ${d.scratchTable(emailDomainsTable(spec))} e`;
}
