import type { RecordResult } from '../destination.js';
import type { Scrubber } from '../../diagnostics/secret-scrubber.js';

/** One SaveResult of sObject Collections (docs/crm/salesforce.md#sobject-collections); per-record errors use `statusCode` (docs/crm/salesforce.md#errors). */
export interface SaveOutcome {
  readonly success: boolean;
  readonly id?: string;
  /** Upserts say whether they created the record. */
  readonly created?: boolean;
  readonly errors: readonly { readonly code: string; readonly message: string }[];
}

/**
 * Per-record errors worth sending again, as a smaller batch (the engine re-sends only those):
 * row-lock contention (docs/crm/salesforce.md#errors), a record rolled back by someone else's all-or-none, transient faults.
 */
const RETRYABLE: ReadonlySet<string> = new Set(['UNABLE_TO_LOCK_ROW', 'ALL_OR_NONE_OPERATION_ROLLED_BACK', 'UNKNOWN_EXCEPTION', 'SERVER_UNAVAILABLE', 'REQUEST_RUNNING_TOO_LONG', 'UNREPORTED', 'UNPROCESSED']);

/** Reads what jsforce returned for one record (its types say `errorCode`; Salesforce sends `statusCode`). */
export function saveOutcome(raw: unknown): SaveOutcome {
  if (typeof raw !== 'object' || raw === null) return { success: false, errors: [{ code: 'UNREPORTED', message: 'Salesforce did not report on this record' }] };
  const r = raw as { readonly success?: unknown; readonly id?: unknown; readonly errors?: unknown; readonly created?: unknown };
  const errors = Array.isArray(r.errors)
    ? r.errors.map((e: unknown) => {
        const err = (typeof e === 'object' && e !== null ? e : {}) as { readonly statusCode?: unknown; readonly errorCode?: unknown; readonly message?: unknown };
        const code = typeof err.statusCode === 'string' ? err.statusCode : typeof err.errorCode === 'string' ? err.errorCode : 'UNKNOWN';
        return { code, message: typeof err.message === 'string' ? err.message : code };
      })
    : [];
  return { success: r.success === true, ...(typeof r.id === 'string' && r.id !== '' ? { id: r.id } : {}), ...(typeof r.created === 'boolean' ? { created: r.created } : {}), errors };
}

/** A refused record as the engine takes it: retryable for lock contention, `notFound` for the given codes. */
export function recordFailure(code: string, message: string, scrub: Scrubber, notFoundCodes: ReadonlySet<string> = new Set()): RecordResult {
  return {
    ok: false,
    code,
    message: scrub(message),
    retryable: RETRYABLE.has(code),
    ...(notFoundCodes.has(code) ? { notFound: true } : {}),
  };
}

/** The RecordResult for a SaveOutcome. */
export function recordResult(outcome: SaveOutcome, scrub: Scrubber, notFoundCodes?: ReadonlySet<string>): RecordResult {
  if (outcome.success && outcome.id !== undefined) return { ok: true, id: outcome.id, ...(outcome.created !== undefined ? { created: outcome.created } : {}) };
  const first = outcome.errors[0] ?? { code: 'UNREPORTED', message: 'Salesforce reported neither an id nor an error for this record' };
  return recordFailure(first.code, first.message, scrub, notFoundCodes);
}

/** Update by id (mirror clears, update mode): the record was deleted or never existed. */
export const RECORD_GONE: ReadonlySet<string> = new Set(['ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY', 'INVALID_ID_FIELD', 'NOT_FOUND']);

/** Results of one call, lined up with its inputs (Salesforce answers in input order, docs/crm/salesforce.md#sobject-collections). */
export function resultsInOrder(raw: unknown, count: number, scrub: Scrubber, notFoundCodes?: ReadonlySet<string>): RecordResult[] {
  const list: readonly unknown[] = Array.isArray(raw) ? raw : [];
  return Array.from({ length: count }, (_, i) => recordResult(saveOutcome(list[i]), scrub, notFoundCodes));
}
