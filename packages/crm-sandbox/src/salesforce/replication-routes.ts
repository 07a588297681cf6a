import { jsonReply, type HttpReply } from '../http/http-reply.js';
import { formatDateTime } from './field-values.js';
import { sobjectParam, type RouteContext } from './route-context.js';
import { fail } from './salesforce-errors.js';

/**
 * The replication resources, getDeleted and getUpdated (spec part C): records of one sObject deleted,
 * or created/updated, between `start` and `end`, judged by `SystemModstamp` (a deletion stamps it).
 * Both times are truncated to the minute, as Salesforce does. getDeleted covers at most the last 15
 * days (confirmed); getUpdated 30 (UNCONFIRMED). A start outside the window is refused with
 * `INVALID_REPLICATION_DATE` (UNCONFIRMED: the code is from secondary sources).
 */
const DAY_MS = 86_400_000;

function window(ctx: RouteContext, days: number): { start: number; end: number; earliest: number } {
  const start = minute(ctx.query.get('start'), 'start');
  const end = minute(ctx.query.get('end'), 'end');
  if (end < start) fail(400, 'INVALID_REPLICATION_DATE', 'end date cannot be before the start date');
  const earliest = Math.floor((Date.now() - days * DAY_MS) / 60_000) * 60_000;
  if (start < earliest) fail(400, 'INVALID_REPLICATION_DATE', `startDate cannot be more than ${days} days ago`);
  return { start, end, earliest };
}

function minute(raw: string | null, name: string): number {
  const ms = raw === null ? Number.NaN : Date.parse(raw);
  if (!Number.isFinite(ms)) fail(400, 'MALFORMED_QUERY', `${name} is required and must be an ISO 8601 date-time`);
  return Math.floor(ms / 60_000) * 60_000;
}

function stampOf(values: Readonly<Record<string, unknown>>): number {
  return Date.parse(String(values.SystemModstamp ?? ''));
}

function deleted(ctx: RouteContext): HttpReply {
  const schema = sobjectParam(ctx);
  const { start, end, earliest } = window(ctx, 15);
  const deletedRecords = ctx.env.store
    .list(schema.name, true)
    .filter((r) => r.deleted)
    .map((r) => ({ id: r.id, at: stampOf(r.values) }))
    .filter((r) => r.at >= start && r.at < end)
    .map((r) => ({ id: r.id, deletedDate: formatDateTime(new Date(r.at)) }));
  return jsonReply(200, { deletedRecords, earliestDateAvailable: formatDateTime(new Date(earliest)), latestDateCovered: formatDateTime(new Date(end)) });
}

function updated(ctx: RouteContext): HttpReply {
  const schema = sobjectParam(ctx);
  const { start, end } = window(ctx, 30);
  const ids = ctx.env.store
    .list(schema.name)
    .filter((r) => {
      const at = stampOf(r.values);
      return at >= start && at < end;
    })
    .map((r) => r.id);
  return jsonReply(200, { ids, latestDateCovered: formatDateTime(new Date(end)) });
}

export const REPLICATION_ROUTES = [
  ['GET', '/sobjects/{sobject}/deleted', { writes: false, handler: deleted }],
  ['GET', '/sobjects/{sobject}/updated', { writes: false, handler: updated }],
] as const;
