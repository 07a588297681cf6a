import type { LoadedProject } from '../config/load-project.js';
import type { AccountTraitConfig, AccountsConfig, MembershipRuleConfig, SegmentConfig } from '../config/schema.js';
import type { TableRef } from '../dialect/dialect.js';
import { DEFAULT_BLOCKLIST, typeSpec, type IdentitySpec, type IdTypeSpec } from '../identity/identity-spec.js';
import { cdpTable, sourceRelation } from '../model/relations.js';
import { freeMailDomains } from './free-mail-domains.js';

/**
 * The `accounts:` block resolved (docs/accounts.md). `identity` has the shape of the person identity spec
 * (types strongest first, the account sources and their typed identifier columns, the built-in
 * placeholder blocklist), so the person identity's normalisation and blocklist SQL serve accounts too.
 */
export interface AccountSpec {
  readonly identity: IdentitySpec;
  /** The type email domains are matched as (normalised `domain`); undefined when none is declared. */
  readonly domainType?: IdTypeSpec;
  readonly freeMail: readonly string[];
  readonly membership: readonly MembershipRuleConfig[];
  readonly traits: readonly AccountTraitConfig[];
  readonly segments: readonly SegmentConfig[];
  readonly tables: AccountTables;
}

export interface AccountTables {
  readonly identifiers: TableRef;
  readonly members: TableRef;
  readonly membershipChanges: TableRef;
  readonly accounts: TableRef;
  readonly segmentMembers: TableRef;
  readonly segmentChanges: TableRef;
  scratch(name: string): TableRef;
}

export function accountTables(project: LoadedProject): AccountTables {
  const t = (name: string) => cdpTable(project, name);
  return {
    identifiers: t('account_identifiers'),
    members: t('account_members'),
    membershipChanges: t('account_membership_changes'),
    accounts: t('accounts'),
    segmentMembers: t('account_segment_members'),
    segmentChanges: t('account_segment_changes'),
    scratch: (name) => t(`_account_tmp_${name}`),
  };
}

const specs = new WeakMap<LoadedProject, AccountSpec>();

/** The project's account settings, resolved once per loaded project; undefined without an `accounts:` block. */
export function accountSpec(project: LoadedProject): AccountSpec | undefined {
  if (!project.accounts) return undefined;
  let spec = specs.get(project);
  if (!spec) specs.set(project, (spec = resolve(project, project.accounts)));
  return spec;
}

function resolve(project: LoadedProject, config: AccountsConfig): AccountSpec {
  const types = Object.entries(config.id_types)
    .map(([name, c]) => typeSpec(name, c))
    .sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const byName = new Map(types.map((t) => [t.name, t]));
  const sources = project.sources
    .filter((s) => s.entity === 'account' && s.identifiers.length > 0)
    .map((s) => ({
      name: s.name,
      relation: sourceRelation(project, s),
      ...(s.timestamp !== undefined ? { timestamp: s.timestamp } : {}),
      ...(s.primary_key !== undefined ? { primaryKey: s.primary_key } : {}),
      identifiers: s.identifiers.flatMap((i) => (byName.has(i.type) ? [{ column: i.column, type: byName.get(i.type) as IdTypeSpec }] : [])),
    }));
  return {
    identity: {
      schema: project.config.schema,
      types,
      sources,
      blocklist: DEFAULT_BLOCKLIST,
      maxLinksPerValue: Number.MAX_SAFE_INTEGER,
      maxProfileSize: config.max_profile_size,
      failOnOversize: false,
      maxRounds: 60,
    },
    domainType: types.find((t) => t.normalize === 'domain'),
    freeMail: freeMailDomains(config.free_mail_domains),
    membership: config.membership,
    traits: config.traits,
    segments: config.segments,
    tables: accountTables(project),
  };
}
