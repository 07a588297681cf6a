import { jsonReply, type HttpReply } from '../http/http-reply.js';
import type { RouteContext, RouteDefinition } from './route-context.js';
import { apiError } from './salesforce-errors.js';
import { KEY_PREFIXES } from './salesforce-ids.js';
import { runSoql, type QueryRecord } from './soql-executor.js';
import { formatSoqlError, parseSoql } from './soql.js';

const MAX_PAGE = 2000;
const MIN_PAGE = 200;

/**
 * `Sforce-Query-Options: batchSize=N`: 200–2000, default 2000. Out-of-range values are clamped
 * (UNCONFIRMED; Salesforce documents the size as a hint it may not honour).
 */
function pageSize(ctx: RouteContext, fallback = MAX_PAGE): number {
  const header = ctx.headers['sforce-query-options'];
  const m = /batchSize\s*=\s*(\d+)/i.exec(Array.isArray(header) ? header.join(',') : header ?? '');
  return m ? Math.min(MAX_PAGE, Math.max(MIN_PAGE, Number(m[1]))) : fallback;
}

function page(ctx: RouteContext, cursorId: string, records: readonly QueryRecord[], offset: number, size: number): HttpReply {
  const end = offset + size;
  const done = end >= records.length;
  return jsonReply(200, {
    totalSize: records.length,
    done,
    ...(done ? {} : { nextRecordsUrl: `${ctx.versionPath}/query/${cursorId}-${end}` }),
    records: records.slice(offset, end),
  });
}

function runQuery(ctx: RouteContext, includeDeleted: boolean): HttpReply {
  const soql = ctx.query.get('q');
  if (soql === null || soql.trim() === '') return apiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
  const parsed = parseSoql(soql);
  if (!parsed.ok) return apiError(400, parsed.error.errorCode, formatSoqlError(soql, parsed.error));
  const outcome = runSoql(parsed.query, ctx.env.registry, ctx.env.store, { includeDeleted, versionPath: ctx.versionPath });
  if (!outcome.ok) return apiError(400, outcome.error.errorCode, formatSoqlError(soql, outcome.error));
  if (parsed.query.select.kind === 'count') return jsonReply(200, { totalSize: outcome.totalSize, done: true, records: [] });
  const size = pageSize(ctx);
  if (outcome.records.length <= size) return jsonReply(200, { totalSize: outcome.totalSize, done: true, records: outcome.records });
  const cursorId = ctx.env.ids.next(KEY_PREFIXES.QueryLocator);
  ctx.env.cursors.open(cursorId, ctx.session.user.id, outcome.records, size);
  return page(ctx, cursorId, outcome.records, 0, size);
}

/** `GET /query/{locator}`: locator = `<cursor id>-<offset of the next record>`, no `/` inside. */
function queryMore(ctx: RouteContext): HttpReply {
  const m = /^(01g[A-Za-z0-9]{15})-(\d+)$/.exec(ctx.params.locator ?? '');
  const cursor = m ? ctx.env.cursors.get(m[1]) : undefined;
  // UNCONFIRMED wording for a stale / unknown locator.
  if (!m || !cursor || Number(m[2]) > cursor.records.length) return apiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
  return page(ctx, m[1], cursor.records, Number(m[2]), pageSize(ctx, cursor.pageSize));
}

export const QUERY_ROUTES: readonly (readonly [string, string, RouteDefinition])[] = [
  ['GET', '/query', { writes: false, handler: (ctx) => runQuery(ctx, false) }],
  ['GET', '/queryAll', { writes: false, handler: (ctx) => runQuery(ctx, true) }],
  ['GET', '/query/{locator}', { writes: false, handler: queryMore }],
  ['GET', '/queryAll/{locator}', { writes: false, handler: queryMore }],
];
