import { emptyReply, jsonReply, type HttpReply } from '../http/http-reply.js';
import { errorReply, failValidation } from './hubspot-errors.js';
import { propertyValues, queryBoolean, queryList, requireAttributes, requireObject } from './hubspot-json-input.js';
import { recordReadJson, recordWriteJson } from './hubspot-record-json.js';
import { planCreate, planUpdate, requireIdProperty, UniqueClaims, type WritePlan } from './hubspot-record-writes.js';
import { lookupRecord, valueContext } from './hubspot-routes-batch.js';
import { objectTypeParam, type RouteContext, type RouteDefinition } from './hubspot-route-context.js';

export const MAX_PAGE_LIMIT = 100;

/** `/crm/v3/objects/{objectType}[/{objectId}]` (docs/crm/hubspot.md#client-library basicApi). */
export const basicRoutes: readonly RouteDefinition[] = [
  { method: 'POST', template: '/crm/v3/objects/{objectType}', writes: true, handler: create },
  { method: 'POST', template: '/crm/v3/objects/{objectType}/merge', writes: true, handler: merge },
  { method: 'GET', template: '/crm/v3/objects/{objectType}', writes: false, handler: getPage },
  { method: 'GET', template: '/crm/v3/objects/{objectType}/{objectId}', writes: false, handler: getById },
  { method: 'PATCH', template: '/crm/v3/objects/{objectType}/{objectId}', writes: true, handler: update },
  { method: 'DELETE', template: '/crm/v3/objects/{objectType}/{objectId}', writes: true, handler: archive },
];

// UNCONFIRMED: the body of a 404 for an unknown record.
function notFound(): HttpReply {
  return errorReply(404, 'OBJECT_NOT_FOUND', 'resource not found');
}

function single(ctx: RouteContext, plan: WritePlan, status: 200 | 201): HttpReply {
  switch (plan.kind) {
    case 'fail':
      return errorReply(plan.status, plan.category, plan.message, plan.context ? { context: plan.context } : {});
    case 'missing':
      return notFound();
    case 'create': {
      const record = ctx.store.createRecord(objectTypeParam(ctx), plan.values);
      return jsonReply(status, recordWriteJson(record, plan.values));
    }
    case 'update':
      return jsonReply(status, recordWriteJson(ctx.store.updateRecord(plan.record, plan.values), plan.values));
  }
}

function create(ctx: RouteContext): HttpReply {
  const type = objectTypeParam(ctx);
  const body = requireObject(ctx.body, 'SimplePublicObjectInputForCreate');
  requireAttributes(body, 'SimplePublicObjectInputForCreate', ['properties']);
  return single(ctx, planCreate(valueContext(ctx, type), propertyValues(body.properties), new UniqueClaims(), 'new#0'), 201);
}

function idPropertyOf(ctx: RouteContext): string | undefined {
  const idProperty = ctx.query.get('idProperty') ?? undefined;
  if (idProperty !== undefined) requireIdProperty(valueContext(ctx, objectTypeParam(ctx)), idProperty);
  return idProperty;
}

function getById(ctx: RouteContext): HttpReply {
  const type = objectTypeParam(ctx);
  const idProperty = idPropertyOf(ctx);
  const record = lookupRecord(ctx.store, type, ctx.params.objectId ?? '', idProperty, queryBoolean(ctx.query, 'archived'));
  if (!record) return notFound();
  return jsonReply(200, recordReadJson(ctx.store, record, { properties: queryList(ctx.query, 'properties'), propertiesWithHistory: queryList(ctx.query, 'propertiesWithHistory') }));
}

function update(ctx: RouteContext): HttpReply {
  const type = objectTypeParam(ctx);
  const idProperty = idPropertyOf(ctx);
  const body = requireObject(ctx.body, 'SimplePublicObjectInput');
  requireAttributes(body, 'SimplePublicObjectInput', ['properties']);
  const record = lookupRecord(ctx.store, type, ctx.params.objectId ?? '', idProperty);
  if (!record) return notFound();
  return single(ctx, planUpdate(valueContext(ctx, type), record, propertyValues(body.properties), new UniqueClaims()), 200);
}

/** DELETE answers 204 also for an unknown id (docs/crm/hubspot.md#batch-writes). */
function archive(ctx: RouteContext): HttpReply {
  ctx.store.archiveRecord(objectTypeParam(ctx), ctx.params.objectId ?? '');
  return emptyReply(204);
}

/** Pages in id order; `after` is the last id of the previous page (opaque to clients). */
function getPage(ctx: RouteContext): HttpReply {
  const type = objectTypeParam(ctx);
  const limit = Number(ctx.query.get('limit') ?? '10');
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    failValidation(`limit must be an integer between 1 and ${MAX_PAGE_LIMIT}`);
  }
  const after = ctx.query.get('after');
  const afterId = after !== null && /^\d+$/.test(after) ? Number(after) : 0;
  const candidates = ctx.store.allRecords(type, queryBoolean(ctx.query, 'archived')).filter((r) => Number(r.id) > afterId);
  const page = candidates.slice(0, limit);
  const shape = { properties: queryList(ctx.query, 'properties'), propertiesWithHistory: queryList(ctx.query, 'propertiesWithHistory') };
  const next = candidates.length > limit ? page[page.length - 1].id : undefined;
  return jsonReply(200, {
    results: page.map((r) => recordReadJson(ctx.store, r, shape)),
    ...(next !== undefined ? { paging: { next: { after: next, link: `${ctx.baseUrl}/crm/v3/objects/${type.path}?after=${next}` } } } : {}),
  });
}

/**
 * `POST /crm/v3/objects/{objectType}/merge` `{primaryObjectId, objectIdToMerge}` → 200 with the merged
 * record, which has a NEW id (spec: merges). The error body for unknown ids is UNCONFIRMED.
 */
function merge(ctx: RouteContext): HttpReply {
  const type = objectTypeParam(ctx);
  const body = requireObject(ctx.body, 'PublicMergeInput');
  requireAttributes(body, 'PublicMergeInput', ['primaryObjectId', 'objectIdToMerge']);
  const merged = ctx.store.mergeRecords(type, String(body.primaryObjectId), String(body.objectIdToMerge));
  if (!merged) return errorReply(400, 'VALIDATION_ERROR', `Could not merge ${String(body.objectIdToMerge)} into ${String(body.primaryObjectId)}: both must be live, distinct records`);
  return jsonReply(200, recordReadJson(ctx.store, merged, { properties: [] }));
}
