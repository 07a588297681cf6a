import type { RecordResult } from '../destination.js';
import type { Scrubber } from '../../diagnostics/secret-scrubber.js';
import { normalKey } from './salesforce-records.js';
import { recordFailure } from './salesforce-save-results.js';
import type { JsonValue } from './salesforce-values.js';

/** One CSV row of a job: the value of its match column, and its cells by column. */
export interface BulkRow {
  readonly match: string;
  readonly cells: Readonly<Record<string, JsonValue>>;
}

/** How a job's rows are found again in its results. */
export interface BulkMatch {
  readonly matchColumn: string;
  readonly matchBy: 'key' | 'id';
  readonly notFoundCodes?: ReadonlySet<string>;
  readonly rows: readonly BulkRow[];
}

/** A job's result rows as jsforce parses the result CSVs (values are strings, docs/crm/salesforce.md#bulk-api-20). */
export interface BulkResultRows {
  readonly successful: readonly Readonly<Record<string, unknown>>[];
  readonly failed: readonly Readonly<Record<string, unknown>>[];
  readonly unprocessed: readonly Readonly<Record<string, unknown>>[];
}

/** `CODE:message:Field1,Field2 --` (or `CODE:message:--`) as a code and message (docs/crm/salesforce.md#bulk-api-20). */
export function parseBulkError(text: string): { readonly code: string; readonly message: string } {
  const body = text.replace(/:(?:[A-Za-z0-9_.,]+ )?--\s*$/, '');
  const colon = body.indexOf(':');
  if (colon <= 0 || !/^[A-Z_]+$/.test(body.slice(0, colon))) return { code: 'BULK_ERROR', message: body };
  return { code: body.slice(0, colon), message: body.slice(colon + 1) };
}

/**
 * Maps result rows back to the job's rows by match column (results come in no particular order).
 * Ids compare on 15 characters, keys case-insensitively (a batch never holds one key twice).
 * Unprocessed rows, and rows no result mentions, are retryable: the engine sends them again.
 */
export function mapBulkResults(job: BulkMatch, results: BulkResultRows, scrub: Scrubber): RecordResult[] {
  const norm = job.matchBy === 'id' ? (v: string) => v.slice(0, 15) : normalKey;
  const index = new Map(job.rows.map((row, i) => [norm(row.match), i]));
  const out: (RecordResult | undefined)[] = job.rows.map(() => undefined);
  const place = (row: Readonly<Record<string, unknown>>, result: RecordResult): void => {
    const value = row[job.matchColumn];
    const i = typeof value === 'string' ? index.get(norm(value)) : undefined;
    if (i !== undefined && out[i] === undefined) out[i] = result;
  };
  for (const row of results.successful) {
    const id = row.sf__Id;
    place(row, typeof id === 'string' && id !== '' ? { ok: true, id } : { ok: false, code: 'UNREPORTED', message: 'Salesforce reported success without an id', retryable: true });
  }
  for (const row of results.failed) {
    const { code, message } = parseBulkError(typeof row.sf__Error === 'string' ? row.sf__Error : '');
    place(row, recordFailure(code, message, scrub, job.notFoundCodes));
  }
  for (const row of results.unprocessed) place(row, recordFailure('UNPROCESSED', 'Salesforce did not process this record (the job stopped); it is sent again', scrub));
  return out.map((r) => r ?? recordFailure('UNREPORTED', 'Salesforce did not report on this record; it is sent again', scrub));
}
