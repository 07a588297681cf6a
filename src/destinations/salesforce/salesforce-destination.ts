import type { DestinationConfig, SalesforceDestinationConfig } from '../../config/schema.js';
import { error } from '../../diagnostics/diagnostic.js';
import type { BatchFailure, Destination, DestinationCheck, DestinationFactory, DestinationOptions, PrepareResult, RateLimit, SyncSpec, Transport } from '../destination.js';
import { secretScrubber, type Scrubber } from '../../diagnostics/secret-scrubber.js';
import { authHint, authSecrets } from './salesforce-auth.js';
import { prepareCampaigns } from './salesforce-campaigns.js';
import type { SalesforceCall, TargetContext } from './salesforce-context.js';
import { describeObject } from './salesforce-describe.js';
import { SalesforceDriftReader } from './salesforce-drift.js';
import { classifySalesforceError } from './salesforce-failure.js';
import { abortLeftoverJobs } from './salesforce-leftover-jobs.js';
import { checkObjectSchema } from './salesforce-schema.js';
import { SalesforceSession } from './salesforce-session.js';
import { SalesforceTarget } from './salesforce-target.js';

/**
 * Salesforce has no per-second rate limit, only a daily allocation and a cap on concurrent long
 * requests (25 in production, 5 in Developer Edition; docs/crm/salesforce.md#limits). cdp keeps 4 requests in flight and
 * paces at 20 per second.
 */
const RATE_LIMIT: RateLimit = { requests: 20, perMs: 1_000, maxConcurrent: 4 };
/** Collection upserts need API 46.0 (below it jsforce silently falls back to one call per record, docs/crm/salesforce.md#client-library). */
const MIN_API_VERSION = 46;

/** Salesforce access tokens (`00D…!…`) and JWT assertions, wherever they turn up in a message. */
/**
 * Salesforce through jsforce 3: OAuth (JWT bearer, client credentials or the password grant),
 * describe-based validation, sObject Collections for small diffs and Bulk API 2.0 for large ones,
 * campaigns for segments. jsforce's own HTTP retries are off: the engine paces, retries and records
 * every outcome itself.
 */
export class SalesforceDestination implements Destination {
  readonly rateLimit = RATE_LIMIT;
  readonly drift: SalesforceDriftReader;
  private readonly session: SalesforceSession;
  private readonly scrub: Scrubber;
  private readonly classify: (error: unknown) => BatchFailure;

  constructor(
    readonly name: string,
    private readonly config: SalesforceDestinationConfig,
    options: DestinationOptions,
  ) {
    this.session = new SalesforceSession({ config, requestTimeoutMs: options.requestTimeoutMs, ...(options.projectDir !== undefined ? { projectDir: options.projectDir } : {}) });
    this.scrub = secretScrubber(authSecrets(config.auth));
    const hint = authHint(name, config);
    this.classify = (e) => classifySalesforceError(e, { scrub: this.scrub, authHint: hint });
    this.drift = new SalesforceDriftReader((transport) => (request) => transport.call(() => this.session.run(request), this.classify));
  }

  async prepare(spec: SyncSpec, transport: Transport): Promise<PrepareResult> {
    if (Number(this.config.apiVersion) < MIN_API_VERSION) {
      return {
        ok: false,
        diagnostics: [error('api-version-too-old', `destination '${this.name}' uses Salesforce API ${this.config.apiVersion}; cdp needs ${MIN_API_VERSION}.0 or later (sObject Collections upsert)`, {}, 'set apiVersion: "62.0" (or your org\'s current version) in cdp.config.yaml')],
      };
    }
    const send: SalesforceCall = (request) => transport.send(() => this.session.run(request));
    const read: SalesforceCall = (request) => transport.call(() => this.session.run(request), this.classify);
    await transport.call(() => this.session.connect(), this.classify);

    const described = await describeObject(read, spec);
    if (!described.ok) return { ok: false, diagnostics: described.diagnostics };
    const schema = checkObjectSchema(spec, described.object);
    const campaigns = await prepareCampaigns({ read, object: described.object.name }, spec, { create: schema.ok });
    const diagnostics = [...(schema.ok ? [] : schema.diagnostics), ...campaigns.diagnostics];
    if (!schema.ok || diagnostics.length > 0) return { ok: false, diagnostics };

    // A killed run can leave Bulk jobs Open; abort them before writing again (their records are in this diff).
    const objects = [schema.plan.object, ...(campaigns.campaigns.size > 0 ? ['CampaignMember'] : [])];
    const aborted = await abortLeftoverJobs({ read, send }, objects);
    const abortNote = aborted.length > 0 ? [`aborted ${aborted.length} Bulk API job(s) an earlier run left Open: ${aborted.join(', ')}`] : [];

    const pending = spec.pendingWrites ?? 0;
    const bulk = pending > this.config.bulkThreshold;
    const context: TargetContext = { send, read, classify: this.classify, scrub: this.scrub, plan: schema.plan, duplicates: this.config.duplicates };
    const target = new SalesforceTarget({ context, bulk, campaigns: campaigns.campaigns });
    const path = bulk ? `Bulk API 2.0 (${pending} pending writes > bulkThreshold ${this.config.bulkThreshold})` : undefined;
    return { ok: true, target, notes: [...abortNote, ...schema.notes, ...campaigns.notes, ...(path ? [`writing ${schema.plan.object} through ${path}`] : [])] };
  }

  async check(objects: readonly string[]): Promise<readonly DestinationCheck[]> {
    const failed = (check: string, e: unknown): DestinationCheck => {
      const failure = this.classify(e);
      return { check, ok: false, code: failure.code, message: failure.message, ...(failure.hint ? { hint: failure.hint } : {}) };
    };
    try {
      await this.session.connect();
    } catch (e) {
      return [failed('login', e)];
    }
    const login: DestinationCheck = { check: 'login', ok: true, detail: `logged in to ${this.session.connection.instanceUrl} (API ${this.config.apiVersion})` };
    const described = await Promise.all(
      objects.map(async (object): Promise<DestinationCheck> => {
        const check = `${object} describe`;
        try {
          const d = await this.session.run((conn) => conn.describe(object));
          const can = [d.createable ? 'create' : '', d.updateable ? 'update' : ''].filter(Boolean).join(' and ') || 'neither create nor update';
          return { check, ok: true, detail: `${d.fields.length} fields; the integration user may ${can} ${d.name} records` };
        } catch (e) {
          return failed(check, e);
        }
      }),
    );
    return [login, ...described];
  }

  async close(): Promise<void> {}
}

export const salesforceDestination: DestinationFactory = {
  type: 'salesforce',
  /** Email (idLookup) matches case-insensitively; External IDs choose per field, so their keys are kept as they are. */
  keyCaseInsensitive: (_object, field) => field.toLowerCase() === 'email',
  /** Email fields refuse a value that is not an address (INVALID_EMAIL_ADDRESS, docs/crm/salesforce.md). */
  keyPattern: (_object, field) => (field.toLowerCase() === 'email' ? '^[^[:space:]@]+@[^[:space:]@]+[.][^[:space:]@]+$' : undefined),
  open(name: string, config: DestinationConfig, options: DestinationOptions) {
    if (config.type !== 'salesforce') throw new Error(`destination '${name}' is ${config.type}, not salesforce`);
    return new SalesforceDestination(name, config, options);
  },
};
