import type { FieldValue, SObjectField } from './field-spec.js';
import { coerceValue, formatDateTime } from './field-values.js';
import type { DuplicateRules } from './duplicate-rules.js';
import { afterWrite, applyObjectRules, cascadeDelete, type RuleContext } from './object-rules.js';
import { parseRecordInput, type InputCheck } from './record-input.js';
import { recordErrors, type SaveError } from './salesforce-errors.js';
import { normalizeId, type IdFactory } from './salesforce-ids.js';
import type { SalesforceStore, StoredRecord } from './salesforce-store.js';
import type { SchemaRegistry, SObjectSchema } from './schema-registry.js';

export type SaveOutcome =
  | { readonly ok: true; readonly id: string; readonly created: boolean }
  | { readonly ok: false; readonly id?: string; readonly errors: readonly SaveError[] };

/** Per-record fault hooks: field-regex rejections and UNABLE_TO_LOCK_ROW for large batches. */
export interface RecordFaultHooks extends InputCheck {
  lockRow(batchSize: number): boolean;
}

export interface DmlContext {
  /** Records in the calling request (a lock fault can target large batches). */
  readonly batchSize: number;
  /** The session's user: owner and CreatedBy of new records. */
  readonly userId: string;
  /** Active duplicate rules (creates only), unless the request sent `Sforce-Duplicate-Rule-Header: allowSave=true`. */
  readonly duplicates?: DuplicateRules;
  readonly allowDuplicates?: boolean;
}

type Values = Record<string, FieldValue>;

const failed = (errors: readonly SaveError[], id?: string): SaveOutcome => ({ ok: false, errors, ...(id ? { id } : {}) });

function findKey(input: Readonly<Record<string, unknown>>, name: string): string | undefined {
  return Object.keys(input).find((k) => k.toLowerCase() === name.toLowerCase());
}

/**
 * Single-record create / update / upsert / delete with Salesforce's validation, shared by the REST,
 * collection and Bulk 2.0 routes. Every write goes through the store (journalled for allOrNone).
 */
export class SalesforceDml {
  constructor(
    private readonly store: SalesforceStore,
    private readonly registry: SchemaRegistry,
    private readonly ids: IdFactory,
    private readonly faults: RecordFaultHooks,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  create(schema: SObjectSchema, input: Readonly<Record<string, unknown>>, ctx: DmlContext): SaveOutcome {
    if (!schema.writable) return failed([unsupported(schema)]);
    const idKey = findKey(input, 'Id');
    const errors: SaveError[] = [];
    if (idKey !== undefined && input[idKey] !== null && input[idKey] !== '') errors.push(recordErrors.idOnInsert());
    const parsed = parseRecordInput(schema, this.registry, this.store, input, { mode: 'create', skip: idKey ? [idKey] : [] }, this.faults);
    errors.push(...parsed.errors);
    if (errors.length > 0) return failed(errors);
    return this.insertValues(schema, parsed.values, ctx);
  }

  update(schema: SObjectSchema, rawId: string, input: Readonly<Record<string, unknown>>, ctx: DmlContext): SaveOutcome {
    const found = this.existing(schema, rawId);
    if (!found.ok) return found.outcome;
    const idKey = findKey(input, 'Id');
    const parsed = parseRecordInput(schema, this.registry, this.store, input, { mode: 'update', skip: idKey ? [idKey] : [] }, this.faults);
    if (parsed.errors.length > 0) return failed(parsed.errors, found.record.id);
    return this.updateValues(schema, found.record, parsed.values, ctx);
  }

  /** Upsert on `key` (an external id or idLookup field); the key value is read from the record. */
  upsert(schema: SObjectSchema, key: SObjectField, input: Readonly<Record<string, unknown>>, ctx: DmlContext): SaveOutcome {
    if (!schema.writable) return failed([unsupported(schema)]);
    const keyProp = findKey(input, key.name);
    const raw = keyProp === undefined ? undefined : input[keyProp];
    if (raw === undefined || raw === null || raw === '') return failed([recordErrors.missingKey(key.name)]);
    const idKey = key.type === 'id' ? undefined : findKey(input, 'Id');
    if (idKey !== undefined && input[idKey] !== null && input[idKey] !== '') return failed([recordErrors.idOnUpsert()]);
    const coerced = coerceValue(key, raw);
    if (!coerced.ok) return failed([coerced.error]);
    let keyValue = coerced.value;
    if (key.type === 'id') {
      const id = normalizeId(String(keyValue));
      if (!id) return failed([recordErrors.malformedId(String(keyValue))]);
      keyValue = id;
    }
    const matches = this.store.findBy(schema, key, keyValue);
    if (matches.length > 1) return failed([recordErrors.duplicateExternalId(key.name, matches.map((m) => m.id))]);
    const skip = [...(idKey ? [idKey] : []), ...(key.type === 'id' && keyProp ? [keyProp] : [])];
    if (matches.length === 0) {
      if (key.type === 'id') return failed([recordErrors.crossReference()]);
      const parsed = parseRecordInput(schema, this.registry, this.store, input, { mode: 'create', skip }, this.faults);
      if (parsed.errors.length > 0) return failed(parsed.errors);
      return this.insertValues(schema, parsed.values, ctx);
    }
    const current = matches[0];
    const parsed = parseRecordInput(schema, this.registry, this.store, input, { mode: 'update', skip, current, lenientUnchanged: true }, this.faults);
    if (parsed.errors.length > 0) return failed(parsed.errors, current.id);
    return this.updateValues(schema, current, parsed.values, ctx);
  }

  remove(rawId: string, ctx: DmlContext, expected?: SObjectSchema): SaveOutcome {
    const id = normalizeId(rawId);
    if (!id) return failed([recordErrors.malformedId(rawId)]);
    const record = this.store.get(id);
    if (!record || (expected && record.sobject !== expected.name)) return failed([recordErrors.crossReference()], id);
    if (record.deleted) return failed([recordErrors.entityDeleted()], id);
    const schema = this.registry.get(record.sobject);
    if (!schema?.writable) return failed([recordErrors.custom('INVALID_TYPE_FOR_OPERATION', `entity type ${record.sobject} does not support delete`, [])], id);
    if (this.faults.lockRow(ctx.batchSize)) return failed([recordErrors.lockRow()], id);
    const rules = this.rules(ctx);
    this.store.put({ ...record, deleted: true, values: { ...record.values, IsDeleted: true, LastModifiedDate: formatDateTime(rules.now), SystemModstamp: formatDateTime(rules.now) } });
    cascadeDelete(record, rules);
    return { ok: true, id, created: false };
  }

  /** Values every new record gets (system fields). */
  systemFields(userId: string, now: Date): Values {
    const stamp = formatDateTime(now);
    return { IsDeleted: false, CreatedDate: stamp, CreatedById: userId, LastModifiedDate: stamp, LastModifiedById: userId, SystemModstamp: stamp };
  }

  private insertValues(schema: SObjectSchema, values: Values, ctx: DmlContext): SaveOutcome {
    const merged: Values = {};
    for (const f of schema.fields) if (f.defaultValue !== null && f.name !== 'IsDeleted') merged[f.name] = f.defaultValue;
    Object.assign(merged, values);
    if (schema.field('OwnerId') && merged.OwnerId == null) merged.OwnerId = ctx.userId;
    const missing = schema.fields.filter((f) => f.createable && !f.nillable && !f.defaultedOnCreate && merged[f.name] == null).map((f) => f.name);
    if (missing.length > 0) return failed([recordErrors.requiredMissing(missing)]);
    const rules = this.rules(ctx);
    const errors = [...this.uniqueErrors(schema, merged, undefined), ...applyObjectRules(schema.name, undefined, merged, rules)];
    const duplicate = ctx.allowDuplicates === true ? undefined : ctx.duplicates?.check(this.store, schema, merged);
    if (duplicate) errors.push(duplicate);
    if (errors.length > 0) return failed(errors);
    if (this.faults.lockRow(ctx.batchSize)) return failed([recordErrors.lockRow()]);
    const id = this.ids.next(schema.keyPrefix);
    const record: StoredRecord = { id, sobject: schema.name, deleted: false, values: { Id: id, ...merged, ...this.systemFields(ctx.userId, rules.now) } };
    this.store.put(record);
    afterWrite(record, true, rules);
    return { ok: true, id, created: true };
  }

  private updateValues(schema: SObjectSchema, current: StoredRecord, values: Values, ctx: DmlContext): SaveOutcome {
    const cleared = schema.fields.filter((f) => f.name in values && values[f.name] === null && !f.nillable).map((f) => f.name);
    if (cleared.length > 0) return failed([recordErrors.requiredMissing(cleared)], current.id);
    const merged: Values = { ...current.values, ...values };
    const rules = this.rules(ctx);
    const errors = [...this.uniqueErrors(schema, values, current.id), ...applyObjectRules(schema.name, current, merged, rules)];
    if (errors.length > 0) return failed(errors, current.id);
    if (this.faults.lockRow(ctx.batchSize)) return failed([recordErrors.lockRow()], current.id);
    const stamp = formatDateTime(rules.now);
    const record: StoredRecord = { ...current, values: { ...merged, LastModifiedDate: stamp, LastModifiedById: ctx.userId, SystemModstamp: stamp } };
    this.store.put(record);
    afterWrite(record, false, rules);
    return { ok: true, id: current.id, created: false };
  }

  private uniqueErrors(schema: SObjectSchema, values: Values, selfId: string | undefined): readonly SaveError[] {
    return schema.fields.flatMap((f) => {
      if (!f.unique || values[f.name] == null) return [];
      const other = this.store.findBy(schema, f, values[f.name]).find((r) => r.id !== selfId);
      return other ? [recordErrors.duplicateValue(f.name, other.id)] : [];
    });
  }

  private existing(schema: SObjectSchema, rawId: string): { ok: true; record: StoredRecord } | { ok: false; outcome: SaveOutcome } {
    const id = normalizeId(rawId);
    if (!id) return { ok: false, outcome: failed([recordErrors.malformedId(rawId)]) };
    if (id.slice(0, 3) !== schema.keyPrefix) return { ok: false, outcome: failed([recordErrors.lookupMalformed('Id', `${schema.label} ID`, rawId)], id) };
    const record = this.store.get(id);
    if (!record) return { ok: false, outcome: failed([recordErrors.crossReference()], id) };
    if (record.deleted) return { ok: false, outcome: failed([recordErrors.entityDeleted()], id) };
    if (!schema.writable) return { ok: false, outcome: failed([unsupported(schema)], id) };
    return { ok: true, record };
  }

  private rules(ctx: DmlContext): RuleContext {
    return { store: this.store, registry: this.registry, ids: this.ids, now: this.clock(), userId: ctx.userId, system: (u, n) => this.systemFields(u, n) };
  }
}

function unsupported(schema: SObjectSchema): SaveError {
  return recordErrors.custom('INVALID_TYPE_FOR_OPERATION', `entity type ${schema.name} does not support this operation`, []);
}
