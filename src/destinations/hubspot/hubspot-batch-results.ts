import type { RecordResult } from '../destination.js';
import type { Scrubber } from '../../diagnostics/secret-scrubber.js';
import { propertyIssue } from './hubspot-failure.js';

/** One input as sent: its trace id, match key and (for updates by id) the record id. */
export interface SentInput {
  readonly traceId: string;
  readonly key: string;
  readonly id?: string;
}

/** The parts of a batch response (200 or 207) cdp reads. */
export interface BatchResponseParts {
  /** `_new`: the SDK's name for an upsert result's `new` (whether HubSpot created the record). */
  readonly results: readonly { readonly id: string; readonly objectWriteTraceId?: string; readonly properties?: Readonly<Record<string, string | null>>; readonly _new?: boolean }[];
  readonly errors?: readonly { readonly category: string; readonly message: string; readonly context?: Readonly<Record<string, readonly string[]>> }[];
}

export interface MatchKey {
  readonly field: string;
  readonly caseInsensitive: boolean;
}

/**
 * Lines a batch response up with its inputs (docs/crm/hubspot.md#batch-writes): results and errors name their input by
 * `objectWriteTraceId`, else by the match key or record id they carry. A lone unexplained error
 * belongs to the lone unexplained input; anything HubSpot did not report on is retried.
 */
export function mapBatchResults(inputs: readonly SentInput[], response: BatchResponseParts, match: MatchKey, scrub: Scrubber): RecordResult[] {
  const norm = (v: string): string => (match.caseInsensitive ? v.trim().toLowerCase() : v);
  const byTrace = new Map(inputs.map((input, i) => [input.traceId, i]));
  const byKey = new Map(inputs.map((input, i) => [norm(input.key), i]));
  const byId = new Map(inputs.flatMap((input, i) => (input.id !== undefined ? [[input.id, i] as const] : [])));
  const results: (RecordResult | undefined)[] = inputs.map(() => undefined);
  const unplaced: string[] = [];
  for (const r of response.results) {
    const keyValue = r.properties?.[match.field];
    const index =
      (r.objectWriteTraceId !== undefined ? byTrace.get(r.objectWriteTraceId) : undefined) ??
      (typeof keyValue === 'string' ? byKey.get(norm(keyValue)) : undefined) ??
      byId.get(r.id);
    if (index !== undefined && results[index] === undefined) results[index] = { ok: true, id: r.id, ...(typeof r._new === 'boolean' ? { created: r._new } : {}) };
    else unplaced.push(r.id);
  }
  const unexplained: RecordResult[] = [];
  for (const e of response.errors ?? []) {
    const failure = recordFailure(e.category, e.message, scrub);
    const traces = e.context?.objectWriteTraceId ?? [];
    const ids = e.context?.ids ?? [];
    const indexes = [
      ...traces.map((t) => byTrace.get(t)),
      ...ids.map((id) => byKey.get(norm(id)) ?? byId.get(id)),
    ].filter((i): i is number => i !== undefined);
    if (indexes.length === 0) unexplained.push(failure);
    for (const i of indexes) if (results[i] === undefined) results[i] = failure;
  }
  const open = results.flatMap((r, i) => (r === undefined ? [i] : []));
  if (open.length > 0 && open.length === unplaced.length && (response.errors ?? []).length === 0) {
    open.forEach((i, n) => (results[i] = { ok: true, id: unplaced[n] }));
  } else if (open.length === 1 && unexplained.length === 1) {
    results[open[0]] = unexplained[0];
  }
  return results.map(
    (r) => r ?? { ok: false, code: 'UNREPORTED', message: 'HubSpot did not report on this record; it is sent again', retryable: true },
  );
}

/** A per-record error item of a 207, as a RecordResult. */
export function recordFailure(category: string, message: string, scrub: Scrubber): RecordResult {
  if (category === 'OBJECT_NOT_FOUND') return { ok: false, code: category, message: scrub(message), retryable: false, notFound: true };
  const issue = propertyIssue(message);
  return { ok: false, code: issue?.code ?? category, message: scrub(issue?.message ?? message), retryable: category === 'RATE_LIMITS' };
}
