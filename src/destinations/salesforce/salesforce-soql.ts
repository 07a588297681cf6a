import type { SalesforceCall } from './salesforce-context.js';

/** A queried record: field values by API name (`attributes` left out). */
export type QueriedRecord = Readonly<Record<string, unknown>>;

/** Most records one query may page through: more means cdp asked for something it should not. */
const MAX_QUERY_RECORDS = 50_000;
/** Characters of literals per `IN (...)` list, so the GET URL stays well under Salesforce's 16 KB. */
const MAX_IN_CHARS = 6_000;

/** A SOQL string literal (single-quoted, backslash escapes). */
export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}'`;
}

/** Values split into `IN (...)` lists of at most `maxCount` literals and a bounded length. */
export function inLists(values: readonly string[], maxCount = 200): string[][] {
  const lists: string[][] = [];
  let current: string[] = [];
  let chars = 0;
  for (const value of values) {
    const size = encodeURIComponent(soqlString(value)).length + 3;
    if (current.length > 0 && (current.length >= maxCount || chars + size > MAX_IN_CHARS)) {
      lists.push(current);
      current = [];
      chars = 0;
    }
    current.push(value);
    chars += size;
  }
  if (current.length > 0) lists.push(current);
  return lists;
}

/** Every record of a query, one call per page of up to 2,000; `all` reads the recycle bin too (`queryAll`) (docs/crm/salesforce.md#soql). */
export async function queryRecords(call: SalesforceCall, soql: string, options: { readonly all?: boolean } = {}): Promise<QueriedRecord[]> {
  const records: QueriedRecord[] = [];
  let page = await call((conn) => conn.query(soql, { autoFetch: false, scanAll: options.all === true }));
  for (;;) {
    for (const r of page.records) records.push(r);
    const next = page.nextRecordsUrl;
    if (page.done || next === undefined || records.length >= MAX_QUERY_RECORDS) return records;
    page = await call((conn) => conn.queryMore(next));
  }
}

export function text(record: QueriedRecord, field: string): string | undefined {
  const value = record[field];
  return typeof value === 'string' ? value : undefined;
}
