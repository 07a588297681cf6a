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

/** A file or folder path: an empty one would silently mean "nothing" (DuckDB even opens an in-memory database). */
const nonEmptyPath = z.string().trim().min(1, 'must not be empty');

const duckdbWarehouse = z.strictObject({
  type: z.literal('duckdb'),
  path: nonEmptyPath.default('.cdp/warehouse.duckdb'),
  threads: positiveInt.optional(),
});
const bigqueryWarehouse = z.strictObject({
  type: z.literal('bigquery'),
  projectId: z.string(),
  dataset: z.string().optional(),
  location: z.string().optional(),
  keyFilename: z.string().optional(),
  apiEndpoint: z.string().optional(),
});
const snowflakeWarehouse = z.strictObject({
  type: z.literal('snowflake'),
  account: z.string(),
  username: z.string(),
  password: z.string().optional(),
  privateKeyPath: z.string().optional(),
  warehouse: z.string(),
  database: z.string(),
  role: z.string().optional(),
  accessUrl: z.string().optional(),
});
export const warehouseSchema = z.discriminatedUnion('type', [duckdbWarehouse, bigqueryWarehouse, snowflakeWarehouse]);

const hubspotDestination = z.strictObject({
  type: z.literal('hubspot'),
  accessToken: z.string(),
  baseUrl: z.string().default('https://api.hubapi.com'),
  requestsPer10s: positiveInt.default(100),
});
const salesforceAuth = z.discriminatedUnion('flow', [
  z.strictObject({ flow: z.literal('jwt'), clientId: z.string(), username: z.string(), privateKeyPath: z.string() }),
  z.strictObject({ flow: z.literal('client_credentials'), clientId: z.string(), clientSecret: z.string() }),
  z.strictObject({
    flow: z.literal('password'),
    clientId: z.string(),
    clientSecret: z.string(),
    username: z.string(),
    password: z.string(),
  }),
]);
const salesforceDestination = z.strictObject({
  type: z.literal('salesforce'),
  loginUrl: z.string().default('https://login.salesforce.com'),
  apiVersion: z.string().regex(/^\d+\.\d$/, 'must look like "62.0"').default('62.0'),
  auth: salesforceAuth,
  /** Diffs larger than this many records go through Bulk API 2.0 instead of sObject Collections. */
  bulkThreshold: positiveInt.default(2000),
  /**
   * A create refused by an active duplicate rule (DUPLICATES_DETECTED): `match` writes to the record the
   * rule names instead (reported when it names none), `allow_save` sends Sforce-Duplicate-Rule-Header
   * allowSave=true. See docs/drift.md.
   */
  duplicates: z.enum(['match', 'allow_save']).default('match'),
});
export const destinationSchema = z.discriminatedUnion('type', [hubspotDestination, salesforceDestination]);

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  project: name,
  warehouse: warehouseSchema.default({ type: 'duckdb', path: '.cdp/warehouse.duckdb' }),
  targets: z
    .record(name, warehouseSchema)
    .default({})
    .describe('Named warehouse blocks, dbt-style: `--target <name>` or CDP_TARGET=<name> uses one instead of `warehouse:` (docs/targets.md)'),
  schema: name.default('cdp'),
  destinations: z.record(name, destinationSchema).default({}),
  /** A run lock older than this is stale and taken over. */
  lock_timeout_minutes: positiveInt.default(60),
  /** `cdp run` pulls CRM records into the warehouse first (like `cdp run --pull`; docs/pull.md). */
  pull: bool.default(false),
});

const identifier = z.strictObject({ column: z.string(), type: name });
const source = z
  .strictObject({
    name,
    description: z.string().optional(),
    table: z.string().trim().min(1, 'must not be empty').optional(),
    model: name.optional(),
    path: nonEmptyPath.optional(),
    timestamp: z.string().optional(),
    primary_key: z.string().optional(),
    identifiers: z.array(identifier).default([]),
    /** Declared column types: values that do not convert make their row a bad row (docs/bad-rows.md). */
    columns: z.record(z.string(), z.enum(['string', 'integer', 'float', 'boolean', 'timestamp', 'date'])).default({}),
    /** skip: quarantine bad rows and go on (counted in the run summary); fail: stop the build. */
    on_bad_rows: z.enum(['fail', 'skip']).default('skip'),
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
  name,
  description: z.string().optional(),
  materialized: z.enum(['view', 'table']).default('view'),
  sql: z.string(),
});

const idType = z.strictObject({
  priority: int.default(5),
  normalize: z.enum(['email', 'phone', 'lower', 'trim', 'none']).optional(),
  max_per_profile: positiveInt.optional(),
  link_window: duration.optional(),
  /** Phones without a country code get this calling code (digits, no +). */
  default_country_code: z.string().regex(/^\d{1,3}$/).optional(),
});
const blockRule = z
  .strictObject({ type: name.optional(), value: z.string().optional(), pattern: z.string().optional() })
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
  id_types: z.record(name, idType),
  blocklist: z.array(blockRule).default([]),
  /** Replace the built-in blocklist (null, undefined, -1, all zeros, ...) instead of adding to it. */
  default_blocklist: bool.default(true),
  max_links_per_value: positiveInt.default(50),
  max_profile_size: positiveInt.default(1000),
  fail_on_oversize: bool.default(false),
  max_rounds: positiveInt.default(60),
  gate: identityGateSchema.default(() => identityGateSchema.parse({})),
});

export const aggregates = ['count', 'count_distinct', 'sum', 'avg', 'min', 'max', 'first', 'last', 'exists'] as const;
const trait = z.strictObject({
  name,
  description: z.string().optional(),
  from: name.optional(),
  aggregate: z.enum(aggregates).optional(),
  column: z.string().optional(),
  where: z.string().optional(),
  window: duration.optional(),
  sql: z.string().optional(),
  type: z.enum(['string', 'integer', 'float', 'boolean', 'timestamp', 'date']).optional(),
});
const segment = z.strictObject({ name, description: z.string().optional(), where: z.string() });

export const modelsFileSchema = z.strictObject({
  $schema: z.string().optional(),
  models: z.array(model).default([]),
  sources: z.array(source).default([]),
  identity: identitySchema.optional(),
  traits: z.array(trait).default([]),
  segments: z.array(segment).default([]),
});

const audienceLimit = z
  .number()
  .min(0)
  .max(100)
  .optional()
  .describe("Gate for this audience only: share (%) of its members that may be removed in one run (instead of the connector's max_audience_removals_pct)");
const segmentTarget = z.union([
  z.strictObject({ list: z.string(), max_removals_pct: audienceLimit }),
  z.strictObject({ campaign: z.string(), status: z.string().optional(), max_removals_pct: audienceLimit }),
  z.strictObject({ field: z.string(), max_removals_pct: audienceLimit }),
]);
export const syncSchema = z.strictObject({
  $schema: z.string().optional(),
  sync: name,
  destination: name,
  object: z.string(),
  audience: name.default('all'),
  where: z.string().optional(),
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
    .describe('How a profile finds its destination record'),
  mode: z.enum(['upsert', 'update', 'mirror']).default('upsert'),
  nulls: z.enum(['skip', 'clear']).default('skip'),
  fields: z.record(z.string(), name).default({}),
  segments: z.record(name, segmentTarget).default({}),
  create_fields: bool.default(false),
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
  /** Before each diff, read what changed in the CRM (hand edits, deletes, merges) and repair it (docs/drift.md). */
  drift: bool.default(false),
  /** Per destination field: who wins when someone else edits it. cdp (restore), crm (keep and report), if_empty. */
  ownership: z.record(z.string(), z.enum(['cdp', 'crm', 'if_empty'])).default({}),
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
export type SyncConfig = z.infer<typeof syncSchema>;
export type SegmentTarget = z.infer<typeof segmentTarget>;
export type MatchConfig = SyncConfig['match'];

/** The destination field a sync matches on: `field`, or the id_type's name (`match: { id_type: email }`). */
export function matchField(match: MatchConfig): string {
  return match.field ?? match.id_type ?? '';
}
export type Aggregate = (typeof aggregates)[number];

/** Seconds in a duration like `90d`. */
export function durationSeconds(text: string): number {
  const m = durationPattern.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}
