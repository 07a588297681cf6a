import { Client } from '@hubspot/api-client';
import type { DestinationConfig, HubSpotDestinationConfig } from '../../config/schema.js';
import { error } from '../../diagnostics/diagnostic.js';
import { suggestion } from '../../diagnostics/did-you-mean.js';
import type { SqlType } from '../../dialect/dialect.js';
import type { BatchFailure, Destination, DestinationCheck, DestinationFactory, DestinationOptions, PrepareResult, RateLimit, SyncSpec, Transport } from '../destination.js';
import { secretScrubber, type Scrubber } from '../../diagnostics/secret-scrubber.js';
import { withTimeout } from '../with-timeout.js';
import { HubSpotDriftReader } from './hubspot-drift.js';
import { classifyHubSpotError, TEN_SECONDS } from './hubspot-failure.js';
import { ensureLists } from './hubspot-lists.js';
import { HUBSPOT_OBJECT_NAMES, hubspotKeyCaseInsensitive, hubspotObject } from './hubspot-object.js';
import { ensureProperties } from './hubspot-properties.js';
import { HubSpotTarget } from './hubspot-target.js';

/**
 * Requests in flight at once: enough for two seconds of the paced rate (a batch upsert can take a
 * second or more at HubSpot), so that latency never holds the rate below requestsPer10s; pacing is
 * what bounds it.
 */
function maxConcurrent(requestsPer10s: number): number {
  return Math.min(20, Math.max(5, Math.ceil(requestsPer10s / 5)));
}

/**
 * HubSpot through @hubspot/api-client@13. The SDK's own retries are off (numberOfApiCallRetries: 1)
 * and it has no limiter: cdp's engine paces, retries and records every outcome itself.
 */
export class HubSpotDestination implements Destination {
  readonly rateLimit: RateLimit;
  readonly drift: HubSpotDriftReader;
  private readonly client: Client;
  private readonly scrub: Scrubber;
  private readonly classify: (error: unknown) => BatchFailure;

  constructor(
    readonly name: string,
    config: HubSpotDestinationConfig,
    private readonly options: DestinationOptions,
  ) {
    this.client = new Client({ accessToken: config.accessToken, basePath: config.baseUrl.replace(/\/+$/, ''), numberOfApiCallRetries: 1 });
    this.scrub = secretScrubber([config.accessToken]);
    this.classify = (e) => classifyHubSpotError(e, this.scrub, name);
    this.rateLimit = { requests: config.requestsPer10s, perMs: TEN_SECONDS, maxConcurrent: maxConcurrent(config.requestsPer10s) };
    this.drift = new HubSpotDriftReader({ client: this.client, classify: this.classify, requestTimeoutMs: options.requestTimeoutMs });
  }

  async prepare(spec: SyncSpec, transport: Transport): Promise<PrepareResult> {
    const object = hubspotObject(spec.object);
    if (!object) {
      return {
        ok: false,
        diagnostics: [error('unknown-object', `HubSpot object '${spec.object}' is not supported by cdp`, spec.at, suggestion(spec.object, HUBSPOT_OBJECT_NAMES) ?? `use one of ${HUBSPOT_OBJECT_NAMES.join(', ')}`)],
      };
    }
    const ctx = { client: this.client, transport, classify: this.classify, object, destination: this.name };
    const properties = await ensureProperties(ctx, spec);
    const lists = await ensureLists(ctx, spec);
    const diagnostics = [...properties.diagnostics, ...lists.diagnostics];
    if (diagnostics.length > 0) return { ok: false, diagnostics };
    const fieldTypes = new Map<string, SqlType>([[spec.match.name, spec.match.type], ...spec.fields.map((f) => [f.name, f.type] as const)]);
    const target = new HubSpotTarget({
      client: this.client,
      transport,
      classify: this.classify,
      scrub: this.scrub,
      object,
      matchField: spec.match.name,
      caseInsensitiveKey: hubspotKeyCaseInsensitive(object.path, spec.match.name),
      fieldTypes,
      lists: lists.lists,
      requestTimeoutMs: this.options.requestTimeoutMs,
    });
    return { ok: true, target, notes: [...properties.notes, ...lists.notes] };
  }

  async check(objects: readonly string[]): Promise<readonly DestinationCheck[]> {
    return Promise.all(
      objects.map(async (name): Promise<DestinationCheck> => {
        const check = `${name} properties`;
        const object = hubspotObject(name);
        if (!object) return { check, ok: false, code: 'unknown-object', message: `HubSpot object '${name}' is not supported by cdp`, hint: `use one of ${HUBSPOT_OBJECT_NAMES.join(', ')}` };
        try {
          const properties = await withTimeout(this.client.crm.properties.coreApi.getAll(object.path), this.options.requestTimeoutMs);
          return { check, ok: true, detail: `read ${properties.results.length} ${object.path} properties` };
        } catch (e) {
          const failure = this.classify(e);
          return { check, ok: false, code: failure.code, message: failure.message, ...(failure.hint ? { hint: failure.hint } : {}) };
        }
      }),
    );
  }

  async close(): Promise<void> {}
}

/** An address HubSpot accepts as a contact's email: no spaces, one @, a dot in the domain. POSIX classes only, so DuckDB, BigQuery (RE2) and Snowflake read it alike. */
export const EMAIL_KEY_PATTERN = '^[^[:space:]@]+@[^[:space:]@]+[.][^[:space:]@]+$';

export const hubspotDestination: DestinationFactory = {
  type: 'hubspot',
  keyCaseInsensitive: hubspotKeyCaseInsensitive,
  /** HubSpot refuses an email key that is not name@domain.tld (INVALID_EMAIL, docs/crm/hubspot.md). */
  keyPattern: (object, field) => (field === 'email' && hubspotKeyCaseInsensitive(object, field) ? EMAIL_KEY_PATTERN : undefined),
  open(name: string, config: DestinationConfig, options: DestinationOptions) {
    if (config.type !== 'hubspot') throw new Error(`destination '${name}' is ${config.type}, not hubspot`);
    return new HubSpotDestination(name, config, options);
  },
};
