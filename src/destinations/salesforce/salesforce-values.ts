import type { SqlType } from '../../dialect/dialect.js';
import type { FieldValue } from '../destination.js';

/** A value as sObject Collections take it in JSON. */
export type JsonValue = string | number | boolean | null;

/** Describe `type`s that hold text: any trait but a boolean is written as its text. */
const TEXT_TYPES: ReadonlySet<string> = new Set(['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'combobox', 'encryptedstring']);
const DECIMAL_TYPES: ReadonlySet<string> = new Set(['double', 'currency', 'percent']);

/** Which warehouse types each describe `type` accepts (docs/crm/salesforce.md#describe types). */
export function acceptsTrait(fieldType: string, trait: SqlType): boolean {
  if (TEXT_TYPES.has(fieldType)) return trait !== 'boolean';
  if (DECIMAL_TYPES.has(fieldType)) return trait === 'integer' || trait === 'float';
  switch (fieldType) {
    case 'boolean':
      return trait === 'boolean';
    case 'int':
      return trait === 'integer';
    case 'date':
    case 'datetime':
      return trait === 'date' || trait === 'timestamp';
    case 'reference':
      return trait === 'string';
    default:
      return false;
  }
}

/** The Salesforce field type (as Setup names it) a trait of this warehouse type fits best. */
export function suggestedFieldType(trait: SqlType): string {
  switch (trait) {
    case 'string':
      return 'Text(255)';
    case 'integer':
      return 'Number(18, 0)';
    case 'float':
      return 'Number(16, 2)';
    case 'boolean':
      return 'Checkbox';
    case 'timestamp':
      return 'Date/Time';
    case 'date':
      return 'Date';
  }
}

/**
 * A value as Salesforce takes it for a field of this describe type: booleans and numbers as JSON,
 * dates `YYYY-MM-DD`, datetimes ISO 8601 in UTC (a timestamp without a zone is UTC), `null` clears.
 */
export function salesforceValue(value: FieldValue, fieldType: string): JsonValue {
  if (value === null) return null;
  if (typeof value === 'boolean') return TEXT_TYPES.has(fieldType) ? String(value) : value;
  if (typeof value === 'number') {
    if (TEXT_TYPES.has(fieldType)) return String(value);
    return fieldType === 'int' ? Math.round(value) : value;
  }
  switch (fieldType) {
    case 'date':
      return isoDateTime(value)?.slice(0, 10) ?? value;
    case 'datetime':
      return isoDateTime(value) ?? value;
    case 'int':
    case 'double':
    case 'currency':
    case 'percent': {
      const n = Number(value);
      return value.trim() !== '' && Number.isFinite(n) ? (fieldType === 'int' ? Math.round(n) : n) : value;
    }
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    default:
      return value;
  }
}

/** A Bulk API 2.0 CSV cell (docs/crm/salesforce.md#bulk-api-20): `#N/A` sets null (an empty cell would mean "no change"). */
export function csvCell(value: JsonValue): string {
  if (value === null || value === '') return '#N/A';
  return String(value);
}

/** `2026-01-02 03:04:05` (UTC), `2026-01-02T03:04:05+02:00` or `2026-01-02` as ISO 8601 in UTC. */
function isoDateTime(text: string): string | undefined {
  const trimmed = text.trim();
  const zoned = /[zZ]|[+-]\d\d:?\d\d$/.test(trimmed);
  const plainDate = /^\d{4}-\d{2}-\d{2}$/.test(trimmed);
  const parsed = new Date(zoned ? trimmed : plainDate ? `${trimmed}T00:00:00Z` : `${trimmed.replace(' ', 'T')}Z`);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed.toISOString();
}
