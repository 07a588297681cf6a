import { emptyReply, jsonReply, type HttpReply } from '../http/http-reply.js';
import { associationTypes } from './hubspot-association-store.js';
import { batchErrorItem, failValidation, type BatchErrorItem } from './hubspot-errors.js';
import { isObject, requireArray, requireObject, scalarString } from './hubspot-json-input.js';
import type { HubSpotObjectType } from './hubspot-object-types.js';
import { batchResponse } from './hubspot-record-writes.js';
import { objectTypeParam, type RouteContext, type RouteDefinition } from './hubspot-route-context.js';

/** Inputs per create / archive request. UNCONFIRMED: recollections say 100 or 2,000; we take 2,000. */
export const MAX_ASSOCIATION_WRITE_INPUTS = 2_000;
/** Inputs per batch/read since 2025-02-10 (HubSpot changelog). */
export const MAX_ASSOCIATION_READ_INPUTS = 1_000;

/** Associations v4 (docs/crm/hubspot.md#associations): contacts <-> companies. */
export const associationRoutes: readonly RouteDefinition[] = [
  { method: 'GET', template: '/crm/v4/associations/{fromObjectType}/{toObjectType}/labels', writes: false, handler: labels },
  { method: 'POST', template: '/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/create', writes: true, handler: create },
  { method: 'POST', template: '/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/associate/default', writes: true, handler: associateDefault },
  { method: 'POST', template: '/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/archive', writes: true, handler: archive },
  { method: 'POST', template: '/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read', writes: false, handler: read },
];

interface Pair {
  readonly from: HubSpotObjectType;
  readonly to: HubSpotObjectType;
}

function pair(ctx: RouteContext): Pair {
  const from = objectTypeParam(ctx, 'fromObjectType');
  const to = objectTypeParam(ctx, 'toObjectType');
  if (associationTypes(from.id, to.id).length === 0) failValidation(`No association types exist between ${from.id} and ${to.id}`);
  return { from, to };
}

function inputs(ctx: RouteContext, max: number): readonly unknown[] {
  const body = requireObject(ctx.body, 'BatchInput');
  const list = requireArray(body.inputs, 'inputs');
  // UNCONFIRMED wording, modelled on the objects API's batch limit message.
  if (list.length > max) failValidation(`The maximum number of inputs supported in a batch request is ${max}. Please reduce the number of items and try again`);
  ctx.noteBatchSize(list.length);
  return list;
}

function idOf(value: unknown, field: string): string {
  return scalarString(requireObject(value, 'PublicObjectId').id, field);
}

function labels(ctx: RouteContext): HttpReply {
  const { from, to } = pair(ctx);
  return jsonReply(200, { results: associationTypes(from.id, to.id) });
}

/** Records that do not exist (or are archived) fail as one OBJECT_NOT_FOUND per missing id. UNCONFIRMED shape. */
function missing(ctx: RouteContext, type: HubSpotObjectType, id: string): BatchErrorItem | undefined {
  if (ctx.store.getRecord(type, id)) return undefined;
  return batchErrorItem('OBJECT_NOT_FOUND', `No ${type.upper} with id ${id} exists`, { ids: [id] });
}

function create(ctx: RouteContext): HttpReply {
  const { from, to } = pair(ctx);
  const startedAt = ctx.store.timestamp();
  const known = new Set(associationTypes(from.id, to.id).map((t) => t.typeId));
  const results: unknown[] = [];
  const errors: BatchErrorItem[] = [];
  for (const raw of inputs(ctx, MAX_ASSOCIATION_WRITE_INPUTS)) {
    const input = requireObject(raw, 'PublicAssociationMultiPost');
    const fromId = idOf(input.from, 'from.id');
    const toId = idOf(input.to, 'to.id');
    const types = requireArray(input.types, 'types').map((t) => {
      const type = requireObject(t, 'AssociationSpec');
      const typeId = Number(type.associationTypeId);
      if (!known.has(typeId)) failValidation(`Association type ${String(type.associationTypeId)} is not valid between ${from.id} and ${to.id}`);
      return typeId;
    });
    const problem = missing(ctx, from, fromId) ?? missing(ctx, to, toId);
    if (problem) {
      errors.push(problem);
      continue;
    }
    const fromRecord = ctx.store.getRecord(from, fromId)!;
    const toRecord = ctx.store.getRecord(to, toId)!;
    ctx.store.associations.associate(from.id, fromRecord.id, to.id, toRecord.id, types);
    const labelled = associationTypes(from.id, to.id).filter((t) => types.includes(t.typeId) && t.label !== null);
    results.push({ fromObjectTypeId: from.id, fromObjectId: Number(fromRecord.id), toObjectTypeId: to.id, toObjectId: Number(toRecord.id), labels: labelled.map((t) => t.label) });
  }
  return batchResponse(errors.length > 0 ? 207 : 201, results, errors, startedAt, ctx.store.timestamp());
}

/** The unlabeled default type; results list both directions (UNCONFIRMED, as the spec recalls). */
function associateDefault(ctx: RouteContext): HttpReply {
  const { from, to } = pair(ctx);
  const startedAt = ctx.store.timestamp();
  const [forward] = associationTypes(from.id, to.id);
  const [backward] = associationTypes(to.id, from.id);
  const results: unknown[] = [];
  const errors: BatchErrorItem[] = [];
  for (const raw of inputs(ctx, MAX_ASSOCIATION_WRITE_INPUTS)) {
    const input = requireObject(raw, 'PublicDefaultAssociationMultiPost');
    const fromId = idOf(input.from, 'from.id');
    const toId = idOf(input.to, 'to.id');
    const problem = missing(ctx, from, fromId) ?? missing(ctx, to, toId);
    if (problem) {
      errors.push(problem);
      continue;
    }
    ctx.store.associations.associate(from.id, fromId, to.id, toId, [forward!.typeId]);
    results.push({ from: { id: fromId }, to: { id: toId }, associationSpec: { associationCategory: forward!.category, associationTypeId: forward!.typeId } });
    results.push({ from: { id: toId }, to: { id: fromId }, associationSpec: { associationCategory: backward!.category, associationTypeId: backward!.typeId } });
  }
  return batchResponse(errors.length > 0 ? 207 : 200, results, errors, startedAt, ctx.store.timestamp());
}

/** Removes every type between the pairs; unknown records and absent associations are ignored. 204. */
function archive(ctx: RouteContext): HttpReply {
  const { from, to } = pair(ctx);
  for (const raw of inputs(ctx, MAX_ASSOCIATION_WRITE_INPUTS)) {
    const input = requireObject(raw, 'BatchInputPublicAssociationMultiArchive');
    const fromId = idOf(input.from, 'from.id');
    for (const target of requireArray(input.to, 'to')) ctx.store.associations.archive(from.id, fromId, to.id, idOf(target, 'to.id'));
  }
  return emptyReply(204);
}

function read(ctx: RouteContext): HttpReply {
  const { from, to } = pair(ctx);
  const startedAt = ctx.store.timestamp();
  const types = new Map([...associationTypes(from.id, to.id)].map((t) => [t.typeId, t]));
  const results: unknown[] = [];
  const absent: string[] = [];
  for (const raw of inputs(ctx, MAX_ASSOCIATION_READ_INPUTS)) {
    const id = scalarString(isObject(raw) ? raw.id : raw, 'id');
    const record = ctx.store.getRecord(from, id);
    if (!record) {
      absent.push(id);
      continue;
    }
    const targets = ctx.store.associations.read(from.id, record.id, to.id);
    if (targets.length === 0) continue;
    results.push({
      from: { id: record.id },
      to: targets.map((t) => ({
        toObjectId: Number(t.toId),
        associationTypes: t.typeIds.map((typeId) => ({ category: types.get(typeId)?.category ?? 'HUBSPOT_DEFINED', typeId, label: types.get(typeId)?.label ?? null })),
      })),
    });
  }
  const errors = absent.length > 0 ? [batchErrorItem('OBJECT_NOT_FOUND', `No ${from.upper} objects with ids: ${absent.join(', ')}`, { ids: absent })] : [];
  return batchResponse(errors.length > 0 ? 207 : 200, results, errors, startedAt, ctx.store.timestamp());
}
