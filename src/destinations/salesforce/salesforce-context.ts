import type { Connection } from 'jsforce';
import type { BatchFailure } from '../destination.js';
import type { Scrubber } from '../../diagnostics/secret-scrubber.js';
import type { ObjectPlan } from './salesforce-schema.js';

/** Runs one API call on the authenticated connection, through the engine's pacing. */
export type SalesforceCall = <T>(request: (conn: Connection) => PromiseLike<T>) => Promise<T>;

/** What the write paths of one prepared sync share. */
export interface TargetContext {
  /** One call, never retried: writes, whose failure the engine handles for the whole batch. */
  readonly send: SalesforceCall;
  /** One idempotent read (job state, job results), retried as `classify` decides; throws DestinationStopped. */
  readonly read: SalesforceCall;
  readonly classify: (error: unknown) => BatchFailure;
  readonly scrub: Scrubber;
  readonly plan: ObjectPlan;
  /** What to do about creates an active duplicate rule refuses (docs/drift.md). */
  readonly duplicates: 'match' | 'allow_save';
}
