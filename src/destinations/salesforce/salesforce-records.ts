import type { WriteRecord } from '../destination.js';
import type { ObjectPlan } from './salesforce-schema.js';
import { salesforceValue, type JsonValue } from './salesforce-values.js';

/** A record body by canonical API name; a parent by external id is a nested object (`Account: {Ext__c: x}`). */
export type BodyValue = JsonValue | Readonly<Record<string, JsonValue>>;
export type RecordBody = Readonly<Record<string, BodyValue>>;

/** JSON (Collections) nests a parent reference; Bulk CSV names it in the header (`Account.Ext__c`). */
export type BodyForm = 'json' | 'csv';

/**
 * The fields of a write, by canonical API name and converted to the field's type. The match field
 * itself is left out: the key cdp matched on is what identifies the record (docs/crm/salesforce.md#sobject-collections: no `Id`).
 * A field that cannot be empty is never cleared: a checkbox gets `false`, a required field (Contact
 * LastName) keeps its value, so that mirror mode can clear what it set without failing the record.
 */
export function fieldsBody(plan: ObjectPlan, record: WriteRecord, form: BodyForm = 'json'): Record<string, BodyValue> {
  const body: Record<string, BodyValue> = {};
  // The contact's account, by the account's external id; none any more clears the lookup.
  if (plan.account && record.account) {
    const { relationship, lookup, field } = plan.account;
    const to = record.account.to;
    if (to === null) body[lookup] = null;
    else if (form === 'json') body[relationship] = { [field]: to };
    else body[`${relationship}.${field}`] = to;
  }
  for (const [name, value] of Object.entries(record.fields)) {
    const field = plan.fields.get(name);
    if (!field || field.name === plan.key.name) continue;
    if (value === null && !field.nillable) {
      if (field.type === 'boolean') body[field.name] = false;
      continue;
    }
    body[field.name] = salesforceValue(value, field.type);
  }
  return body;
}

/** An upsert body: the external id plus the changed fields. */
export function upsertBody(plan: ObjectPlan, record: WriteRecord, form: BodyForm = 'json'): RecordBody {
  return { [plan.key.name]: salesforceValue(record.key, plan.key.type), ...fieldsBody(plan, record, form) };
}

/** A body in CSV form as cells (the CSV form has no nested values). */
export function csvCells(body: RecordBody): Record<string, JsonValue> {
  const cells: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(body)) if (typeof value !== 'object' || value === null) cells[name] = value;
  return cells;
}

/** Match keys compare case-insensitively: Email and (by default) External ID text fields do in Salesforce. */
export function normalKey(key: string): string {
  return key.trim().toLowerCase();
}

