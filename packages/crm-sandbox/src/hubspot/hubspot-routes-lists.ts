import { emptyReply, jsonReply, type HttpReply } from '../http/http-reply.js';
import { errorReply, fail, failValidation } from './hubspot-errors.js';
import { invalidJson, isObject, optionalString, queryBoolean, requireAttributes, requireObject, scalarString, stringArray } from './hubspot-json-input.js';
import { resolveObjectType, type ObjectTypeId } from './hubspot-object-types.js';
import { SANDBOX_USER_ID, type ProcessingType, type StoredList } from './hubspot-list-store.js';
import type { RouteContext, RouteDefinition } from './hubspot-route-context.js';

const PROCESSING_TYPES: readonly ProcessingType[] = ['MANUAL', 'DYNAMIC', 'SNAPSHOT'];
export const MAX_LIST_SEARCH_COUNT = 500;

/** `/crm/v3/lists…` (docs/crm/hubspot.md#lists); the SDK's create posts to `/crm/v3/lists/`, the router ignores the slash. */
export const listRoutes: readonly RouteDefinition[] = [
  { method: 'POST', template: '/crm/v3/lists', writes: true, handler: create },
  { method: 'GET', template: '/crm/v3/lists', writes: false, handler: getAll },
  { method: 'POST', template: '/crm/v3/lists/search', writes: false, handler: search },
  { method: 'GET', template: '/crm/v3/lists/{listId}', writes: false, handler: getById },
  { method: 'DELETE', template: '/crm/v3/lists/{listId}', writes: true, handler: remove },
  { method: 'PUT', template: '/crm/v3/lists/{listId}/restore', writes: true, handler: restore },
  { method: 'PUT', template: '/crm/v3/lists/{listId}/update-list-name', writes: true, handler: rename },
  { method: 'GET', template: '/crm/v3/lists/object-type-id/{objectTypeId}/name/{listName}', writes: false, handler: getByName },
];

/** PublicObjectList. Filters only when asked for (`includeFilters=true`) or on create. */
export function listJson(list: StoredList, includeFilters: boolean): Record<string, unknown> {
  return {
    listId: list.listId,
    listVersion: list.listVersion,
    name: list.name,
    objectTypeId: list.objectTypeId,
    processingType: list.processingType,
    processingStatus: 'COMPLETE',
    createdAt: list.createdAt,
    updatedAt: list.updatedAt,
    filtersUpdatedAt: list.filtersUpdatedAt,
    createdById: SANDBOX_USER_ID,
    updatedById: SANDBOX_USER_ID,
    size: list.members.size,
    ...(includeFilters && list.filterBranch !== undefined ? { filterBranch: list.filterBranch } : {}),
    ...(list.membershipSettings !== undefined ? { membershipSettings: list.membershipSettings } : {}),
    ...(list.listPermissions !== undefined ? { listPermissions: list.listPermissions } : {}),
    ...(list.deletedAt !== undefined ? { deletedAt: list.deletedAt } : {}),
  };
}

// UNCONFIRMED: 404 and its wording for an unknown list id.
export function requireList(ctx: RouteContext, includeDeleted = false): StoredList {
  const listId = ctx.params.listId ?? '';
  const list = ctx.store.lists.get(listId, includeDeleted);
  if (!list) fail(404, 'OBJECT_NOT_FOUND', `List does not exist with id ${listId}.`);
  return list;
}

export function listObjectTypeId(raw: string): ObjectTypeId {
  const type = resolveObjectType(raw);
  if (!type) {
    failValidation(`The objectTypeId ${raw} provided for the list is not valid for this portal.`, { subCategory: 'ListError.INVALID_OBJECT_TYPE_FOR_LIST' });
  }
  return type.id;
}

// UNCONFIRMED: the message (status 400 and the subCategory are observed).
function duplicateName(name: string): HttpReply {
  return errorReply(400, 'VALIDATION_ERROR', `A list named '${name}' already exists.`, { subCategory: 'ILS.DUPLICATE_LIST_NAMES' });
}

function create(ctx: RouteContext): HttpReply {
  const body = requireObject(ctx.body, 'ListCreateRequest');
  requireAttributes(body, 'ListCreateRequest', ['name', 'objectTypeId', 'processingType']);
  const name = scalarString(body.name, 'name').trim();
  if (name === '') failValidation('The list name must not be empty.');
  const objectTypeId = listObjectTypeId(scalarString(body.objectTypeId, 'objectTypeId'));
  const processingTypeText = scalarString(body.processingType, 'processingType');
  const processingType = PROCESSING_TYPES.find((p) => p === processingTypeText)
    ?? invalidJson(`Cannot deserialize value of type \`ProcessingType\` from String "${processingTypeText}": not one of the values accepted for Enum class: [${PROCESSING_TYPES.join(', ')}]`);
  const filterBranch: unknown = body.filterBranch ?? undefined;
  // UNCONFIRMED: wording of both filterBranch rules.
  if (processingType === 'MANUAL' && filterBranch !== undefined) failValidation('A filterBranch can only be set on DYNAMIC or SNAPSHOT lists.');
  if (processingType === 'DYNAMIC' && filterBranch === undefined) failValidation('A DYNAMIC list needs a filterBranch.');
  if (ctx.store.lists.byName(name)) return duplicateName(name);
  const customProperties = isObject(body.customProperties)
    ? Object.fromEntries(Object.entries(body.customProperties).map(([k, v]) => [k, scalarString(v, k)]))
    : undefined;
  const list = ctx.store.lists.create({
    name,
    objectTypeId,
    processingType,
    ...(filterBranch !== undefined ? { filterBranch } : {}),
    ...(body.membershipSettings !== undefined ? { membershipSettings: body.membershipSettings } : {}),
    ...(body.listPermissions !== undefined ? { listPermissions: body.listPermissions } : {}),
    ...(customProperties ? { customProperties } : {}),
    ...(typeof body.listFolderId === 'number' ? { listFolderId: body.listFolderId } : {}),
  });
  return jsonReply(200, { list: listJson(list, true) });
}

function getById(ctx: RouteContext): HttpReply {
  return jsonReply(200, { list: listJson(requireList(ctx), queryBoolean(ctx.query, 'includeFilters')) });
}

/**
 * UNCONFIRMED status: one published mock answers 400 (kept here, with category OBJECT_NOT_FOUND);
 * clients should treat 400 and 404 with this message alike.
 */
function getByName(ctx: RouteContext): HttpReply {
  const objectTypeId = listObjectTypeId(ctx.params.objectTypeId ?? '');
  const name = ctx.params.listName ?? '';
  const list = ctx.store.lists.byName(name, objectTypeId);
  if (!list) return errorReply(400, 'OBJECT_NOT_FOUND', `List does not exist with name ${name} and object type ID ${objectTypeId}.`);
  return jsonReply(200, { list: listJson(list, queryBoolean(ctx.query, 'includeFilters')) });
}

/** Unknown ids are left out; no `listIds` gives no lists (UNCONFIRMED). */
function getAll(ctx: RouteContext): HttpReply {
  const ids = ctx.query.getAll('listIds').flatMap((v) => v.split(','));
  const includeFilters = queryBoolean(ctx.query, 'includeFilters');
  const lists = ids.flatMap((id) => {
    const list = ctx.store.lists.get(id.trim());
    return list ? [listJson(list, includeFilters)] : [];
  });
  return jsonReply(200, { lists });
}

function search(ctx: RouteContext): HttpReply {
  const body = requireObject(ctx.body ?? {}, 'ListSearchRequest');
  const query = (optionalString(body.query, 'query') ?? '').toLowerCase();
  const offset = typeof body.offset === 'number' && body.offset > 0 ? Math.floor(body.offset) : 0;
  const count = typeof body.count === 'number' ? Math.floor(body.count) : 20;
  if (count < 1 || count > MAX_LIST_SEARCH_COUNT) failValidation(`count must be between 1 and ${MAX_LIST_SEARCH_COUNT}`);
  const processingTypes = stringArray(body.processingTypes, 'processingTypes');
  const listIds = stringArray(body.listIds, 'listIds');
  const matched = ctx.store
    .lists.all()
    .filter((l) => query === '' || l.name.toLowerCase().includes(query))
    .filter((l) => processingTypes.length === 0 || processingTypes.includes(l.processingType))
    .filter((l) => listIds.length === 0 || listIds.includes(l.listId));
  const page = matched.slice(offset, offset + count);
  return jsonReply(200, {
    lists: page.map(searchResultJson),
    offset: offset + page.length,
    hasMore: offset + page.length < matched.length,
    total: matched.length,
  });
}

/** PublicObjectListSearchResult: the list without size/filters, its size in additionalProperties. */
function searchResultJson(list: StoredList): Record<string, unknown> {
  return {
    listId: list.listId,
    listVersion: list.listVersion,
    name: list.name,
    objectTypeId: list.objectTypeId,
    processingType: list.processingType,
    processingStatus: 'COMPLETE',
    createdAt: list.createdAt,
    updatedAt: list.updatedAt,
    filtersUpdatedAt: list.filtersUpdatedAt,
    createdById: SANDBOX_USER_ID,
    updatedById: SANDBOX_USER_ID,
    additionalProperties: { hs_list_size: String(list.members.size), hs_list_reference_count: '0' },
  };
}

/** 204; the list is restorable (PUT …/restore). Its name is free again meanwhile (UNCONFIRMED). */
function remove(ctx: RouteContext): HttpReply {
  ctx.store.lists.delete(requireList(ctx).listId);
  return emptyReply(204);
}

function restore(ctx: RouteContext): HttpReply {
  const list = requireList(ctx, true);
  if (list.deletedAt === undefined) return emptyReply(204);
  if (ctx.store.lists.byName(list.name)) return duplicateName(list.name);
  ctx.store.lists.restore(list.listId);
  return emptyReply(204);
}

function rename(ctx: RouteContext): HttpReply {
  const list = requireList(ctx);
  const name = (ctx.query.get('listName') ?? '').trim();
  if (name === '') failValidation('The list name must not be empty.');
  const other = ctx.store.lists.byName(name);
  if (other && other.listId !== list.listId) return duplicateName(name);
  const updated = ctx.store.lists.rename(list, name);
  return jsonReply(200, { updatedList: listJson(updated, queryBoolean(ctx.query, 'includeFilters')) });
}
