import type { LoadedProject } from '../config/load-project.js';
import { durationSeconds, identityGateSchema, lateArrivalSeconds, type IdTypeConfig, type IdentityConfig } from '../config/schema.js';
import type { Dialect, TableRef } from '../dialect/dialect.js';
import { sourceRelation } from '../model/relations.js';

/** How a type's raw values become the values that link: see normalize-sql.ts. */
export type NormalizeKind = 'email' | 'phone' | 'lower' | 'trim' | 'none' | 'domain';

export interface IdTypeSpec {
  readonly name: string;
  /** Lower is stronger. Links to stronger types win conflicts; hubs are counted against stronger types. */
  readonly priority: number;
  readonly normalize: NormalizeKind;
  /** Calling code (digits) for phones written without one. */
  readonly countryCode: string;
  readonly maxPerProfile?: number;
  /** Observations older than this (before the run's as-of) do not link. */
  readonly linkWindowSeconds?: number;
}

export interface IdentifierColumn {
  readonly column: string;
  readonly type: IdTypeSpec;
}

export interface IdentitySource {
  readonly name: string;
  readonly relation: TableRef;
  readonly timestamp?: string;
  readonly primaryKey?: string;
  readonly identifiers: readonly IdentifierColumn[];
  /**
   * `changes: append` (with a timestamp): rows older than the watermark less `lateSeconds` are grouped once and
   * kept (observation-sql.ts), so a build reads only the rows after that (docs/incremental.md#identity).
   */
  readonly append?: { readonly timestamp: string; readonly lateSeconds: number };
  /**
   * Read from files (`path:`, not append): its table is written only when its files change, so its row groups are
   * kept while they do not (observation-sql.ts, docs/incremental.md#identity).
   */
  readonly files?: true;
}

/** Which values a blocklist entry applies to: one type, every type normalised a given way, or all. */
export interface BlockScope {
  readonly type?: string;
  readonly normalize?: NormalizeKind;
}

/** A blocklist entry: an exact value (compared case-insensitively) or a regular expression. */
export type BlockRule =
  | (BlockScope & { readonly kind: 'value'; readonly value: string; readonly label: string })
  | (BlockScope & { readonly kind: 'pattern'; readonly pattern: string; readonly label: string });

/** The identity block of a project, resolved: every default filled in, every source's identifier columns typed. */
export interface IdentitySpec {
  readonly schema: string;
  /** Every type that a source uses or the config declares, strongest first (ties by name). */
  readonly types: readonly IdTypeSpec[];
  /** Sources with at least one identifier column. */
  readonly sources: readonly IdentitySource[];
  readonly blocklist: readonly BlockRule[];
  readonly maxLinksPerValue: number;
  readonly maxProfileSize: number;
  readonly failOnOversize: boolean;
  readonly maxRounds: number;
}

/** A type's place in `spec.types`: scratch tables carry it where a number groups and compares faster than the name. */
export function typeIndex(spec: IdentitySpec, name: string): number {
  return spec.types.findIndex((t) => t.name === name);
}

/** The type name for a place (`typeIndex`) in SQL. */
export function typeNameSql(d: Dialect, spec: IdentitySpec, index: string): string {
  if (spec.types.length === 0) return `cast(null as ${d.typeName('string')})`;
  return `case ${index} ${spec.types.map((t, k) => `when ${k} then ${d.stringLiteral(t.name)}`).join(' ')} end`;
}

const defaults: IdentityConfig = {
  id_types: {},
  blocklist: [],
  default_blocklist: true,
  max_links_per_value: 50,
  max_profile_size: 1000,
  fail_on_oversize: false,
  max_rounds: 60,
  gate: identityGateSchema.parse({}),
};

const specs = new WeakMap<LoadedProject, IdentitySpec>();

/** The project's identity settings resolved once per loaded project (the manifest's identity spec). */
export function identitySpec(project: LoadedProject): IdentitySpec {
  let spec = specs.get(project);
  if (!spec) specs.set(project, (spec = resolveIdentitySpec(project)));
  return spec;
}

function resolveIdentitySpec(project: LoadedProject): IdentitySpec {
  const config = project.identity ?? defaults;
  const declared = new Map(Object.entries(config.id_types));
  // Account sources (entity: account) have their own identifier types: account/account-spec.ts.
  const personSources = project.sources.filter((s) => s.entity !== 'account');
  const used = personSources.flatMap((s) => s.identifiers.map((i) => i.type));
  const names = [...new Set([...declared.keys(), ...used])];
  const types = names
    .map((name) => typeSpec(name, declared.get(name)))
    .sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const byName = new Map(types.map((t) => [t.name, t]));
  const sources = personSources
    .filter((s) => s.identifiers.length > 0)
    .map((s) => ({
      name: s.name,
      relation: sourceRelation(project, s),
      ...(s.timestamp !== undefined ? { timestamp: s.timestamp } : {}),
      ...(s.primary_key !== undefined ? { primaryKey: s.primary_key } : {}),
      identifiers: s.identifiers.map((i) => ({ column: i.column, type: byName.get(i.type) as IdTypeSpec })),
      ...(s.changes === 'append' && s.timestamp !== undefined ? { append: { timestamp: s.timestamp, lateSeconds: lateArrivalSeconds(s) } } : s.path !== undefined ? { files: true as const } : {}),
    }));
  const userRules: BlockRule[] = config.blocklist.map((b, k) => {
    const scope = b.type !== undefined ? { type: b.type } : {};
    return b.pattern !== undefined
      ? { kind: 'pattern', ...scope, pattern: b.pattern, label: `blocklist[${k}] ${b.type ?? '*'} ~ ${b.pattern}` }
      : { kind: 'value', ...scope, value: b.value ?? '', label: `blocklist[${k}] ${b.type ?? '*'} = ${b.value ?? ''}` };
  });
  return {
    schema: project.config.schema,
    types,
    sources,
    blocklist: [...(config.default_blocklist ? DEFAULT_BLOCKLIST : []), ...userRules],
    maxLinksPerValue: config.max_links_per_value,
    maxProfileSize: config.max_profile_size,
    failOnOversize: config.fail_on_oversize,
    maxRounds: config.max_rounds,
  };
}

export function typeSpec(name: string, config: IdTypeConfig | undefined): IdTypeSpec {
  return {
    name,
    priority: config?.priority ?? 5,
    normalize: config?.normalize ?? defaultNormalize(name),
    countryCode: config?.default_country_code ?? '1',
    ...(config?.max_per_profile !== undefined ? { maxPerProfile: config.max_per_profile } : {}),
    ...(config?.link_window !== undefined ? { linkWindowSeconds: durationSeconds(config.link_window) } : {}),
  };
}

/** Emails and phones are recognised by their type name; everything else is only trimmed. */
export function defaultNormalize(typeName: string): NormalizeKind {
  if (/e_?mail/i.test(typeName)) return 'email';
  if (/phone|mobile|msisdn/i.test(typeName)) return 'phone';
  if (/^(domain|website)$/i.test(typeName)) return 'domain';
  return 'trim';
}

const placeholderValues = [
  '', 'null', 'undefined', 'unknown', 'nan', 'none', 'nil', 'n/a', 'na', '-', 'anonymous', 'guest', 'test',
  'false', 'true', '[object object]', '-1', '0', '00000000-0000-0000-0000-000000000000',
  'test@example.com', 'test@test.com', 'email@example.com', 'user@example.com',
];

/** Placeholders that real data is full of and that would glue strangers together. */
export const DEFAULT_BLOCKLIST: readonly BlockRule[] = [
  ...placeholderValues.map((value): BlockRule => ({ kind: 'value', value, label: `default: ${value}` })),
  { kind: 'pattern', pattern: '^[0-]*$', label: 'default: all zeros' },
  { kind: 'pattern', pattern: '^[^0-9A-Za-z]*$', label: 'default: no letters or digits' },
  { kind: 'pattern', normalize: 'email', pattern: '^[^@]*$', label: 'default: email without @' },
  {
    kind: 'pattern',
    normalize: 'email',
    pattern: '^(test|noreply|no-reply|no_reply|donotreply|do-not-reply|mailer-daemon|postmaster)@',
    label: 'default: test or no-reply address',
  },
  { kind: 'pattern', normalize: 'email', pattern: '@example\\.(com|org|net)$', label: 'default: example domain' },
  { kind: 'pattern', normalize: 'phone', pattern: '^\\+[0-9]{1,3}0+$', label: 'default: all-zero phone' },
];
