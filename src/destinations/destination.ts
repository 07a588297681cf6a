import type { DestinationConfig, SegmentTarget } from '../config/schema.js';
import type { Diagnostic, Location } from '../diagnostics/diagnostic.js';
import type { SqlType } from '../dialect/dialect.js';
import type { DriftReader } from './drift-reader.js';

/**
 * What a destination (HubSpot, Salesforce, ...) supplies to the sync engine: primitives that send one
 * batch and answer per record. The engine (src/sync/) owns diffing, batching, modes, pacing, retries,
 * bisection and state; a destination never retries a batch or decides what to send. See CONTEXT.md.
 */

/** A value for a destination field. `null` clears the field. */
export type FieldValue = string | number | boolean | null;

/** A destination field a sync writes, with the warehouse type of the trait that feeds it. */
export interface FieldSpec {
  readonly name: string;
  readonly type: SqlType;
  /** Where the connector file declares it, for diagnostics. */
  readonly at: Location;
}

/** A segment synced as membership of a destination collection (a HubSpot list, a Salesforce campaign). */
export type AudienceTarget = Exclude<SegmentTarget, { readonly field: string }>;

export interface AudienceSpec {
  readonly segment: string;
  readonly target: AudienceTarget;
  readonly at: Location;
}

/** One sync as a destination sees it: which object, how records are matched, what is written. */
export interface SyncSpec {
  readonly sync: string;
  readonly object: string;
  /** The destination field that identifies a record (upsert key), e.g. HubSpot `email`. */
  readonly match: FieldSpec;
  /** Fields written, including segments synced as boolean fields (`{ field: x }`). */
  readonly fields: readonly FieldSpec[];
  /** Segments synced as memberships. */
  readonly audiences: readonly AudienceSpec[];
  /** Create missing fields (HubSpot) instead of failing with a diagnostic. */
  readonly createFields: boolean;
  /**
   * How many records this run expects to write (an upper bound from the diff counts), when the engine
   * knows it. A destination may choose its write path and `batchSize` from it (Salesforce switches to
   * Bulk API 2.0 above `bulkThreshold`).
   */
  readonly pendingWrites?: number;
  /**
   * A person sync with `account: { sync }` (docs/accounts-sync.md): contacts are associated with their
   * account's record. `object` and `field` are the account sync's object and match field (Salesforce
   * sets `Contact.Account` by that external id).
   */
  readonly account?: { readonly object: string; readonly field: string; readonly at: Location };
  /** The connector file, for diagnostics that concern the whole sync. */
  readonly at: Location;
}

/** A record to write: the match key, the destination id when cdp knows it, and only the fields that change. */
export interface WriteRecord {
  readonly key: string;
  readonly id?: string;
  readonly fields: Readonly<Record<string, FieldValue>>;
  /**
   * The record's account changes (a person sync with `account:`): `to` is the account's HubSpot company id
   * / Salesforce external id, or null (no account any more); `from` is what cdp last confirmed.
   */
  readonly account?: AccountChange;
}

export interface AccountChange {
  readonly from: string | null;
  readonly to: string | null;
}

/** A record known to exist at the destination. */
export interface RecordRef {
  readonly key: string;
  readonly id: string;
}

/**
 * The answer for one record of a batch. `notFound` marks a record the destination does not have
 * (update mode skips it; a membership change for it means cdp's id is stale).
 */
export type RecordResult =
  /** `created`: the destination says it created the record (HubSpot upsert `new`, Salesforce `created`); absent when it does not say. */
  | { readonly ok: true; readonly id: string; readonly created?: boolean }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      readonly retryable: boolean;
      readonly retryAfterMs?: number;
      readonly notFound?: boolean;
    };

/**
 * A request that failed as a whole:
 * - `retry`: transient (429, 5xx, timeout, dropped connection); send the same batch again later.
 * - `split`: the destination refused the whole batch because of some record in it (HubSpot 400/409
 *   without per-record results); the engine bisects until the bad records stand alone.
 * - `stop`: nothing will work until a person acts (bad token, daily limit, missing scope).
 */
export interface BatchFailure {
  readonly kind: 'retry' | 'split' | 'stop';
  readonly code: string;
  readonly message: string;
  readonly retryAfterMs?: number;
  /** What to check, for `stop`. */
  readonly hint?: string;
}

/** The outcome of one batch call: a result per input, in input order, or a whole-batch failure. */
export type BatchOutcome =
  | { readonly ok: true; readonly results: readonly RecordResult[] }
  | { readonly ok: false; readonly failure: BatchFailure };

/** Client-side pacing: at most `requests` per `perMs` milliseconds, `maxConcurrent` in flight. */
export interface RateLimit {
  readonly requests: number;
  readonly perMs: number;
  readonly maxConcurrent: number;
}

/** How a destination sends HTTP requests: paced by the engine, shared by every sync of the run. */
export interface Transport {
  /** Sends one request when pacing allows. Never retries. */
  send<T>(request: () => Promise<T>): Promise<T>;
  /**
   * Sends one request, retrying as `classify` decides (for setup calls such as `prepare`).
   * Throws a DestinationStopped error when it cannot succeed.
   */
  call<T>(request: () => Promise<T>, classify: (error: unknown) => BatchFailure): Promise<T>;
}

/** One sync's object on a prepared destination: the primitives the engine batches and retries. */
export interface SyncTarget {
  /** Most records per write request. */
  readonly batchSize: number;
  /** Most records per membership request. */
  readonly membershipBatchSize: number;
  /** Creates or updates records by match key (never a blind create). */
  upsert(records: readonly WriteRecord[]): Promise<BatchOutcome>;
  /** Updates existing records only (by id when given, else by match key); unknown ones come back `notFound`. */
  update(records: readonly WriteRecord[]): Promise<BatchOutcome>;
  /** Adds records to a segment's collection; existing members are fine. */
  addMembers(segment: string, records: readonly RecordRef[]): Promise<BatchOutcome>;
  /** Removes records from a segment's collection; non-members are fine. */
  removeMembers(segment: string, records: readonly RecordRef[]): Promise<BatchOutcome>;
}

export type PrepareResult =
  | { readonly ok: true; readonly target: SyncTarget; readonly notes: readonly string[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** One cheap read of `cdp debug` (docs/commands.md#cdp-debug): may cdp log in, and read this object's schema? */
export type DestinationCheck =
  | { readonly check: string; readonly ok: true; readonly detail: string }
  | { readonly check: string; readonly ok: false; readonly code: string; readonly message: string; readonly hint?: string };

/** An opened destination (one entry of cdp.config.yaml `destinations:`). */
export interface Destination {
  readonly name: string;
  readonly rateLimit: RateLimit;
  /** Reads what changed in the CRM, for connectors with `drift: true` (docs/drift.md). */
  readonly drift?: DriftReader;
  /** Validates (and, when allowed, creates) fields and finds or creates audiences. */
  prepare(spec: SyncSpec, transport: Transport): Promise<PrepareResult>;
  /** One read per object (HubSpot: its properties; Salesforce: log in, then describe it); never writes. */
  check(objects: readonly string[]): Promise<readonly DestinationCheck[]>;
  close(): Promise<void>;
}

export interface DestinationOptions {
  /** A request that has not answered after this long counts as failed (and is retried). */
  readonly requestTimeoutMs: number;
  /** The project folder, against which relative paths in the destination's config are resolved (a key file). */
  readonly projectDir?: string;
}

/** One kind of destination, as listed in destinations.ts. */
export interface DestinationFactory {
  readonly type: DestinationConfig['type'];
  /** Whether match keys in `field` compare case-insensitively (HubSpot `email`). Pure, no I/O. */
  keyCaseInsensitive(object: string, field: string): boolean;
  /**
   * A regular expression (RE2 syntax, as the warehouses run it) every match key in `field` must match, or
   * undefined. Keys that do not match would be refused on every run (an invalid email as HubSpot's key), so
   * the diff never sends them and reports them once (docs/guarantees.md). Pure, no I/O.
   */
  keyPattern?(object: string, field: string): string | undefined;
  open(name: string, config: DestinationConfig, options: DestinationOptions): Destination;
}
