import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'csv-stringify/sync';
import type { IngestJobV2 } from 'jsforce/lib/api/bulk2.js';
import type { Schema } from 'jsforce';
import type { BatchOutcome } from '../destination.js';
import { DestinationStopped } from '../destination-stopped.js';
import { mapBulkResults, type BulkRow } from './salesforce-bulk-results.js';
import type { TargetContext } from './salesforce-context.js';
import { openJob } from './salesforce-leftover-jobs.js';
import { csvCell } from './salesforce-values.js';

/** Waits between job state checks: short first (small jobs finish in seconds), then at most 10 s. */
const POLL_WAITS_MS: readonly number[] = [300, 600, 1_200, 2_500, 5_000, 10_000];
/** A job not finished after this long is abandoned (aborted) and the batch retried as a new job. */
export const BULK_POLL_TIMEOUT_MS = 10 * 60_000;

export type BulkOperation = 'upsert' | 'update' | 'insert' | 'delete';

export interface BulkJob {
  readonly object: string;
  readonly operation: BulkOperation;
  /** Upsert only: the external id (or idLookup) field. */
  readonly externalIdFieldName?: string;
  /** The column that identifies rows in the results, and how its values compare (a match key or an id). */
  readonly matchColumn: string;
  readonly matchBy: 'key' | 'id';
  /** Per-record error codes that mean "the record is gone" (RecordResult `notFound`). */
  readonly notFoundCodes?: ReadonlySet<string>;
  readonly rows: readonly BulkRow[];
}

type Job = IngestJobV2<Schema>;

/**
 * One Bulk API 2.0 ingest job (docs/crm/salesforce.md#bulk-api-20) for one batch: create, upload the CSV once, close, poll
 * until it finishes, then read successful, failed and unprocessed rows and map them back to the
 * batch by match column. The job lifecycle is driven step by step rather than through jsforce's
 * `loadAndWaitForResults`, which deletes the job on any failure, timeouts included (the job may
 * still finish, and its results are lost). Writes (create, upload, close) are sent once; reads
 * (state, results) are retried. A job cdp gives up on is aborted, never deleted.
 */
export async function runBulkJob(ctx: TargetContext, spec: BulkJob): Promise<BatchOutcome> {
  const columns = bulkColumns(spec);
  const csv = stringify([columns, ...spec.rows.map((row) => columns.map((c) => (c in row.cells ? csvCell(row.cells[c]) : '')))]);
  let job: Job | undefined;
  try {
    job = await openJob(() => ctx.send(async (conn) => {
      const created = conn.bulk2.createJob({
        object: spec.object,
        operation: spec.operation,
        ...(spec.externalIdFieldName !== undefined ? { externalIdFieldName: spec.externalIdFieldName } : {}),
        contentType: 'CSV',
        lineEnding: 'LF',
        columnDelimiter: 'COMMA',
      });
      await created.open();
      return created;
    }));
    const opened = job;
    await ctx.send(() => opened.uploadData(csv));
    await ctx.send(() => opened.close());
  } catch (e) {
    const failure = ctx.classify(e);
    if (job && failure.kind !== 'stop') await abort(ctx, job);
    return { ok: false, failure };
  }
  const finished = await poll(ctx, job);
  if (!finished.ok) return finished.outcome;
  try {
    const opened = job;
    const [successful, failed, unprocessed] = await Promise.all([
      ctx.read(() => opened.getSuccessfulResults()),
      ctx.read(() => opened.getFailedResults()),
      ctx.read(() => opened.getUnprocessedRecords()),
    ]);
    const rows = (list: unknown): readonly Readonly<Record<string, unknown>>[] => (Array.isArray(list) ? (list as Readonly<Record<string, unknown>>[]) : []);
    const results = mapBulkResults(spec, { successful: rows(successful), failed: rows(failed), unprocessed: rows(unprocessed) }, ctx.scrub);
    const reported = rows(successful).length + rows(failed).length;
    if (finished.state === 'Failed' && reported === 0 && /^InvalidBatch/i.test(finished.errorMessage)) {
      return { ok: false, failure: { kind: 'stop', code: 'bulk-job-failed', message: ctx.scrub(`Salesforce Bulk API job ${job.id} (${spec.operation} ${spec.object}) failed: ${finished.errorMessage}`), hint: `check the mapped fields against ${spec.object} in Setup` } };
    }
    return { ok: true, results };
  } catch (e) {
    return { ok: false, failure: e instanceof DestinationStopped ? e.failure : ctx.classify(e) };
  }
}

/** The CSV header: the match column first, then every field any row sets (an empty cell means "no change"). */
function bulkColumns(spec: BulkJob): string[] {
  const columns = new Set<string>([spec.matchColumn]);
  for (const row of spec.rows) for (const name of Object.keys(row.cells)) columns.add(name);
  return [...columns];
}

type Polled =
  | { readonly ok: true; readonly state: 'JobComplete' | 'Failed' | 'Aborted'; readonly errorMessage: string }
  | { readonly ok: false; readonly outcome: BatchOutcome };

async function poll(ctx: TargetContext, job: Job): Promise<Polled> {
  const deadline = Date.now() + BULK_POLL_TIMEOUT_MS;
  for (let n = 0; Date.now() < deadline; n++) {
    await sleep(POLL_WAITS_MS[Math.min(n, POLL_WAITS_MS.length - 1)]);
    let info: Awaited<ReturnType<Job['check']>>;
    try {
      info = await ctx.read(() => job.check());
    } catch (e) {
      const failure = e instanceof DestinationStopped ? e.failure : ctx.classify(e);
      if (failure.kind !== 'stop' || failure.code !== 'rate-limit-daily') await abort(ctx, job);
      return { ok: false, outcome: { ok: false, failure } };
    }
    if (info.state === 'JobComplete' || info.state === 'Failed' || info.state === 'Aborted') return { ok: true, state: info.state, errorMessage: info.errorMessage ?? '' };
  }
  await abort(ctx, job);
  const minutes = Math.round(BULK_POLL_TIMEOUT_MS / 60_000);
  return { ok: false, outcome: { ok: false, failure: { kind: 'retry', code: 'bulk-timeout', message: `Salesforce Bulk API job ${job.id} did not finish within ${minutes} minutes; it was aborted and its records are sent again` } } };
}

/** Best effort: a job cdp abandons should not run on (its unprocessed records are sent again anyway). */
async function abort(ctx: TargetContext, job: Job): Promise<void> {
  await ctx.send(() => job.abort()).catch(() => undefined);
}
