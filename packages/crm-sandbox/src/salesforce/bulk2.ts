import { stringify } from 'csv-stringify/sync';
import { emptyReply, jsonReply, type HttpReply } from '../http/http-reply.js';
import { parseJobCsv } from './bulk2-processor.js';
import { BULK2_OPERATIONS, COLUMN_DELIMITERS, isColumnDelimiter, type IngestJob, type LineEnding } from './bulk2-types.js';
import { isRecord, jsonBody, type RouteContext, type RouteDefinition } from './route-context.js';
import { apiError, fail } from './salesforce-errors.js';

/** Bulk API 2.0 upload cap: 150 MB after base64, about 100 MB of raw CSV (docs/crm/salesforce.md#bulk-api-20). */
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
const CSV = 'text/csv';

function jobInfo(job: IngestJob): Record<string, unknown> {
  return {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: job.createdDate,
    systemModstamp: job.systemModstamp,
    state: job.state,
    ...(job.operation === 'upsert' ? { externalIdFieldName: job.externalIdFieldName } : {}),
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: job.apiVersion,
    contentUrl: `services/data/v${job.apiVersion.toFixed(1)}/jobs/ingest/${job.id}/batches`,
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
  };
}

function fullJobInfo(job: IngestJob): Record<string, unknown> {
  const processed = job.results ? job.results.successful.length + job.results.failed.length : 0;
  return {
    ...jobInfo(job),
    jobType: 'V2Ingest',
    numberRecordsProcessed: processed,
    numberRecordsFailed: job.results?.failed.length ?? 0,
    retries: 0,
    totalProcessingTime: job.totalProcessingTime,
    apiActiveProcessingTime: job.totalProcessingTime,
    apexProcessingTime: 0,
    ...(job.errorMessage !== undefined ? { errorMessage: job.errorMessage } : {}),
  };
}

function jobParam(ctx: RouteContext): IngestJob {
  return ctx.env.jobs.get(ctx.params.jobId ?? '') ?? fail(404, 'NOT_FOUND', 'The requested resource does not exist');
}

/** Error texts for job creation follow Bulk API 1.0's (UNCONFIRMED for 2.0). */
function createJob(ctx: RouteContext): HttpReply {
  const body = jsonBody(ctx);
  if (!isRecord(body)) return apiError(400, 'INVALIDJOB', 'InvalidJob : The request body must be a JSON object');
  const objectName = typeof body.object === 'string' ? body.object : '';
  const schema = ctx.env.registry.get(objectName);
  if (!schema) return apiError(400, 'INVALIDENTITY', `Entity '${objectName}' is not supported by the Bulk API.`);
  const operation = BULK2_OPERATIONS.find((o) => o === body.operation);
  if (!operation) return apiError(400, 'INVALIDJOB', `InvalidJob : Invalid operation: ${String(body.operation)}`);
  if (!schema.writable) return apiError(400, 'INVALIDJOB', `InvalidJob : Entity type ${schema.name} does not support ${operation}`);
  let externalIdFieldName: string | undefined;
  if (operation === 'upsert') {
    const name = typeof body.externalIdFieldName === 'string' ? body.externalIdFieldName : '';
    if (name === '') return apiError(400, 'INVALIDJOB', `InvalidJob : External ID was blank for ${schema.name}. An External ID must be specified for upsert.`);
    const key = schema.upsertKey(name);
    if (!key) return apiError(400, 'INVALIDJOB', `InvalidJob : Field name provided, ${name} is not an External ID or indexed field for ${schema.name}`);
    externalIdFieldName = key.name;
  }
  if (body.contentType !== undefined && body.contentType !== 'CSV') return apiError(400, 'INVALIDJOB', `InvalidJob : Invalid content type: ${String(body.contentType)}`);
  const lineEnding: LineEnding | undefined = body.lineEnding === undefined ? 'LF' : body.lineEnding === 'LF' || body.lineEnding === 'CRLF' ? body.lineEnding : undefined;
  if (!lineEnding) return apiError(400, 'INVALIDJOB', `InvalidJob : Invalid line ending: ${String(body.lineEnding)}`);
  const delimiterName = body.columnDelimiter === undefined ? 'COMMA' : String(body.columnDelimiter);
  if (!isColumnDelimiter(delimiterName)) return apiError(400, 'INVALIDJOB', `InvalidJob : Invalid column delimiter: ${delimiterName}`);
  const job = ctx.env.jobs.create({
    object: schema.name,
    operation,
    ...(externalIdFieldName ? { externalIdFieldName } : {}),
    lineEnding,
    columnDelimiter: delimiterName,
    userId: ctx.session.user.id,
    apiVersion: Number(ctx.version),
  });
  ctx.env.stats.bulkJob('created');
  // UNCONFIRMED: 200 or 201; jsforce accepts any 2xx.
  return jsonReply(200, jobInfo(job));
}

function upload(ctx: RouteContext): HttpReply {
  const job = jobParam(ctx);
  const type = String(ctx.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== CSV) return apiError(415, 'UNSUPPORTED_MEDIA_TYPE', `MediaType of '${type}' is not supported by this resource`);
  if (job.csv !== undefined) {
    return apiError(400, 'BULK_API_ERROR', `Found multiple contents for job: <${job.id}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.`);
  }
  // UNCONFIRMED wording.
  if (job.state !== 'Open') return apiError(400, 'INVALIDJOBSTATE', `Job ${job.id} is not in the Open state; data can only be uploaded to an Open job`);
  if (Buffer.byteLength(ctx.bodyText) > MAX_UPLOAD_BYTES) return apiError(400, 'BULK_API_ERROR', 'The uploaded data exceeds the 150 MB (base64-encoded) limit per job');
  job.csv = ctx.bodyText;
  const lines = ctx.bodyText.split('\n').filter((l) => l.trim() !== '').length - 1;
  ctx.noteRecords(Math.max(0, lines));
  ctx.env.usage.noteBulkBatches(Math.max(1, Math.ceil(lines / 10000)));
  return { status: 201, contentType: 'text/plain', body: '' };
}

function changeState(ctx: RouteContext): HttpReply {
  const job = jobParam(ctx);
  const body = jsonBody(ctx);
  const state = isRecord(body) ? body.state : undefined;
  if (state === 'UploadComplete' && job.state === 'Open') {
    ctx.env.jobs.close(job, ctx.session.user.id);
    return jsonReply(200, jobInfo(job));
  }
  if (state === 'Aborted' && ['Open', 'UploadComplete', 'InProgress'].includes(job.state)) {
    ctx.env.jobs.abort(job);
    ctx.env.stats.bulkJob('aborted');
    return jsonReply(200, jobInfo(job));
  }
  // UNCONFIRMED wording.
  return apiError(400, 'INVALIDJOBSTATE', `Cannot change the state of job ${job.id} from ${job.state} to ${String(state)}`);
}

function deleteJob(ctx: RouteContext): HttpReply {
  const job = jobParam(ctx);
  // Salesforce: only UploadComplete, JobComplete, Aborted or Failed jobs can be deleted (wording UNCONFIRMED).
  if (job.state === 'Open' || job.state === 'InProgress') return apiError(400, 'INVALIDJOBSTATE', `Job ${job.id} in state ${job.state} cannot be deleted`);
  ctx.env.jobs.delete(job);
  return emptyReply(204);
}

type ResultKind = 'successful' | 'failed' | 'unprocessed';

/** Result CSVs: every value quoted (jsforce splits on any Bulk delimiter when parsing). */
function results(kind: ResultKind): (ctx: RouteContext) => HttpReply {
  return (ctx) => {
    const job = jobParam(ctx);
    const delimiter = COLUMN_DELIMITERS[job.columnDelimiter];
    const csv = (rows: readonly (readonly string[])[]): HttpReply => ({ status: 200, contentType: CSV, body: stringify(rows.map((r) => [...r]), { quoted: true, delimiter }) });
    if (job.results) {
      const { header, successful, failed, unprocessed } = job.results;
      if (kind === 'successful') return csv([['sf__Id', 'sf__Created', ...header], ...successful.map((r) => [r.id, String(r.created), ...r.cells])]);
      if (kind === 'failed') return csv([['sf__Id', 'sf__Error', ...header], ...failed.map((r) => [r.id, r.error, ...r.cells])]);
      return csv([[...header], ...unprocessed]);
    }
    if (kind === 'unprocessed' && job.state === 'Aborted' && job.csv !== undefined) {
      try {
        return csv(parseJobCsv(job));
      } catch {
        return { status: 200, contentType: CSV, body: '' };
      }
    }
    return { status: 200, contentType: CSV, body: '' };
  };
}

/** Jobs per page of `GET /jobs/ingest` (docs/crm/salesforce.md#bulk-api-20). */
export const JOBS_PAGE_SIZE = 1000;

/**
 * `GET /jobs/ingest`: every ingest job of the org, oldest first, `JOBS_PAGE_SIZE` per page, as
 * `{done, records: JobInfo + jobType, nextRecordsUrl}`; `?jobType=` filters (only `V2Ingest` jobs exist here),
 * `?queryLocator=` is the next page (the locator's form is the sandbox's own).
 */
function listJobs(ctx: RouteContext): HttpReply {
  const jobType = ctx.query.get('jobType');
  const all = jobType !== null && jobType !== 'V2Ingest' ? [] : ctx.env.jobs.all();
  const locator = ctx.query.get('queryLocator');
  const start = locator === null ? 0 : Number(/-(\d+)$/.exec(locator)?.[1] ?? Number.NaN);
  if (!Number.isInteger(start) || start < 0) return apiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
  const page = all.slice(start, start + JOBS_PAGE_SIZE);
  const next = start + JOBS_PAGE_SIZE;
  const done = next >= all.length;
  const more = new URLSearchParams({ ...(jobType !== null ? { jobType } : {}), queryLocator: `01g${ctx.env.orgId.slice(3, 15)}-${next}` });
  return jsonReply(200, { done, records: page.map((job) => ({ ...jobInfo(job), jobType: 'V2Ingest' })), nextRecordsUrl: done ? null : `${ctx.versionPath}/jobs/ingest?${more.toString()}` });
}

export const BULK2_ROUTES: readonly (readonly [string, string, RouteDefinition])[] = [
  ['POST', '/jobs/ingest', { writes: true, handler: createJob }],
  ['GET', '/jobs/ingest', { writes: false, handler: listJobs }],
  ['GET', '/jobs/ingest/{jobId}', { writes: false, handler: (ctx) => jsonReply(200, fullJobInfo(jobParam(ctx))) }],
  ['PATCH', '/jobs/ingest/{jobId}', { writes: true, handler: changeState }],
  ['DELETE', '/jobs/ingest/{jobId}', { writes: true, handler: deleteJob }],
  ['PUT', '/jobs/ingest/{jobId}/batches', { writes: true, handler: upload }],
  ['GET', '/jobs/ingest/{jobId}/successfulResults', { writes: false, handler: results('successful') }],
  ['GET', '/jobs/ingest/{jobId}/failedResults', { writes: false, handler: results('failed') }],
  ['GET', '/jobs/ingest/{jobId}/unprocessedrecords', { writes: false, handler: results('unprocessed') }],
];
