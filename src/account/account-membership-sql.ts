import type { LoadedProject } from '../config/load-project.js';
import type { Dialect } from '../dialect/dialect.js';
import { rowProfileSelect } from '../identity/row-profile-select.js';
import { normalizeSql } from '../identity/normalize-sql.js';
import { emailDomainsTable } from './account-identity-sql.js';
import type { AccountSpec } from './account-spec.js';

/**
 * Person -> account membership as statements (docs/accounts.md#membership). Each rule gives candidate
 * (person, account) pairs: a column rule reads a person source's rows (the row's person as identity
 * decided it, the column normalised as its account id type) and an `email_domain` rule the persons'
 * business email domains. A person belongs to one account: the first rule that gives one wins; within
 * a rule the most recent row (the source's timestamp; for email, the identifier's last_seen), then the
 * smallest account_id. Moves against the previous build are appended to `account_membership_changes`.
 */
export function accountMembershipSql(project: LoadedProject, d: Dialect, spec: AccountSpec, params: { readonly runId: string; readonly asOf: Date }) {
  const t = spec.tables;
  const ids = d.table(t.identifiers);
  const now = t.scratch('members_now');
  const candidates = spec.membership.flatMap((rule, k) => {
    if ('email_domain' in rule) {
      if (!spec.domainType) return [];
      return [
        `select e.profile_id, a.account_id, ${k} as rule, e.last_seen as seen_at, 'email_domain:' || e.domain as reason
from ${d.scratchTable(emailDomainsTable(spec))} e
join ${ids} a on a.id_type = ${d.stringLiteral(spec.domainType.name)} and a.id_value = e.domain`,
      ];
    }
    const source = project.sources.find((s) => s.name === rule.source);
    const type = spec.identity.types.find((x) => x.name === rule.id_type);
    if (!source || !type) return [];
    const ts = source.timestamp !== undefined ? d.cast(`r.${d.quoteIdentifier(source.timestamp)}`, 'timestamp') : `cast(null as ${d.typeName('timestamp')})`;
    return [
      `select r._cdp_profile_id as profile_id, a.account_id, ${k} as rule, ${ts} as seen_at, ${d.stringLiteral(`${rule.source}.${rule.column}`)} as reason
from (${rowProfileSelect(project, d, source)}) r
join ${ids} a on a.id_type = ${d.stringLiteral(type.name)} and a.id_value = ${normalizeSql(d, type, `r.${d.quoteIdentifier(rule.column)}`)}
where r._cdp_profile_id is not null`,
    ];
  });
  const str = d.typeName('string');
  const union =
    candidates.length > 0
      ? candidates.join('\nunion all\n')
      : `select cast(null as ${str}) as profile_id, cast(null as ${str}) as account_id, 0 as rule, cast(null as ${d.typeName('timestamp')}) as seen_at, cast(null as ${str}) as reason where 1 = 0`;
  const nowRef = d.scratchTable(now);
  const members = d.table(t.members);
  return {
    evaluate: d.createScratchTableAs(
      now,
      `select profile_id, account_id, reason from (
  select c.*, row_number() over (partition by c.profile_id order by c.rule, case when c.seen_at is null then 1 else 0 end, c.seen_at desc, c.account_id) as k
  from (\n${union}\n) c
) x where k = 1`,
    ),
    /** Every person whose account changed (joined, left or moved) since the previous build. */
    recordChanges: `insert into ${d.table(t.membershipChanges)} (run_id, profile_id, from_account_id, to_account_id, changed_at)
select ${d.literal(params.runId)}, coalesce(n.profile_id, o.profile_id), o.account_id, n.account_id, ${d.timestampLiteral(params.asOf)}
from ${nowRef} n full outer join ${members} o on o.profile_id = n.profile_id
where o.profile_id is null or n.profile_id is null or o.account_id <> n.account_id`,
    next: `select profile_id, account_id, reason from ${nowRef}`,
    dropNow: d.dropScratchTable(now),
  };
}
