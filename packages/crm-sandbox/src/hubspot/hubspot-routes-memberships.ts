import { emptyReply, jsonReply, type HttpReply } from '../http/http-reply.js';
import { failValidation } from './hubspot-errors.js';
import { requireArray, requireObject, scalarString, stringArray } from './hubspot-json-input.js';
import { listObjectTypeId, requireList } from './hubspot-routes-lists.js';
import type { MembershipChange, StoredList } from './hubspot-list-store.js';
import type { RouteContext, RouteDefinition } from './hubspot-route-context.js';

/** UNCONFIRMED: HubSpot documents no per-call cap we could confirm; 100,000 ids is our choice. */
export const MAX_MEMBERSHIP_IDS = 100_000;
export const DEFAULT_MEMBERSHIP_PAGE = 100;
export const MAX_MEMBERSHIP_PAGE = 250;

/** List memberships (docs/crm/hubspot.md#lists): only MANUAL and SNAPSHOT lists accept manual changes. */
export const membershipRoutes: readonly RouteDefinition[] = [
  { method: 'PUT', template: '/crm/v3/lists/{listId}/memberships/add', writes: true, handler: add },
  { method: 'PUT', template: '/crm/v3/lists/{listId}/memberships/remove', writes: true, handler: remove },
  { method: 'PUT', template: '/crm/v3/lists/{listId}/memberships/add-and-remove', writes: true, handler: addAndRemove },
  { method: 'GET', template: '/crm/v3/lists/{listId}/memberships', writes: false, handler: getPage },
  { method: 'DELETE', template: '/crm/v3/lists/{listId}/memberships', writes: true, handler: removeAll },
  { method: 'GET', template: '/crm/v3/lists/records/{objectTypeId}/{recordId}/memberships', writes: false, handler: recordMemberships },
];

function manualList(ctx: RouteContext): StoredList {
  const list = requireList(ctx);
  // UNCONFIRMED: status and wording; this is the legacy lists API's message for the same mistake.
  if (list.processingType === 'DYNAMIC') failValidation(`Can not operate manually on a dynamic list. List ${list.listId} has processingType DYNAMIC; only MANUAL and SNAPSHOT lists take membership changes.`);
  return list;
}

function recordIds(raw: unknown, field: string): readonly string[] {
  const ids = requireArray(raw, 'java.lang.Long').map((v) => scalarString(v, field));
  if (ids.length > MAX_MEMBERSHIP_IDS) failValidation(`At most ${MAX_MEMBERSHIP_IDS} record ids can be sent in one request; got ${ids.length}.`);
  return ids;
}

/** The response keeps HubSpot's misspelt `recordsIdsAdded` (docs/crm/hubspot.md#lists). */
function changeJson(added: MembershipChange | undefined, removed: MembershipChange | undefined): Record<string, unknown> {
  return {
    recordsIdsAdded: added?.changed ?? [],
    recordIdsRemoved: removed?.changed ?? [],
    recordIdsMissing: [...new Set([...(removed?.missing ?? []), ...(added?.missing ?? [])])],
  };
}

function add(ctx: RouteContext): HttpReply {
  const list = manualList(ctx);
  const ids = recordIds(ctx.body, 'recordIds');
  ctx.noteBatchSize(ids.length);
  return jsonReply(200, changeJson(ctx.store.lists.addMembers(list, ids), undefined));
}

function remove(ctx: RouteContext): HttpReply {
  const list = manualList(ctx);
  const ids = recordIds(ctx.body, 'recordIds');
  ctx.noteBatchSize(ids.length);
  return jsonReply(200, changeJson(undefined, ctx.store.lists.removeMembers(list, ids)));
}

/** UNCONFIRMED order: removals apply first, then additions (an id in both ends up a member). */
function addAndRemove(ctx: RouteContext): HttpReply {
  const list = manualList(ctx);
  const body = requireObject(ctx.body, 'MembershipChangeRequest');
  const toAdd = stringArray(body.recordIdsToAdd, 'recordIdsToAdd');
  const toRemove = stringArray(body.recordIdsToRemove, 'recordIdsToRemove');
  if (toAdd.length + toRemove.length > MAX_MEMBERSHIP_IDS) failValidation(`At most ${MAX_MEMBERSHIP_IDS} record ids can be sent in one request; got ${toAdd.length + toRemove.length}.`);
  ctx.noteBatchSize(toAdd.length + toRemove.length);
  const removed = ctx.store.lists.removeMembers(list, toRemove);
  const added = ctx.store.lists.addMembers(list, toAdd);
  return jsonReply(200, changeJson(added, removed));
}

function removeAll(ctx: RouteContext): HttpReply {
  ctx.store.lists.clearMembers(manualList(ctx));
  return emptyReply(204);
}

/** Sorted by record id; `after`/`before` are record ids (opaque to clients). */
function getPage(ctx: RouteContext): HttpReply {
  const list = requireList(ctx);
  const limitText = ctx.query.get('limit');
  const limit = limitText === null ? DEFAULT_MEMBERSHIP_PAGE : Number(limitText);
  // UNCONFIRMED: an over-large limit is refused rather than capped.
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_MEMBERSHIP_PAGE) failValidation(`limit must be between 1 and ${MAX_MEMBERSHIP_PAGE}`);
  const all = [...list.members.values()].sort((a, b) => Number(a.recordId) - Number(b.recordId));
  const after = ctx.query.get('after');
  const before = ctx.query.get('before');
  const indexFrom = (pred: (id: number) => boolean): number => {
    const i = all.findIndex((m) => pred(Number(m.recordId)));
    return i === -1 ? all.length : i;
  };
  let start = after !== null && after !== '' ? indexFrom((id) => id > Number(after)) : 0;
  let end = Math.min(all.length, start + limit);
  if (before !== null && before !== '') {
    end = indexFrom((id) => id >= Number(before));
    start = Math.max(0, end - limit);
  }
  const page = all.slice(start, end);
  const next = end < all.length && page.length > 0 ? { next: { after: page[page.length - 1].recordId } } : {};
  const prev = start > 0 && page.length > 0 ? { prev: { before: page[0].recordId } } : {};
  const paging = { ...next, ...prev };
  return jsonReply(200, {
    results: page.map((m) => ({ recordId: m.recordId, membershipTimestamp: m.lastAddedAt })),
    ...(Object.keys(paging).length > 0 ? { paging } : {}),
    total: all.length,
  });
}

function recordMemberships(ctx: RouteContext): HttpReply {
  const objectTypeId = listObjectTypeId(ctx.params.objectTypeId ?? '');
  const results = ctx.store.lists.listsOfRecord(objectTypeId, ctx.params.recordId ?? '').map(({ list, membership }) => ({
    listId: list.listId,
    listVersion: list.listVersion,
    firstAddedTimestamp: membership.firstAddedAt,
    lastAddedTimestamp: membership.lastAddedAt,
    isPublicList: false,
  }));
  return jsonReply(200, { results, total: results.length });
}
