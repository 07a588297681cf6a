import { emptyReply } from '../http/http-reply.js';
import { failValidation } from './hubspot-errors.js';
import {
  optionalString,
  propertyValues,
  queryBoolean,
  requireArray,
  requireAttributes,
  requireObject,
  scalarString,
  stringArray,
} from './hubspot-json-input.js';
import type { HubSpotObjectType } from './hubspot-object-types.js';
import type { ValueContext } from './hubspot-property-values.js';
import { recordReadJson } from './hubspot-record-json.js';
import {
  applyBatch,
  batchResponse,
  everyInputTraced,
  notFoundItem,
  planCreate,
  planUpdate,
  requireIdProperty,
  UniqueClaims,
  type WritePlan,
} from './hubspot-record-writes.js';
import { objectTypeParam, type RouteContext, type RouteDefinition } from './hubspot-route-context.js';
import type { HubSpotStore, StoredRecord } from './hubspot-store.js';

export const MAX_BATCH_INPUTS = 100;
export const MAX_HISTORY_BATCH_INPUTS = 50;

/** `/crm/v3/objects/{objectType}/batch/*` (docs/crm/hubspot.md#batch-writes). */
export const batchRoutes: readonly RouteDefinition[] = [
  { method: 'POST', template: '/crm/v3/objects/{objectType}/batch/create', writes: true, handler: batchCreate },
  { method: 'POST', template: '/crm/v3/objects/{objectType}/batch/update', writes: true, handler: batchUpdate },
  { method: 'POST', template: '/crm/v3/objects/{objectType}/batch/upsert', writes: true, handler: batchUpsert },
  { method: 'POST', template: '/crm/v3/objects/{objectType}/batch/read', writes: false, handler: batchRead },
  { method: 'POST', template: '/crm/v3/objects/{objectType}/batch/archive', writes: true, handler: batchArchive },
];

export function valueContext(ctx: RouteContext, type: HubSpotObjectType): ValueContext {
  return { store: ctx.store, type, portalId: ctx.portalId, faults: ctx.faults };
}

function batchInputs(ctx: RouteContext, modelName: string): readonly unknown[] {
  const body = requireObject(ctx.body, modelName);
  requireAttributes(body, modelName, ['inputs']);
  const inputs = requireArray(body.inputs, 'input');
  ctx.noteBatchSize(inputs.length);
  if (inputs.length > MAX_BATCH_INPUTS) {
    // UNCONFIRMED: the exact body; worded like HubSpot's observed 50-input propertiesWithHistory error.
    failValidation(`The maximum number of inputs supported in a batch request is ${MAX_BATCH_INPUTS}. Please reduce the number of items and try again`);
  }
  return inputs;
}

/**
 * 400 for the whole batch when an id appears twice (docs/crm/hubspot.md#batch-writes), listing each repeated id once, as
 * compared (emails lower-cased).
 */
export function rejectDuplicateIds(inputs: readonly { readonly id: string; readonly idProperty: string | undefined }[]): void {
  const seen = new Set<string>();
  const reported = new Set<string>();
  const duplicates: string[] = [];
  for (const { id, idProperty } of inputs) {
    const shown = idProperty === 'email' ? id.trim().toLowerCase() : id;
    const key = `${idProperty ?? ''}:${shown}`;
    if (seen.has(key) && !reported.has(key)) {
      reported.add(key);
      duplicates.push(shown);
    }
    seen.add(key);
  }
  if (duplicates.length > 0) {
    failValidation(`Duplicate IDs found in batch input: [${duplicates.join(', ')}]. IDs must be unique`, { context: { ids: duplicates } });
  }
}

/** Finds a record by id, or by a unique property when `idProperty` is given. */
export function lookupRecord(store: HubSpotStore, type: HubSpotObjectType, id: string, idProperty: string | undefined, archived = false): StoredRecord | undefined {
  if (idProperty === undefined) return store.getRecord(type, id, archived);
  if (!archived) return store.findByProperty(type, idProperty, idProperty === 'email' ? id.trim() : id);
  const wanted = idProperty === 'email' ? id.trim().toLowerCase() : id;
  return store.allRecords(type, true).find((r) => {
    const value = r.properties.get(idProperty);
    return value !== undefined && (idProperty === 'email' ? value.toLowerCase() : value) === wanted;
  });
}

function batchCreate(ctx: RouteContext) {
  const type = objectTypeParam(ctx);
  const startedAt = ctx.store.timestamp();
  const values = valueContext(ctx, type);
  const inputs = batchInputs(ctx, 'BatchInputSimplePublicObjectInputForCreate').map((raw) => {
    const input = requireObject(raw, 'SimplePublicObjectInputForCreate');
    requireAttributes(input, 'SimplePublicObjectInputForCreate', ['properties']);
    // Associations are accepted and ignored (not emulated).
    return { properties: propertyValues(input.properties), traceId: optionalString(input.objectWriteTraceId, 'objectWriteTraceId') };
  });
  const claims = new UniqueClaims();
  const plans = inputs.map((input, i) => planCreate(values, input.properties, claims, `new#${i}`, input.traceId));
  return applyBatch(values, plans, { successStatus: 201, upsert: false, traced: everyInputTraced(inputs.map((i) => i.traceId)), startedAt });
}

function batchUpdate(ctx: RouteContext) {
  const type = objectTypeParam(ctx);
  const startedAt = ctx.store.timestamp();
  const values = valueContext(ctx, type);
  const inputs = batchInputs(ctx, 'BatchInputSimplePublicObjectBatchInput').map((raw) => {
    const input = requireObject(raw, 'SimplePublicObjectBatchInput');
    requireAttributes(input, 'SimplePublicObjectBatchInput', ['id', 'properties']);
    return {
      id: scalarString(input.id, 'id'),
      idProperty: optionalString(input.idProperty, 'idProperty'),
      properties: propertyValues(input.properties),
      traceId: optionalString(input.objectWriteTraceId, 'objectWriteTraceId'),
    };
  });
  for (const idProperty of new Set(inputs.map((i) => i.idProperty))) if (idProperty !== undefined) requireIdProperty(values, idProperty);
  rejectDuplicateIds(inputs);
  const claims = new UniqueClaims();
  const plans = inputs.map((input): WritePlan => {
    const record = lookupRecord(ctx.store, type, input.id, input.idProperty);
    return record ? planUpdate(values, record, input.properties, claims, input.traceId) : { kind: 'missing', id: input.id };
  });
  // UNCONFIRMED: unknown ids do not fail the batch; they come back as one OBJECT_NOT_FOUND error in a 207.
  return applyBatch(values, plans, { successStatus: 200, upsert: false, traced: everyInputTraced(inputs.map((i) => i.traceId)), startedAt });
}

function batchUpsert(ctx: RouteContext) {
  const type = objectTypeParam(ctx);
  const startedAt = ctx.store.timestamp();
  const values = valueContext(ctx, type);
  const inputs = batchInputs(ctx, 'BatchInputSimplePublicObjectBatchInputUpsert').map((raw) => {
    const input = requireObject(raw, 'SimplePublicObjectBatchInputUpsert');
    requireAttributes(input, 'SimplePublicObjectBatchInputUpsert', ['id', 'idProperty', 'properties']);
    return {
      id: scalarString(input.id, 'id'),
      idProperty: scalarString(input.idProperty, 'idProperty'),
      properties: propertyValues(input.properties),
      traceId: optionalString(input.objectWriteTraceId, 'objectWriteTraceId'),
    };
  });
  for (const idProperty of new Set(inputs.map((i) => i.idProperty))) requireIdProperty(values, idProperty);
  rejectDuplicateIds(inputs);
  const claims = new UniqueClaims();
  const plans = inputs.map((input, i) => {
    const record = lookupRecord(ctx.store, type, input.id, input.idProperty);
    if (record) return planUpdate(values, record, input.properties, claims, input.traceId);
    // UNCONFIRMED: a new record gets properties[idProperty] = id, overriding a different value in properties.
    const withKey = new Map(input.properties);
    withKey.set(input.idProperty, input.id);
    return planCreate(values, withKey, claims, `new#${i}`, input.traceId);
  });
  return applyBatch(values, plans, { successStatus: 200, upsert: true, traced: everyInputTraced(inputs.map((i) => i.traceId)), startedAt });
}

function batchRead(ctx: RouteContext) {
  const type = objectTypeParam(ctx);
  const startedAt = ctx.store.timestamp();
  const body = requireObject(ctx.body, 'BatchReadInputSimplePublicObjectId');
  requireAttributes(body, 'BatchReadInputSimplePublicObjectId', ['inputs']);
  const properties = stringArray(body.properties, 'properties');
  const propertiesWithHistory = stringArray(body.propertiesWithHistory, 'propertiesWithHistory');
  const idProperty = optionalString(body.idProperty, 'idProperty');
  const inputs = batchInputs(ctx, 'BatchReadInputSimplePublicObjectId').map((raw) => {
    const input = requireObject(raw, 'SimplePublicObjectId');
    requireAttributes(input, 'SimplePublicObjectId', ['id']);
    return scalarString(input.id, 'id');
  });
  if (propertiesWithHistory.length > 0 && inputs.length > MAX_HISTORY_BATCH_INPUTS) {
    failValidation(`The maximum number of inputs supported in a batch request for property histories is ${MAX_HISTORY_BATCH_INPUTS}. Please reduce the number of items and try again`);
  }
  if (idProperty !== undefined) requireIdProperty(valueContext(ctx, type), idProperty);
  rejectDuplicateIds(inputs.map((id) => ({ id, idProperty })));
  const archived = queryBoolean(ctx.query, 'archived');
  const results: Record<string, unknown>[] = [];
  const missing: string[] = [];
  for (const id of inputs) {
    const record = lookupRecord(ctx.store, type, id, idProperty, archived);
    if (record) results.push(recordReadJson(ctx.store, record, { properties, propertiesWithHistory }));
    else missing.push(id);
  }
  const errors = missing.length > 0 ? [notFoundItem(valueContext(ctx, type), missing)] : [];
  return batchResponse(errors.length > 0 ? 207 : 200, results, errors, startedAt, ctx.store.timestamp());
}

function batchArchive(ctx: RouteContext) {
  const type = objectTypeParam(ctx);
  const ids = batchInputs(ctx, 'BatchInputSimplePublicObjectId').map((raw) => {
    const input = requireObject(raw, 'SimplePublicObjectId');
    requireAttributes(input, 'SimplePublicObjectId', ['id']);
    return scalarString(input.id, 'id');
  });
  for (const id of ids) ctx.store.archiveRecord(type, id);
  return emptyReply(204);
}
