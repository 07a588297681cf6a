import { z } from 'zod';

/**
 * The shapes of cdp.config.yaml, models/*.yaml and connectors/*.yaml (docs/project-files.md).
 * Objects are strict, so a misspelt key is an error with a "did you mean".
 */

const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a name of letters, digits and underscores, not starting with a digit');
/** A whole number, also when it came from `${VAR}` interpolation as text. */
const int = z.preprocess((v) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v), z.number().int());
const positiveInt = z.preprocess((v) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v), z.number().int().positive());
const bool = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());
export const durationPattern = /^(\d+)(s|m|h|d|w)$/;
const duration = z.string().regex(durationPattern, 'must be a duration like 90d, 12h, 30m or 2w');

const schemaRef = z.string().describe('The JSON Schema of this file, for editors (yaml-language-server)').optional();
/** A file or folder path: an empty one would silently mean "nothing" (DuckDB even opens an in-memory database). */
const nonEmptyPath = z.string().trim().min(1, 'must not be empty');

const duckdbWarehouse = z.strictObject({
  type: z.literal('duckdb').describe('DuckDB: an embedded database file (the default)'),
  path: nonEmptyPath.default('.cdp/warehouse.duckdb').describe('The database file, relative to the project folder; :memory: for a throw-away database'),
  threads: positiveInt.optional().describe("DuckDB worker threads (default: DuckDB's, all cores)"),
});
const bigqueryWarehouse = z.strictObject({
  type: z.literal('bigquery').describe('Google BigQuery'),
  projectId: z.string().describe('The Google Cloud project jobs run (and are billed) in'),
  dataset: z.string().optional().describe('Default dataset for unqualified table names in model SQL'),
  location: z.string().optional().describe("Where jobs run and cdp creates its dataset; match your sources' location"),
  keyFilename: z.string().optional().describe('A service-account key file; without it, Application Default Credentials'),
  apiEndpoint: z.string().optional().describe('Another API endpoint: regional, private, or an emulator'),
});
const snowflakeWarehouse = z.strictObject({
  type: z.literal('snowflake').describe('Snowflake'),
  account: z.string().describe('The account identifier (orgname-accountname)'),
  username: z.string().describe('The user cdp logs in as'),
  password: z.string().optional().describe('Password authentication (use ${VAR}); or privateKeyPath'),
  privateKeyPath: z.string().optional().describe('Key-pair authentication: an unencrypted PKCS#8 PEM file'),
  warehouse: z.string().describe('The virtual warehouse queries run on'),
  database: z.string().describe("The database holding cdp's schema"),
  role: z.string().optional().describe("The role to use (default: the user's default role)"),
  accessUrl: z.string().optional().describe("Another endpoint (an emulator, a private link) instead of the account's URL"),
});
export const warehouseSchema = z.discriminatedUnion('type', [duckdbWarehouse, bigqueryWarehouse, snowflakeWarehouse]);

const hubspotDestination = z.strictObject({
  type: z.literal('hubspot').describe('HubSpot CRM'),
  accessToken: z.string().describe('A private-app access token; write ${HUBSPOT_ACCESS_TOKEN}, never the token itself'),
  baseUrl: z.string().default('https://api.hubapi.com').describe("The API's base URL (the sandbox's URL in development)"),
  requestsPer10s: positiveInt.default(100).describe("Client-side pacing: at most this many requests per rolling 10 seconds; set it to your account's limit"),
});
const salesforceAuth = z.discriminatedUnion('flow', [
  z.strictObject({
    flow: z.literal('jwt').describe('OAuth 2.0 JWT bearer flow (a connected app with a certificate)'),
    clientId: z.string().describe("The connected app's consumer key"),
    username: z.string().describe('The Salesforce user cdp acts as'),
    privateKeyPath: z.string().describe('The private key: a PEM file relative to the project folder, or the PEM text itself (use ${VAR})'),
  }),
  z.strictObject({
    flow: z.literal('client_credentials').describe('OAuth 2.0 client credentials flow'),
    clientId: z.string().describe("The connected app's consumer key"),
    clientSecret: z.string().describe("The connected app's consumer secret (use ${VAR})"),
  }),
  z.strictObject({
    flow: z.literal('password').describe('OAuth 2.0 username-password flow'),
    clientId: z.string().describe("The connected app's consumer key"),
    clientSecret: z.string().describe("The connected app's consumer secret (use ${VAR})"),
    username: z.string().describe('The Salesforce user cdp acts as'),
    password: z.string().describe("The user's password, with the security token appended if the org needs one (use ${VAR})"),
  }),
]);
const salesforceDestination = z.strictObject({
  type: z.literal('salesforce').describe('Salesforce CRM'),
  loginUrl: z.string().default('https://login.salesforce.com').describe('The login host or My Domain URL of the OAuth token endpoint'),
  apiVersion: z
    .string()
    .regex(/^\d+\.\d$/, 'must look like "62.0"')
    .default('62.0').describe('REST API version, "NN.N" (quote it); at least 46.0'),
  auth: salesforceAuth.describe('How cdp logs in: flow jwt, client_credentials or password'),
  /** Diffs larger than this many records go through Bulk API 2.0 instead of sObject Collections. */
  bulkThreshold: positiveInt.default(2000).describe('A sync with more writes than this goes through Bulk API 2.0 instead of sObject Collections'),
  /**
   * A create refused by an active duplicate rule (DUPLICATES_DETECTED): `match` writes to the record the
   * rule names instead (reported when it names none), `allow_save` sends Sforce-Duplicate-Rule-Header
   * allowSave=true. See docs/drift.md.
   */
  duplicates: z.enum(['match', 'allow_save']).default('match').describe('A create refused by a duplicate rule: match writes to the record the rule names; allow_save saves anyway'),
});
export const destinationSchema = z.discriminatedUnion('type', [hubspotDestination, salesforceDestination]);

export const configSchema = z.strictObject({
  $schema: schemaRef,
  project: name.describe("The project's name"),
  warehouse: warehouseSchema.default({ type: 'duckdb', path: '.cdp/warehouse.duckdb' }).describe('Where cdp computes: type duckdb, bigquery or snowflake'),
  targets: z
    .record(name, warehouseSchema)
    .default({})
    .describe('Named warehouse blocks, dbt-style: `--target <name>` or CDP_TARGET=<name> uses one instead of `warehouse:` (docs/targets.md)'),
  schema: name.default('cdp').describe('The schema (BigQuery: dataset) cdp writes all its tables into'),
  destinations: z.record(name, destinationSchema).default({}).describe('CRM accounts by name; connectors refer to them by that name'),
  /** A run lock older than this is stale and taken over. */
  lock_timeout_minutes: positiveInt.default(60).describe('A run lock whose holder has not been heard from for this many minutes is stale and taken over'),
  /** `cdp run` pulls CRM records into the warehouse first (like `cdp run --pull`; docs/pull.md). */
  pull: bool.default(false).describe('cdp run pulls CRM records into the warehouse first, like cdp run --pull'),
});

const identifier = z.strictObject({
  column: z.string().describe('The source column holding the identifier'),
  type: name.describe('The identifier type, declared under identity.id_types'),
});
const source = z
  .strictObject({
    name: name.describe("The source's name; traits read it with from:"),
    description: z.string().optional().describe('Free text'),
    table: z.string().trim().min(1, 'must not be empty').optional().describe('A warehouse table, e.g. raw.orders; exactly one of table, model, path'),
    model: name.optional().describe('A model of this project; exactly one of table, model, path'),
    path: nonEmptyPath.optional().describe('DuckDB only: CSV, Parquet or JSON files relative to the project folder, globs allowed'),
    timestamp: z.string().optional().describe('The column holding when the row happened (for windows, first/last traits, link_window)'),
    primary_key: z.string().optional().describe('A row id column; cdp inspect shows one as evidence for each link'),
    /** How the rows change between runs: what an incremental build may skip (docs/incremental.md). */
    changes: z
      .enum(['full', 'append', 'snapshot'])
      .default('full')
      .describe('How rows change between runs (docs/incremental.md): full (default; anything may change, traits over it are rebuilt every run), append (rows are only added, found by timestamp:), snapshot (rows are updated and deleted in place, found by a hash of each row)'),
    late_arrival: duration
      .optional()
      .describe('changes: append only: rows may arrive this long after their timestamp and still be counted by an incremental run (default 1d)'),
    entity: z
      .enum(['person', 'account'])
      .default('person')
      .describe('Whom the rows describe: person (default; identifiers use identity.id_types) or account (identifiers use accounts.id_types; docs/accounts.md)'),
    identifiers: z.array(identifier).default([]).describe('Columns that identify a person (or an account, with entity: account): [{ column, type }]'),
    /** Declared column types: values that do not convert make their row a bad row (docs/bad-rows.md). */
    columns: z
      .record(z.string(), z.enum(['string', 'integer', 'float', 'boolean', 'timestamp', 'date']))
      .default({})
      .describe('Declared column types, e.g. { amount: float }; a value that does not convert makes a bad row'),
    /** skip: quarantine bad rows and go on (counted in the run summary); fail: stop the build. */
    on_bad_rows: z.enum(['fail', 'skip']).default('skip').describe('skip: quarantine bad rows and go on; fail: stop the build'),
    /** Once `cdp pull` has copied this CRM object, read the pulled records instead (docs/pull.md). */
    pulled: z
      .strictObject({
        destination: name.describe('the destination (cdp.config.yaml destinations:) whose records are pulled'),
        object: z.string().describe('the CRM object pulled: HubSpot contacts or companies; Salesforce Contact, Lead or Account'),
        columns: z
          .record(z.string(), z.string())
          .describe("the source's columns, each read from a column of the pulled table (id, pulled_at, or a field lower-cased)"),
      })
      .optional()
      .describe('read the records `cdp pull` copied from the CRM once the object has been pulled; until then, the table, model or files above'),
  })
  .refine((s) => [s.table, s.model, s.path].filter((x) => x !== undefined).length === 1, {
    message: 'a source needs exactly one of table:, model: or path:',
  });

const model = z.strictObject({
  name: name.describe("The relation's name; other models use it with {{ ref('name') }}"),
  description: z.string().optional().describe('Free text'),
  materialized: z.enum(['view', 'table']).default('view').describe('view, or table (replaced atomically)'),
  sql: z.string().describe("One SELECT; {{ ref('x') }} names a model or source, {{ source('schema', 'table') }} a raw table"),
});

const idType = z.strictObject({
  priority: int.default(5).describe("Lower is stronger: a row's strongest identifier is its link centre"),
  normalize: z
    .enum(['email', 'phone', 'lower', 'trim', 'none', 'domain'])
    .optional()
    .describe('How values are cleaned before matching (default from the type name: email, phone, domain, else trim); domain: lower-case, no scheme, www., path or port'),
  max_per_profile: positiveInt.optional().describe('At most this many values of the type in one profile'),
  link_window: duration.optional().describe("A value links only if seen within this duration before the run's reference time"),
  /** Phones without a country code get this calling code (digits, no +). */
  default_country_code: z
    .string()
    .regex(/^\d{1,3}$/)
    .optional().describe('Calling code (1-3 digits, no +) for phone numbers written without one'),
});
const blockRule = z
  .strictObject({
    type: name.optional().describe('Limit the entry to one identifier type'),
    value: z.string().optional().describe('An exact value (case-insensitive); one of value or pattern'),
    pattern: z.string().optional().describe('A regular expression, matched anywhere; one of value or pattern'),
  })
  .refine((b) => (b.value === undefined) !== (b.pattern === undefined), { message: 'a blocklist entry needs exactly one of value: or pattern:' });

const percent = z.preprocess((v) => (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v), z.number().min(0));
const nonNegativeInt = z.preprocess((v) => (typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v), z.number().int().min(0));

/** The identity quality gate (docs/identity-gate.md): a build over any of these thresholds holds every sync until accepted. */
export const identityGateSchema = z
  .strictObject({
    enabled: bool.default(true).describe('Check the thresholds after every identity build; false turns the gate off'),
    max_largest_profile: positiveInt
      .default(200)
      .describe('Identifiers in the largest profile; exceeded when the largest profile is bigger than this and bigger than at the last accepted build'),
    max_changed_pct: percent
      .default(5)
      .describe("Share (%) of the previous build's profiles merged or split by one build"),
    max_new_hubs: nonNegativeInt.default(10).describe('Values that became hubs (linked too many people) in one build'),
    max_top1pct_growth_pct: percent
      .default(100)
      .describe('Growth (%) of the mean size of the largest 1% of profiles against the previous build'),
  })
  .describe('Identity quality gate: thresholds checked at the end of each build; syncs refuse to send (exit 4) until the change is accepted with --accept-identity-change');

export const identitySchema = z.strictObject({
  id_types: z.record(name, idType).describe('Identifier types by name (email, user_id, ...) with their priority and limits'),
  blocklist: z.array(blockRule).default([]).describe('Values that never link anyone: [{ type?, value? , pattern? }]'),
  /** Replace the built-in blocklist (null, undefined, -1, all zeros, ...) instead of adding to it. */
  default_blocklist: bool.default(true).describe('Also apply the built-in list of placeholder values (null, undefined, -1, all zeros, ...)'),
  max_links_per_value: positiveInt.default(50).describe('A value seen with more than this many distinct stronger identifiers is a hub and links nothing'),
  max_profile_size: positiveInt.default(1000).describe('Profiles with more identifiers than this are reported after the build'),
  fail_on_oversize: bool.default(false).describe('Fail the build (nothing published) when a profile is over max_profile_size'),
  max_rounds: positiveInt.default(60).describe('Round budget of the connected-components loop; running out fails the build'),
  gate: identityGateSchema.default(() => identityGateSchema.parse({})),
});

export const aggregates = ['count', 'count_distinct', 'sum', 'avg', 'min', 'max', 'first', 'last', 'exists'] as const;
const trait = z.strictObject({
  name: name.describe('The column name in profiles'),
  description: z.string().optional().describe('Free text'),
  from: name.optional().describe('The source to aggregate (with aggregate:)'),
  aggregate: z.enum(aggregates).optional().describe('count, count_distinct, sum, avg, min, max, first, last or exists'),
  column: z.string().optional().describe('The source column to aggregate; not needed for count and exists'),
  where: z.string().optional().describe("A SQL filter over the source's columns"),
  window: duration.optional().describe("Only rows within this duration before the run's reference time, e.g. 90d"),
  sql: z.string().optional().describe('A derived trait: a SQL expression over other traits'),
  type: z.enum(['string', 'integer', 'float', 'boolean', 'timestamp', 'date']).optional().describe('Force the column type (default: inferred)'),
});
const segment = z.strictObject({
  name: name.describe("The segment's name (also a boolean other segments and sync where: can use)"),
  description: z.string().optional().describe('Free text'),
  where: z.string().describe('A SQL predicate over traits and other segments; NULL counts as false'),
});

const membershipRule = z.union([
  z.strictObject({
    source: name.describe('A person source (with identifiers) whose rows name their account'),
    column: z.string().describe("The source column holding the account's identifier"),
    id_type: name.describe('The account identifier type the column holds (a key of accounts.id_types)'),
  }),
  z.strictObject({
    email_domain: z.literal(true).describe("The person's business email domains (free-mail domains never) name their account"),
  }),
]);
const accountTrait = z.strictObject({
  name: name.describe('The column name in accounts'),
  description: z.string().optional().describe('Free text'),
  from: name.optional().describe('An account source (entity: account) to aggregate (with aggregate:)'),
  aggregate: z.enum(aggregates).optional().describe('count, count_distinct, sum, avg, min, max, first, last or exists'),
  column: z.string().optional().describe('The source column to aggregate; not needed for count and exists'),
  rollup: z.enum(['count', 'sum', 'avg', 'min', 'max']).optional().describe('A roll-up over member persons: count of members, or sum/avg/min/max of a person trait'),
  trait: name.optional().describe('The person trait a sum/avg/min/max roll-up reads'),
  segment: name.optional().describe('Roll up only the members in this person segment'),
  where: z.string().optional().describe("A SQL filter: over the source's columns (from:), or over person traits and segments (rollup:)"),
  window: duration.optional().describe("Only rows within this duration before the run's reference time (from: only)"),
  sql: z.string().optional().describe('A derived account trait: a SQL expression over other account traits'),
  type: z.enum(['string', 'integer', 'float', 'boolean', 'timestamp', 'date']).optional().describe('Force the column type (default: inferred)'),
});
export const accountsSchema = z
  .strictObject({
    id_types: z.record(name, idType).describe('Account identifier types by name (domain, salesforce_account_id, ...), with the same keys as identity.id_types'),
    free_mail_domains: z
      .array(z.string())
      .default([])
      .describe('Domains added to the built-in free-mail list (gmail.com, outlook.com, ...): never an account, never a membership'),
    max_profile_size: positiveInt.default(50).describe('Accounts with more identifiers than this are reported after the build (over-merge guard)'),
    membership: z
      .array(membershipRule)
      .default([])
      .describe('Person -> account rules, in order: { source, column, id_type } or { email_domain: true }; the first rule that gives an account wins'),
    traits: z.array(accountTrait).default([]).describe('Per-account values: aggregates over account sources, roll-ups over members, or sql: (columns of accounts)'),
    segments: z.array(segment).default([]).describe('Named groups of accounts defined by a SQL predicate over account traits'),
  })
  .describe('The account entity (B2B): identifier types, membership rules, traits and segments (docs/accounts.md)');

/** Each list item and block of a models file, for checking the parts of a file that failed as a whole. */
export const modelsFileParts = { models: model, sources: source, traits: trait, segments: segment } as const;

export const modelsFileSchema = z.strictObject({
  $schema: schemaRef,
  models: z.array(model).default([]).describe('SQL models: SELECTs that become views or tables'),
  sources: z.array(source).default([]).describe('Where person data comes from: tables, models or files, with their identifier columns'),
  identity: identitySchema.optional().describe('Identity resolution: identifier types, blocklist, limits and the quality gate'),
  traits: z.array(trait).default([]).describe('Per-person values computed from sources or other traits (columns of profiles)'),
  segments: z.array(segment).default([]).describe('Named groups of profiles defined by a SQL predicate over traits'),
  accounts: accountsSchema.optional(),
});

const audienceLimit = z
  .number()
  .min(0)
  .max(100)
  .optional()
  .describe("Gate for this audience only: share (%) of its members that may be removed in one run (instead of the connector's max_audience_removals_pct)");
const segmentTarget = z.union([
  z.strictObject({ list: z.string().describe('A HubSpot static list, by name'), max_removals_pct: audienceLimit }),
  z.strictObject({
    campaign: z.string().describe('A Salesforce campaign, by name'),
    status: z.string().optional().describe("The campaign member status (default: the campaign's default)"),
    max_removals_pct: audienceLimit,
  }),
  z.strictObject({ field: z.string().describe('A boolean property / checkbox on the record'), max_removals_pct: audienceLimit }),
]);
export const syncSchema = z.strictObject({
  $schema: schemaRef,
  sync: name.describe("The sync's name: cdp sync <name>, table sync_state_<name>"),
  destination: name.describe('A key of destinations: in cdp.config.yaml'),
  object: z.string().describe('The destination object: HubSpot contacts or companies; a Salesforce sObject (Contact, Lead, Account, ...)'),
  audience: name.default('all').describe('all (every profile with a match key) or a segment name'),
  where: z.string().optional().describe('Consent gate: a SQL predicate over traits and segments; profiles for which it is not true are not synced'),
  match: z
    .strictObject({
      id_type: name
        .optional()
        .describe('Recommended: the match key is the profile\'s best identifier of this identity type (newest seen, not blocklisted, normalised; docs/guarantees.md)'),
      trait: name.optional().describe('Older form: the match key is this trait\'s value (it can carry values identity blocklisted)'),
      field: z.string().optional().describe('The destination field that identifies a record; defaults to the id_type name (e.g. email)'),
      on_collision: z
        .enum(['skip', 'keep_one'])
        .default('skip')
        .describe('A key several people share: skip uses it for none of them (reported; id_type falls back to the next identifier), keep_one sends one (id_type: the profile identity gave it to; trait: the smallest profile id)'),
    })
    .refine((m) => (m.id_type === undefined) !== (m.trait === undefined), { message: 'match needs exactly one of id_type: (recommended) or trait:' })
    .refine((m) => m.trait === undefined || m.field !== undefined, { message: 'match with trait: needs field: (the destination field)', path: ['field'] })
    .optional()
    .describe("How a profile (or account) finds its destination record. Account syncs (HubSpot companies, Salesforce Account) default to cdp's account_id in cdp_account_id / CDP_Account_Id__c"),
  mode: z.enum(['upsert', 'update', 'mirror']).default('upsert').describe('upsert (create or update), update (existing records only), mirror (upsert, and clear on leaving)'),
  nulls: z.enum(['skip', 'clear']).default('skip').describe('skip: a null trait never overwrites; clear: a null trait clears the field'),
  fields: z
    .record(z.string(), z.string().regex(/^(account\.)?[A-Za-z_][A-Za-z0-9_]*$/, 'must be a trait name, or account.<trait> for an account trait'))
    .default({})
    .describe("destination_field: trait; on a person sync, account.<trait> maps a trait of the person's account"),
  segments: z.record(name, segmentTarget).default({}).describe('segment: target, where target is { list }, { campaign, status? } or { field }'),
  create_fields: bool.default(false).describe('HubSpot: create missing properties; Salesforce reports which field to create'),
  max_removals_pct: z.number().min(0).max(100).default(20).describe('Gate: share (%) of synced records that may leave the sync or lose a membership in one run'),
  max_audience_removals_pct: z
    .number()
    .min(0)
    .max(100)
    .default(20)
    .describe('Gate: share (%) of the members cdp added to one list, campaign or segment field that may be removed in one run'),
  max_field_clears_pct: z
    .number()
    .min(0)
    .max(100)
    .default(20)
    .describe('Gate: share (%) of the values cdp set in one field that may be nulled or zeroed in one run'),
  account: z
    .strictObject({
      sync: name.describe('The account sync (object: companies / Account) whose records the contacts belong to'),
    })
    .optional()
    .describe("Person syncs: associate each contact with its account's record (HubSpot contact-company association; Salesforce Contact.Account by external id), sent only when it changes"),
  /** Before each diff, read what changed in the CRM (hand edits, deletes, merges) and repair it (docs/drift.md). */
  drift: bool.default(false).describe('Before each diff, read what changed in the CRM (hand edits, deletes, merges) and repair it'),
  /** Per destination field: who wins when someone else edits it. cdp (restore), crm (keep and report), if_empty. */
  ownership: z
    .record(z.string(), z.enum(['cdp', 'crm', 'if_empty']))
    .default({})
    .describe('Per destination field, who wins when someone else edits it: cdp (restore), crm (keep and report), if_empty'),
});

export type CdpConfig = z.infer<typeof configSchema>;
export type WarehouseConfig = z.infer<typeof warehouseSchema>;
export type DestinationConfig = z.infer<typeof destinationSchema>;
export type HubSpotDestinationConfig = z.infer<typeof hubspotDestination>;
export type SalesforceDestinationConfig = z.infer<typeof salesforceDestination>;
export type ModelsFile = z.infer<typeof modelsFileSchema>;
export type ModelConfig = z.infer<typeof model>;
export type SourceConfig = z.infer<typeof source>;
export type IdentityConfig = z.infer<typeof identitySchema>;
export type IdTypeConfig = z.infer<typeof idType>;
export type IdentityGateConfig = z.infer<typeof identityGateSchema>;
export type TraitConfig = z.infer<typeof trait>;
export type SegmentConfig = z.infer<typeof segment>;
/** A connector file as written; `match` may be left out for account syncs. */
export type SyncFile = z.infer<typeof syncSchema>;
export type MatchConfig = NonNullable<SyncFile['match']>;
/** A connector once loaded: `match` filled in (load-project.ts, sync-entity.ts). */
export type SyncConfig = Omit<SyncFile, 'match'> & { readonly match: MatchConfig };
export type AccountsConfig = z.infer<typeof accountsSchema>;
export type AccountTraitConfig = z.infer<typeof accountTrait>;
export type MembershipRuleConfig = z.infer<typeof membershipRule>;
export type SegmentTarget = z.infer<typeof segmentTarget>;

/** The destination field a sync matches on: `field`, or the id_type's name (`match: { id_type: email }`). */
export function matchField(match: MatchConfig): string {
  return match.field ?? match.id_type ?? '';
}
export type Aggregate = (typeof aggregates)[number];

/** An append source is re-read this far behind its watermark unless it says otherwise (docs/incremental.md). */
export const DEFAULT_LATE_ARRIVAL = '1d';

/** How far behind its watermark an append source is re-read, in seconds. */
export function lateArrivalSeconds(source: { readonly late_arrival?: string | undefined }): number {
  return durationSeconds(source.late_arrival ?? DEFAULT_LATE_ARRIVAL);
}

/** Seconds in a duration like `90d`. */
export function durationSeconds(text: string): number {
  const m = durationPattern.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}
