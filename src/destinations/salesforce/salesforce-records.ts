import type { WriteRecord } from '../destination.js';
import type { ObjectPlan } from './salesforce-schema.js';
import { salesforceValue, type JsonValue } from './salesforce-values.js';

/** A record body by canonical API name. */
export type RecordBody = Readonly<Record<string, JsonValue>>;

/**
 * The fields of a write, by canonical API name and converted to the field's type. The match field
 * itself is left out: the key cdp matched on is what identifies the record (docs/crm/salesforce.md#sobject-collections: no `Id`).
 * A field that cannot be empty is never cleared: a checkbox gets `false`, a required field (Contact
 * LastName) keeps its value, so that mirror mode can clear what it set without failing the record.
 */
export function fieldsBody(plan: ObjectPlan, record: WriteRecord): Record<string, JsonValue> {
  const body: Record<string, JsonValue> = {};
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
export function upsertBody(plan: ObjectPlan, record: WriteRecord): RecordBody {
  return { [plan.key.name]: salesforceValue(record.key, plan.key.type), ...fieldsBody(plan, record) };
}

/** Match keys compare case-insensitively: Email and (by default) External ID text fields do in Salesforce. */
export function normalKey(key: string): string {
  return key.trim().toLowerCase();
}

