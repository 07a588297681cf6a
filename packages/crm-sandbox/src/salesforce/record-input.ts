import type { FieldValue, SObjectField } from './field-spec.js';
import { coerceValue } from './field-values.js';
import { recordErrors, type SaveError } from './salesforce-errors.js';
import { normalizeId } from './salesforce-ids.js';
import type { SalesforceStore, StoredRecord } from './salesforce-store.js';
import type { SchemaRegistry, SObjectSchema } from './schema-registry.js';

export type WriteMode = 'create' | 'update';

export interface InputCheck {
  /** A field value that an injected rule rejects (fault injection), or undefined. */
  rejection(field: string, value: string): SaveError | undefined;
}

export interface ParsedInput {
  readonly values: Readonly<Record<string, FieldValue>>;
  readonly errors: readonly SaveError[];
}

export interface ParseOptions {
  readonly mode: WriteMode;
  /** Keys the caller already handled (`attributes`, `Id`/`id` on update, ...). */
  readonly skip?: readonly string[];
  /** Upsert's update path: a read-only field sent with its current value is ignored, not an error. */
  readonly current?: StoredRecord;
  readonly lenientUnchanged?: boolean;
}

/**
 * Checks and converts the fields of one incoming record: unknown columns, read-only fields, types,
 * lengths, emails, restricted picklists and lookups. Errors are gathered, not thrown.
 */
export function parseRecordInput(
  schema: SObjectSchema,
  registry: SchemaRegistry,
  store: SalesforceStore,
  input: Readonly<Record<string, unknown>>,
  options: ParseOptions,
  check: InputCheck,
): ParsedInput {
  const errors: SaveError[] = [];
  const readOnly: string[] = [];
  const values: Record<string, FieldValue> = {};
  const skip = new Set((options.skip ?? []).map((k) => k.toLowerCase()));
  for (const [key, raw] of Object.entries(input)) {
    if (key === 'attributes' || skip.has(key.toLowerCase())) continue;
    const field = schema.field(key);
    if (!field) {
      const reference = referenceByExternalId(schema, registry, store, key, raw);
      if (reference === undefined) errors.push(recordErrors.noSuchColumn(key, schema.name));
      else if (!reference.ok) errors.push(reference.error);
      else values[reference.field] = reference.id;
      continue;
    }
    const coerced = coerceValue(field, raw);
    if (!coerced.ok) {
      errors.push(coerced.error);
      continue;
    }
    const writable = options.mode === 'create' ? field.createable : field.updateable;
    if (!writable) {
      const unchanged = options.lenientUnchanged && options.current && sameValue(options.current.values[field.name] ?? null, coerced.value);
      if (!unchanged) readOnly.push(field.name);
      continue;
    }
    let value = coerced.value;
    if (value !== null && field.type === 'reference') {
      const lookup = checkLookup(field, String(value), registry, store);
      if (!lookup.ok) {
        errors.push(lookup.error);
        continue;
      }
      value = lookup.id;
    }
    if (value !== null) {
      const rejected = check.rejection(field.name, String(value));
      if (rejected) {
        errors.push(rejected);
        continue;
      }
    }
    values[field.name] = value;
  }
  if (readOnly.length > 0) errors.unshift(recordErrors.notWritable(readOnly));
  return { values, errors };
}

export function sameValue(a: FieldValue, b: FieldValue): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

type ReferenceCheck = { readonly ok: true; readonly field: string; readonly id: string } | { readonly ok: false; readonly error: SaveError };

/**
 * A parent named by external id: `"Account": {"CDP_Account_Id__c": "x"}` sets `AccountId` to the Account
 * holding that value. `undefined` when `key` is no relationship of `schema` (the caller reports the
 * unknown column). UNCONFIRMED for Collections (documented for single upserts); wording as Bulk 2.0's.
 */
function referenceByExternalId(schema: SObjectSchema, registry: SchemaRegistry, store: SalesforceStore, key: string, raw: unknown): ReferenceCheck | undefined {
  const lookup = schema.fields.find((f) => f.type === 'reference' && f.relationshipName?.toLowerCase() === key.toLowerCase());
  const target = lookup ? registry.get(lookup.referenceTo[0] ?? '') : undefined;
  if (!lookup || !target || typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const entries = Object.entries(raw as Record<string, unknown>).filter(([k]) => k !== 'attributes');
  const [name, value] = entries.length === 1 ? entries[0]! : [undefined, undefined];
  const keyField = name === undefined ? undefined : target.upsertKey(name);
  if (!keyField || value === null || value === undefined) {
    return { ok: false, error: recordErrors.custom('INVALID_FIELD', `The relationship ${lookup.relationshipName ?? key} must name exactly one external id field of ${target.name}`, []) };
  }
  const coerced = coerceValue(keyField, value);
  const matches = coerced.ok ? store.findBy(target, keyField, coerced.value) : [];
  if (matches.length === 0) return { ok: false, error: recordErrors.custom('INVALID_FIELD', `Foreign key external ID: ${String(value)} not found for field ${keyField.name} in entity ${target.name}`, []) };
  if (matches.length > 1) return { ok: false, error: recordErrors.custom('INVALID_FIELD', `More than 1 record found for external id field: ${String(value)}`, []) };
  return { ok: true, field: lookup.name, id: matches[0]!.id };
}

type LookupCheck = { readonly ok: true; readonly id: string } | { readonly ok: false; readonly error: SaveError };

function checkLookup(field: SObjectField, raw: string, registry: SchemaRegistry, store: SalesforceStore): LookupCheck {
  const id = normalizeId(raw);
  if (!id) return { ok: false, error: recordErrors.lookupMalformed(field.name, field.label, raw) };
  const target = registry.byPrefix(id.slice(0, 3));
  if (!target || !field.referenceTo.includes(target.name)) return { ok: false, error: recordErrors.lookupWrongType(field.name, field.label, raw) };
  const record = store.get(id);
  if (!record || record.deleted) return { ok: false, error: recordErrors.crossReference() };
  return { ok: true, id };
}
