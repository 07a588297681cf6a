import type { BatchOutcome, RecordResult, WriteRecord } from '../destination.js';
import type { TargetContext } from './salesforce-context.js';
import { fieldsBody, normalKey, upsertBody } from './salesforce-records.js';
import { ALLOW_SAVE_HEADERS, resolveDuplicates } from './salesforce-duplicates.js';
import { RECORD_GONE, resultsInOrder } from './salesforce-save-results.js';
import { inLists, queryRecords, soqlString, text } from './salesforce-soql.js';

/** sObject Collections take at most 200 records per call (docs/crm/salesforce.md#sobject-collections). */
export const COLLECTION_LIMIT = 200;

/**
 * Upserts at most 200 records in one `PATCH /composite/sobjects/{S}/{ExtField}` with allOrNone
 * false (docs/crm/salesforce.md#sobject-collections): one result per record, in input order. jsforce sends more than 200 as one
 * request (which Salesforce refuses), so callers never pass more.
 */
export async function upsertCollection(ctx: TargetContext, records: readonly WriteRecord[]): Promise<BatchOutcome> {
  const { plan } = ctx;
  if (records.length > COLLECTION_LIMIT) throw new Error(`a collection upsert takes at most ${COLLECTION_LIMIT} records, got ${records.length}`);
  const bodies = records.map((r) => ({ ...upsertBody(plan, r) }));
  try {
    const options = ctx.duplicates === 'allow_save' ? { allOrNone: false, headers: ALLOW_SAVE_HEADERS } : { allOrNone: false };
    const raw: unknown = await ctx.send((conn) => conn.sobject(plan.object).upsert(bodies, plan.key.name, options));
    const results = resultsInOrder(raw, records.length, ctx.scrub);
    if (ctx.duplicates === 'match' && results.some((r) => !r.ok && r.code === 'DUPLICATES_DETECTED')) return resolveDuplicates(ctx, records, Array.isArray(raw) ? raw : [], results);
    return { ok: true, results };
  } catch (e) {
    return { ok: false, failure: ctx.classify(e) };
  }
}

/** A record to update by id, with its place in the batch. */
export interface IdentifiedRecord {
  readonly index: number;
  readonly id: string;
  readonly record: WriteRecord;
}

/** Updates records by id through `PATCH /composite/sobjects` (at most 200); a deleted record comes back `notFound`. */
export async function updateCollection(ctx: TargetContext, records: readonly IdentifiedRecord[]): Promise<BatchOutcome> {
  const { plan } = ctx;
  const bodies = records.map((r) => ({ Id: r.id, ...fieldsBody(plan, r.record) }));
  try {
    const raw: unknown = await ctx.send((conn) => conn.sobject(plan.object).update(bodies, { allOrNone: false }));
    return { ok: true, results: resultsInOrder(raw, records.length, ctx.scrub, RECORD_GONE) };
  } catch (e) {
    return { ok: false, failure: ctx.classify(e) };
  }
}

export type Resolution =
  | { readonly ok: true; readonly identified: readonly IdentifiedRecord[]; readonly unresolved: ReadonlyMap<number, RecordResult> }
  | { readonly ok: false; readonly outcome: BatchOutcome };

/**
 * Ids for an update: the one cdp knows, else looked up by match key with SOQL in chunks (docs/crm/salesforce.md#soql).
 * A key no record has is `notFound` (update mode skips it); a key several records share is refused,
 * as Salesforce refuses to upsert by it (DUPLICATE_EXTERNAL_ID).
 */
export async function resolveIds(ctx: TargetContext, records: readonly WriteRecord[]): Promise<Resolution> {
  const { plan } = ctx;
  const wanted = records.flatMap((r) => (r.id === undefined ? [r.key] : []));
  const found = new Map<string, string[]>();
  try {
    for (const list of inLists([...new Set(wanted)])) {
      const soql = `SELECT Id, ${plan.key.name} FROM ${plan.object} WHERE ${plan.key.name} IN (${list.map(soqlString).join(', ')})`;
      for (const row of await queryRecords(ctx.send, soql)) {
        const key = text(row, plan.key.name);
        const id = text(row, 'Id');
        if (key === undefined || id === undefined) continue;
        found.set(normalKey(key), [...(found.get(normalKey(key)) ?? []), id]);
      }
    }
  } catch (e) {
    return { ok: false, outcome: { ok: false, failure: ctx.classify(e) } };
  }
  const identified: IdentifiedRecord[] = [];
  const unresolved = new Map<number, RecordResult>();
  records.forEach((record, index) => {
    if (record.id !== undefined) return identified.push({ index, id: record.id, record });
    const ids = found.get(normalKey(record.key)) ?? [];
    if (ids.length === 1) identified.push({ index, id: ids[0], record });
    else if (ids.length === 0) unresolved.set(index, { ok: false, code: 'NOT_FOUND', message: `no ${plan.object} has ${plan.key.name} = ${record.key}`, retryable: false, notFound: true });
    else unresolved.set(index, { ok: false, code: 'DUPLICATE_EXTERNAL_ID', message: `${ids.length} ${plan.object} records have ${plan.key.name} = ${record.key}: [${ids.join(', ')}]`, retryable: false });
    return undefined;
  });
  return { ok: true, identified, unresolved };
}

/** Lines results for the identified records and the unresolved ones up in the batch's order. */
export function mergeResults(count: number, identified: readonly IdentifiedRecord[], results: readonly RecordResult[], unresolved: ReadonlyMap<number, RecordResult>): RecordResult[] {
  const merged: (RecordResult | undefined)[] = Array.from({ length: count }, (_, i) => unresolved.get(i));
  identified.forEach((r, n) => (merged[r.index] = results[n]));
  return merged.map((r) => r ?? { ok: false, code: 'UNREPORTED', message: 'Salesforce did not report on this record; it is sent again', retryable: true });
}
