import { failValidation } from './hubspot-errors.js';
import { isObject, optionalString, requireArray, scalarString, stringArray } from './hubspot-json-input.js';
import type { HubSpotObjectType } from './hubspot-object-types.js';
import type { PropertyDefinition } from './hubspot-property-definition.js';
import type { HubSpotStore, StoredRecord } from './hubspot-store.js';

export const OPERATORS = [
  'EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN',
] as const;
export type Operator = (typeof OPERATORS)[number];

export interface Filter {
  readonly propertyName: string;
  readonly operator: Operator;
  readonly value?: string;
  readonly highValue?: string;
  readonly values: readonly string[];
  readonly definition: PropertyDefinition;
}

/** Groups are ORed, filters inside a group ANDed. */
export type FilterGroups = readonly (readonly Filter[])[];

export const MAX_GROUPS = 5;
export const MAX_FILTERS_PER_GROUP = 10;
export const MAX_FILTERS = 25;

/** Parses `filterGroups`, enforcing the 2024 limits (5 groups, 10 per group, 25 in total). Messages UNCONFIRMED. */
export function parseFilterGroups(raw: unknown, store: HubSpotStore, type: HubSpotObjectType): FilterGroups {
  const groups = raw === undefined || raw === null ? [] : requireArray(raw, 'FilterGroup');
  if (groups.length > MAX_GROUPS) failValidation(`Too many filter groups: ${groups.length}. The maximum is ${MAX_GROUPS}.`);
  let total = 0;
  return groups.map((group) => {
    const filters = isObject(group) && group.filters !== undefined ? requireArray(group.filters, 'Filter') : [];
    if (filters.length > MAX_FILTERS_PER_GROUP) failValidation(`Too many filters in a filter group: ${filters.length}. The maximum is ${MAX_FILTERS_PER_GROUP}.`);
    total += filters.length;
    if (total > MAX_FILTERS) failValidation(`Too many filters: ${total}. The maximum is ${MAX_FILTERS} across all filter groups.`);
    return filters.map((f) => parseFilter(f, store, type));
  });
}

function parseFilter(raw: unknown, store: HubSpotStore, type: HubSpotObjectType): Filter {
  if (!isObject(raw)) failValidation('Invalid input JSON on line 1, column 1: a filter must be an object');
  const propertyName = optionalString(raw.propertyName, 'propertyName');
  const operator = optionalString(raw.operator, 'operator');
  if (propertyName === undefined || operator === undefined) {
    failValidation('Invalid input JSON on line 1, column 1: Cannot build Filter, some of required attributes are not set [propertyName, operator]');
  }
  const knownOperator = OPERATORS.find((o) => o === operator);
  if (knownOperator === undefined) {
    failValidation(`Invalid input JSON on line 1, column 1: Cannot deserialize value of type \`FilterOperator\` from String "${operator}": not one of the values accepted for Enum class: [${OPERATORS.join(', ')}]`);
  }
  const name = propertyName === 'id' ? 'hs_object_id' : propertyName;
  const definition = store.property(type, name);
  // UNCONFIRMED: HubSpot's answer for a filter on a property that does not exist.
  if (!definition || definition.archived) failValidation('There was a problem with the request.', { context: { propertyName: [propertyName] } });
  const value = optionalString(raw.value, 'value');
  const highValue = optionalString(raw.highValue, 'highValue');
  return {
    propertyName: name,
    operator: knownOperator,
    ...(value !== undefined ? { value } : {}),
    ...(highValue !== undefined ? { highValue } : {}),
    values: stringArray(raw.values, 'values'),
    definition,
  };
}

export function matchesGroups(record: StoredRecord, groups: FilterGroups): boolean {
  return groups.length === 0 || groups.some((filters) => filters.every((f) => matchesFilter(record, f)));
}

function matchesFilter(record: StoredRecord, filter: Filter): boolean {
  const value = record.properties.get(filter.propertyName);
  const def = filter.definition;
  switch (filter.operator) {
    case 'HAS_PROPERTY':
      return value !== undefined;
    case 'NOT_HAS_PROPERTY':
      return value === undefined;
    case 'EQ':
      return value !== undefined && filter.value !== undefined && compare(def, value, filter.value) === 0;
    // UNCONFIRMED: NEQ / NOT_IN / NOT_CONTAINS_TOKEN also match records without a value.
    case 'NEQ':
      return value === undefined || filter.value === undefined || compare(def, value, filter.value) !== 0;
    case 'LT':
      return value !== undefined && filter.value !== undefined && compare(def, value, filter.value) < 0;
    case 'LTE':
      return value !== undefined && filter.value !== undefined && compare(def, value, filter.value) <= 0;
    case 'GT':
      return value !== undefined && filter.value !== undefined && compare(def, value, filter.value) > 0;
    case 'GTE':
      return value !== undefined && filter.value !== undefined && compare(def, value, filter.value) >= 0;
    case 'BETWEEN':
      return value !== undefined && filter.value !== undefined && filter.highValue !== undefined
        && compare(def, value, filter.value) >= 0 && compare(def, value, filter.highValue) <= 0;
    case 'IN':
      return value !== undefined && inValues(def, value, filter.values);
    case 'NOT_IN':
      return value === undefined || !inValues(def, value, filter.values);
    case 'CONTAINS_TOKEN':
      return value !== undefined && filter.value !== undefined && containsToken(value, filter.value);
    case 'NOT_CONTAINS_TOKEN':
      return value === undefined || filter.value === undefined || !containsToken(value, filter.value);
  }
}

function inValues(def: PropertyDefinition, value: string, values: readonly string[]): boolean {
  if (def.fieldType === 'checkbox') {
    const parts = value.split(';');
    return values.some((v) => parts.some((p) => compare(def, p, v) === 0));
  }
  return values.some((v) => compare(def, value, v) === 0);
}

/** Orders two values by the property's type: numbers and dates numerically, text case-insensitively. */
export function compare(def: PropertyDefinition, a: string, b: string): number {
  return compareKeys(sortKey(def, a), sortKey(def, b));
}

/** `compare` on keys made once per value (`sortKey`): a sort parses each date once, not at every comparison. */
export function compareKeys(ka: number | string, kb: number | string): number {
  if (typeof ka === 'number' && typeof kb === 'number') return ka === kb ? 0 : ka < kb ? -1 : 1;
  const sa = String(ka);
  const sb = String(kb);
  return sa === sb ? 0 : sa < sb ? -1 : 1;
}

export function sortKey(def: PropertyDefinition, raw: string): number | string {
  if (def.type === 'number') {
    const n = Number(raw);
    return Number.isFinite(n) ? n : raw.toLowerCase();
  }
  if (def.type === 'date' || def.type === 'datetime') {
    const ms = /^-?\d+$/.test(raw) ? Number(raw) : Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
    return Number.isFinite(ms) ? ms : raw.toLowerCase();
  }
  return raw.toLowerCase();
}

/** Whole-value or token match, `*` as a wildcard, case-insensitive. */
function containsToken(value: string, token: string): boolean {
  const pattern = new RegExp(`^${token.split('*').map(escapeRegex).join('.*')}$`, 'i');
  return pattern.test(value) || value.split(/[^\p{L}\p{N}]+/u).some((t) => pattern.test(t));
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface Sort {
  readonly propertyName: string;
  readonly descending: boolean;
}

/** Accepts `"prop"`, `"-prop"` or `{propertyName, direction}`; only the first sort counts. */
export function parseSort(raw: unknown): Sort | undefined {
  const sorts = raw === undefined || raw === null ? [] : requireArray(raw, 'Sort');
  const first = sorts[0];
  if (first === undefined) return undefined;
  if (typeof first === 'string') return first.startsWith('-') ? { propertyName: first.slice(1), descending: true } : { propertyName: first, descending: false };
  if (isObject(first)) {
    const propertyName = scalarString(first.propertyName, 'propertyName');
    return { propertyName, descending: String(first.direction ?? 'ASCENDING').toUpperCase() === 'DESCENDING' };
  }
  return failValidation('Invalid input JSON on line 1, column 1: a sort must be a string or an object');
}
