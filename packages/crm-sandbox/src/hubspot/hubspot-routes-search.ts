import { jsonReply, type HttpReply } from '../http/http-reply.js';
import { failValidation } from './hubspot-errors.js';
import { optionalString, requireObject, stringArray } from './hubspot-json-input.js';
import { recordReadJson } from './hubspot-record-json.js';
import { objectTypeParam, type RouteContext, type RouteDefinition } from './hubspot-route-context.js';
import { compare, matchesGroups, parseFilterGroups, parseSort } from './hubspot-search-filter.js';
import type { StoredRecord } from './hubspot-store.js';

export const MAX_SEARCH_LIMIT = 200;
export const MAX_SEARCH_RESULTS = 10_000;

/** `POST /crm/v3/objects/{objectType}/search` (docs/crm/hubspot.md#search). New records are searchable at once (no index lag). */
export const searchRoutes: readonly RouteDefinition[] = [
  { method: 'POST', template: '/crm/v3/objects/{objectType}/search', writes: false, search: true, handler: search },
];

function search(ctx: RouteContext): HttpReply {
  const type = objectTypeParam(ctx);
  const body = requireObject(ctx.body ?? {}, 'PublicObjectSearchRequest');
  const limit = body.limit === undefined || body.limit === null ? 10 : Number(body.limit);
  // UNCONFIRMED: the wording of the limit errors.
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_SEARCH_LIMIT) failValidation(`limit must be between 0 and ${MAX_SEARCH_LIMIT}, was ${String(body.limit)}`);
  const afterText = optionalString(body.after, 'after') ?? '0';
  const after = /^\d+$/.test(afterText) ? Number(afterText) : 0;
  if (after + limit > MAX_SEARCH_RESULTS) failValidation(`The search API returns at most ${MAX_SEARCH_RESULTS} results; after (${after}) + limit (${limit}) is beyond that.`);
  const groups = parseFilterGroups(body.filterGroups, ctx.store, type);
  const sort = parseSort(body.sorts);
  const query = (optionalString(body.query, 'query') ?? '').trim().toLowerCase();
  const properties = stringArray(body.properties, 'properties');

  const matched = ctx.store
    .allRecords(type)
    .filter((r) => matchesGroups(r, groups))
    .filter((r) => query === '' || matchesQuery(r, query, type.queryProperties));
  const sortDefinition = sort ? ctx.store.property(type, sort.propertyName === 'id' ? 'hs_object_id' : sort.propertyName) : undefined;
  const ordered = sort && sortDefinition ? [...matched].sort((a, b) => bySort(a, b, sortDefinition.name, sort.descending, (x, y) => compare(sortDefinition, x, y))) : matched;
  const page = ordered.slice(after, after + limit);
  const next = after + limit < ordered.length && after + limit < MAX_SEARCH_RESULTS ? String(after + limit) : undefined;
  return jsonReply(200, {
    total: ordered.length,
    results: page.map((r) => recordReadJson(ctx.store, r, { properties })),
    ...(next !== undefined ? { paging: { next: { after: next } } } : {}),
  });
}

/** Every whitespace-separated word must appear in one of the type's default searchable properties. */
function matchesQuery(record: StoredRecord, query: string, fields: readonly string[]): boolean {
  const haystack = fields.map((f) => record.properties.get(f)?.toLowerCase() ?? '');
  return query.split(/\s+/).every((word) => haystack.some((h) => h.includes(word)));
}

/** Records without a value sort last either way; ties keep id order. */
function bySort(a: StoredRecord, b: StoredRecord, name: string, descending: boolean, cmp: (x: string, y: string) => number): number {
  const va = a.properties.get(name);
  const vb = b.properties.get(name);
  if (va === undefined || vb === undefined) return va === vb ? 0 : va === undefined ? 1 : -1;
  const c = cmp(va, vb);
  return descending ? -c : c;
}
