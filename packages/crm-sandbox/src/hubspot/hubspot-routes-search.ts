import { jsonReply, type HttpReply } from '../http/http-reply.js';
import { failValidation } from './hubspot-errors.js';
import { optionalString, requireObject, stringArray } from './hubspot-json-input.js';
import { recordReadJson } from './hubspot-record-json.js';
import { objectTypeParam, type RouteContext, type RouteDefinition } from './hubspot-route-context.js';
import { compareKeys, matchesGroups, parseFilterGroups, parseSort, sortKey, type FilterGroups } from './hubspot-search-filter.js';
import type { PropertyDefinition } from './hubspot-property-definition.js';
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

  const since = modifiedLowerBound(groups, type.modifiedProperty);
  const pool = (since === undefined ? undefined : ctx.store.modifiedSince(type, since)?.filter((r) => !r.archived)) ?? ctx.store.allRecords(type);
  const matched = pool
    .filter((r) => matchesGroups(r, groups))
    .filter((r) => query === '' || matchesQuery(r, query, type.queryProperties));
  const sortDefinition = sort ? ctx.store.property(type, sort.propertyName === 'id' ? 'hs_object_id' : sort.propertyName) : undefined;
  const ordered = sort && sortDefinition ? sorted(matched, sortDefinition, sort.descending) : matched;
  const page = ordered.slice(after, after + limit);
  const next = after + limit < ordered.length && after + limit < MAX_SEARCH_RESULTS ? String(after + limit) : undefined;
  return jsonReply(200, {
    total: ordered.length,
    results: page.map((r) => recordReadJson(ctx.store, r, { properties })),
    ...(next !== undefined ? { paging: { next: { after: next } } } : {}),
  });
}

/**
 * The earliest modified date a record can have and match, when every filter group bounds it from below (`GTE`,
 * `GT`, `EQ`, `BETWEEN` on the type's modified date): a drift read's search then starts from the records modified
 * since (`HubSpotStore.modifiedSince`) rather than from all. Same answer, in the same order; undefined otherwise.
 */
function modifiedLowerBound(groups: FilterGroups, modifiedProperty: string): number | undefined {
  if (groups.length === 0) return undefined;
  let bound = Number.POSITIVE_INFINITY;
  for (const filters of groups) {
    const lows = filters.flatMap((f) => {
      if (f.propertyName !== modifiedProperty || f.value === undefined || !['GTE', 'GT', 'EQ', 'BETWEEN'].includes(f.operator)) return [];
      const key = sortKey(f.definition, f.value);
      return typeof key === 'number' ? [key] : [];
    });
    if (lows.length === 0) return undefined;
    bound = Math.min(bound, Math.max(...lows));
  }
  return bound;
}

/** Every whitespace-separated word must appear in one of the type's default searchable properties. */
function matchesQuery(record: StoredRecord, query: string, fields: readonly string[]): boolean {
  const haystack = fields.map((f) => record.properties.get(f)?.toLowerCase() ?? '');
  return query.split(/\s+/).every((word) => haystack.some((h) => h.includes(word)));
}

/** Records without a value sort last either way; ties keep id order. Each value's key is made once. */
function sorted(records: readonly StoredRecord[], def: PropertyDefinition, descending: boolean): StoredRecord[] {
  const keyed = records.map((record) => {
    const value = record.properties.get(def.name);
    return { record, key: value === undefined ? undefined : sortKey(def, value) };
  });
  keyed.sort((a, b) => {
    if (a.key === undefined || b.key === undefined) return a.key === b.key ? 0 : a.key === undefined ? 1 : -1;
    const c = compareKeys(a.key, b.key);
    return descending ? -c : c;
  });
  return keyed.map((k) => k.record);
}
