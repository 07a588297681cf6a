import type { BatchOutcome, RecordResult, WriteRecord } from '../destination.js';
import type { TargetContext } from './salesforce-context.js';
import { upsertBody } from './salesforce-records.js';
import { resultsInOrder } from './salesforce-save-results.js';

/** The header that lets a save through duplicate rules whose action is "Alert" ("Block" rules still refuse: UNCONFIRMED). */
export const ALLOW_SAVE_HEADERS: Readonly<Record<string, string>> = { 'Sforce-Duplicate-Rule-Header': 'allowSave=true' };

/** The ids a `DUPLICATES_DETECTED` error names (`duplicateResult.matchResults[].matchRecords[].record.Id`). */
export function duplicateMatches(raw: unknown): { readonly rule: string; readonly ids: readonly string[] } | undefined {
  const errors = isObject(raw) && Array.isArray(raw.errors) ? raw.errors : [];
  const error = errors.find((e): e is Readonly<Record<string, unknown>> => isObject(e) && (e.statusCode === 'DUPLICATES_DETECTED' || e.errorCode === 'DUPLICATES_DETECTED'));
  if (!error) return undefined;
  const result = isObject(error.duplicateResult) ? error.duplicateResult : {};
  const matches = Array.isArray(result.matchResults) ? result.matchResults : [];
  const ids = matches.flatMap((m) =>
    isObject(m) && Array.isArray(m.matchRecords) ? m.matchRecords.flatMap((r) => (isObject(r) && isObject(r.record) && typeof r.record.Id === 'string' ? [r.record.Id] : [])) : [],
  );
  return { rule: typeof result.duplicateRule === 'string' ? result.duplicateRule : 'a duplicate rule', ids: [...new Set(ids)] };
}

/**
 * `duplicates: match`: records an active duplicate rule refused are written to the one record the
 * rule names, by id, match key included (so the next upsert by key finds it). None or several named:
 * the record is reported, not retried (`DUPLICATES_DETECTED` is never retryable, so no loop).
 */
export async function resolveDuplicates(ctx: TargetContext, records: readonly WriteRecord[], raw: readonly unknown[], results: readonly RecordResult[]): Promise<BatchOutcome> {
  const out = [...results];
  const matched: { readonly index: number; readonly id: string }[] = [];
  results.forEach((r, i) => {
    if (r.ok || r.code !== 'DUPLICATES_DETECTED') return;
    const found = duplicateMatches(raw[i]);
    if (found?.ids.length === 1) matched.push({ index: i, id: found.ids[0] });
    else {
      const named = found && found.ids.length > 1 ? `it matches ${found.ids.length} records (${found.ids.join(', ')})` : 'it names no record to match';
      out[i] = { ok: false, code: 'DUPLICATES_DETECTED', message: `${ctx.plan.object} ${records[i].key} refused by ${found?.rule ?? 'a duplicate rule'}: ${named}; merge them in Salesforce or set duplicates: allow_save on the destination`, retryable: false };
    }
  });
  if (matched.length === 0) return { ok: true, results: out };
  const bodies = matched.map((m) => ({ Id: m.id, ...upsertBody(ctx.plan, records[m.index]) }));
  try {
    const rawUpdate: unknown = await ctx.send((conn) => conn.sobject(ctx.plan.object).update(bodies, { allOrNone: false }));
    resultsInOrder(rawUpdate, matched.length, ctx.scrub).forEach((r, n) => (out[matched[n].index] = r));
    return { ok: true, results: out };
  } catch (e) {
    return { ok: false, failure: ctx.classify(e) };
  }
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
