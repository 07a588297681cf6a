import { isNumberType, isTextType, type FieldValue, type SObjectField } from './field-spec.js';
import { formatDateTime } from './field-values.js';
import { normalizeId } from './salesforce-ids.js';
import type { SalesforceStore, StoredRecord } from './salesforce-store.js';
import type { SchemaRegistry, SObjectSchema } from './schema-registry.js';
import type { FieldPath, SoqlCondition, SoqlError, SoqlLiteral, SoqlQuery } from './soql.js';

/** A selected or filtered field, possibly one lookup away (`Contact.Email`). */
interface BoundField {
  readonly field: SObjectField;
  readonly via?: { readonly lookup: SObjectField; readonly relationship: string; readonly target: SObjectSchema };
}

type Predicate = (record: StoredRecord) => boolean;

export type QueryRecord = Readonly<Record<string, unknown>>;

export type QueryOutcome =
  | { readonly ok: true; readonly sobject: string; readonly totalSize: number; readonly records: readonly QueryRecord[] }
  | { readonly ok: false; readonly error: SoqlError };

class BindError extends Error {
  constructor(readonly error: SoqlError) {
    super(error.detail);
  }
}

const bindFail = (errorCode: SoqlError['errorCode'], detail: string, pos: number): never => {
  throw new BindError({ errorCode, detail, pos });
};

export interface RunOptions {
  readonly includeDeleted: boolean;
  /** `/services/data/vXX.X`, for `attributes.url`. */
  readonly versionPath: string;
}

/** Binds a parsed query to the schema and runs it over the store: every matching row, rendered. */
export function runSoql(query: SoqlQuery, registry: SchemaRegistry, store: SalesforceStore, options: RunOptions): QueryOutcome {
  try {
    const schema = registry.get(query.from.name);
    if (!schema) {
      return bindFail(
        'INVALID_TYPE',
        `sObject type '${query.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
        query.from.pos,
      );
    }
    const selected = query.select.kind === 'fields' ? bindSelect(schema, registry, query.select.fields) : [];
    const where = query.where ? bindCondition(schema, registry, store, query.where) : () => true;
    const order = query.orderBy.map((o) => {
      const bound = bindPath(schema, registry, o.field);
      if (!bound.field.sortable) bindFail('INVALID_FIELD', `field '${bound.field.name}' can not be sorted in a query call`, o.field.pos);
      return { bound, descending: o.descending, nullsLast: o.nullsLast };
    });

    const since = query.where ? modstampLowerBound(query.where) : undefined;
    const pool = (since === undefined ? undefined : store.modifiedSince(schema.name, since, options.includeDeleted)) ?? store.list(schema.name, options.includeDeleted);
    let rows = pool.filter(where);
    if (order.length > 0) {
      rows = [...rows].sort((a, b) => {
        for (const o of order) {
          const va = valueOf(store, a, o.bound);
          const vb = valueOf(store, b, o.bound);
          if (va === null || vb === null) {
            if (va === vb) continue;
            return (va === null) === o.nullsLast ? 1 : -1;
          }
          const c = compare(o.bound.field, va, vb);
          if (c !== 0) return o.descending ? -c : c;
        }
        return 0;
      });
    }
    if (query.offset !== undefined) rows = rows.slice(query.offset);
    if (query.limit !== undefined) rows = rows.slice(0, query.limit);
    if (query.select.kind === 'count') return { ok: true, sobject: schema.name, totalSize: rows.length, records: [] };
    return { ok: true, sobject: schema.name, totalSize: rows.length, records: rows.map((r) => render(store, schema, r, selected, options.versionPath)) };
  } catch (e) {
    if (e instanceof BindError) return { ok: false, error: e.error };
    throw e;
  }
}

/**
 * The earliest `SystemModstamp` a record can have and meet the condition, when it bounds it from below (`>=`, `>` or
 * `=` a datetime, alone or in an AND): a drift read's query then starts from the records stamped since
 * (`SalesforceStore.modifiedSince`) rather than from all. Same rows, in the same order; undefined otherwise.
 */
function modstampLowerBound(cond: SoqlCondition): number | undefined {
  if (cond.kind === 'and') {
    const bounds = cond.items.map(modstampLowerBound).filter((b): b is number => b !== undefined);
    return bounds.length > 0 ? Math.max(...bounds) : undefined;
  }
  if (cond.kind !== 'compare' || cond.field.path.toLowerCase() !== 'systemmodstamp' || !['>=', '>', '='].includes(cond.op) || cond.value.kind !== 'datetime') return undefined;
  const ms = Date.parse(cond.value.value);
  return Number.isFinite(ms) ? ms : undefined;
}

function noSuchColumn(path: string, entity: string, pos: number): never {
  return bindFail(
    'INVALID_FIELD',
    `No such column '${path}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    pos,
  );
}

function bindPath(schema: SObjectSchema, registry: SchemaRegistry, path: FieldPath): BoundField {
  const parts = path.path.split('.');
  if (parts.length === 1) {
    const field = schema.field(parts[0]);
    return field ? { field } : noSuchColumn(parts[0], schema.name, path.pos);
  }
  const lookup = parts.length === 2 ? schema.fields.find((f) => f.relationshipName?.toLowerCase() === parts[0].toLowerCase()) : undefined;
  const target = lookup ? registry.get(lookup.referenceTo[0]) : undefined;
  if (!lookup || !target) {
    return bindFail(
      'INVALID_FIELD',
      `Didn't understand relationship '${parts[0]}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
      path.pos,
    );
  }
  const field = target.field(parts[1]);
  return field ? { field, via: { lookup, relationship: lookup.relationshipName ?? parts[0], target } } : noSuchColumn(parts[1], target.name, path.pos + parts[0].length + 1);
}

function bindSelect(schema: SObjectSchema, registry: SchemaRegistry, fields: readonly FieldPath[]): readonly BoundField[] {
  const seen = new Set<string>();
  return fields.map((f) => {
    const bound = bindPath(schema, registry, f);
    const key = `${bound.via?.relationship ?? ''}.${bound.field.name}`.toLowerCase();
    if (seen.has(key)) bindFail('MALFORMED_QUERY', `duplicate field selected: ${f.path}`, f.pos);
    seen.add(key);
    return bound;
  });
}

function valueOf(store: SalesforceStore, record: StoredRecord, bound: BoundField): FieldValue {
  if (!bound.via) return record.values[bound.field.name] ?? null;
  const ref = record.values[bound.via.lookup.name];
  const parent = typeof ref === 'string' ? store.get(ref) : undefined;
  return parent?.values[bound.field.name] ?? null;
}

function compare(field: SObjectField, a: FieldValue, b: FieldValue): number {
  if (field.type === 'datetime') return Date.parse(String(a)) - Date.parse(String(b));
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = isTextType(field.type) ? String(a).toLowerCase() : String(a);
  const sb = isTextType(field.type) ? String(b).toLowerCase() : String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function typeName(field: SObjectField): { name: string; quoted: boolean } {
  if (isTextType(field.type) || field.type === 'id' || field.type === 'reference') return { name: 'string', quoted: true };
  if (field.type === 'boolean') return { name: 'boolean', quoted: false };
  if (field.type === 'int') return { name: 'integer', quoted: false };
  if (isNumberType(field.type)) return { name: 'double', quoted: false };
  return { name: field.type === 'datetime' ? 'dateTime' : 'date', quoted: false };
}

/** A literal as a comparable stored value of `field`, or a bind error (wrong type for the field). */
function literalValue(field: SObjectField, literal: SoqlLiteral, pos: number): FieldValue {
  if (literal.kind === 'null') return null;
  const t = typeName(field);
  const wrong = (): never =>
    bindFail('INVALID_FIELD', `value of filter criterion for field '${field.name}' must be of type ${t.name} and should ${t.quoted ? '' : 'not '}be enclosed in quotes`, pos);
  if (field.type === 'id' || field.type === 'reference') {
    if (literal.kind !== 'string') return wrong();
    const id = normalizeId(literal.value);
    return id ?? bindFail('INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${literal.value}`, pos);
  }
  if (isTextType(field.type)) return literal.kind === 'string' ? literal.value : wrong();
  if (field.type === 'boolean') return literal.kind === 'boolean' ? literal.value : wrong();
  if (isNumberType(field.type)) return literal.kind === 'number' ? literal.value : wrong();
  if (field.type === 'date') return literal.kind === 'date' ? literal.value : wrong();
  return literal.kind === 'datetime' ? formatDateTime(new Date(literal.value)) : wrong();
}

function likeRegex(pattern: string): RegExp {
  const body = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${body}$`, 'is');
}

function bindCondition(schema: SObjectSchema, registry: SchemaRegistry, store: SalesforceStore, cond: SoqlCondition): Predicate {
  switch (cond.kind) {
    case 'and': {
      const items = cond.items.map((c) => bindCondition(schema, registry, store, c));
      return (r) => items.every((p) => p(r));
    }
    case 'or': {
      const items = cond.items.map((c) => bindCondition(schema, registry, store, c));
      return (r) => items.some((p) => p(r));
    }
    case 'not': {
      const item = bindCondition(schema, registry, store, cond.item);
      return (r) => !item(r);
    }
    case 'in': {
      const bound = filterable(bindPath(schema, registry, cond.field), cond.field);
      const values = cond.values.map((v) => literalValue(bound.field, v, cond.valuePos));
      const hit = (r: StoredRecord): boolean => {
        const v = valueOf(store, r, bound);
        return values.some((x) => (x === null || v === null ? x === v : compare(bound.field, v, x) === 0));
      };
      return cond.negated ? (r) => !hit(r) : hit;
    }
    case 'compare': {
      const bound = filterable(bindPath(schema, registry, cond.field), cond.field);
      if (cond.op === 'like') {
        if (!isTextType(bound.field.type) || cond.value.kind !== 'string') {
          return bindFail('INVALID_FIELD', `invalid operator on field '${bound.field.name}': LIKE needs a text field and a quoted pattern`, cond.valuePos);
        }
        const re = likeRegex(cond.value.value);
        return (r) => {
          const v = valueOf(store, r, bound);
          return v !== null && re.test(String(v));
        };
      }
      const x = literalValue(bound.field, cond.value, cond.valuePos);
      const op = cond.op;
      return (r) => {
        const v = valueOf(store, r, bound);
        if (x === null || v === null) {
          if (op === '=') return v === x;
          if (op === '!=') return v !== x;
          return false;
        }
        const c = compare(bound.field, v, x);
        switch (op) {
          case '=':
            return c === 0;
          case '!=':
            return c !== 0;
          case '<':
            return c < 0;
          case '<=':
            return c <= 0;
          case '>':
            return c > 0;
          case '>=':
            return c >= 0;
        }
      };
    }
  }
}

function filterable(bound: BoundField, path: FieldPath): BoundField {
  if (!bound.field.filterable) bindFail('INVALID_FIELD', `field '${bound.field.name}' can not be filtered in a query call`, path.pos);
  return bound;
}

function render(store: SalesforceStore, schema: SObjectSchema, record: StoredRecord, fields: readonly BoundField[], versionPath: string): QueryRecord {
  const out: Record<string, unknown> = { attributes: { type: schema.name, url: `${versionPath}/sobjects/${schema.name}/${record.id}` } };
  for (const bound of fields) {
    if (!bound.via) {
      out[bound.field.name] = record.values[bound.field.name] ?? null;
      continue;
    }
    const ref = record.values[bound.via.lookup.name];
    const parent = typeof ref === 'string' ? store.get(ref) : undefined;
    const name = bound.via.relationship;
    if (!parent) {
      out[name] = null;
      continue;
    }
    const existing = out[name];
    const nested: Record<string, unknown> =
      typeof existing === 'object' && existing !== null ? (existing as Record<string, unknown>) : { attributes: { type: parent.sobject, url: `${versionPath}/sobjects/${parent.sobject}/${parent.id}` } };
    nested[bound.field.name] = parent.values[bound.field.name] ?? null;
    out[name] = nested;
  }
  return out;
}
