import type { SqlType } from '../../dialect/dialect.js';
import type { FieldValue } from '../destination.js';

/** A HubSpot property definition for a trait of this warehouse type (docs/crm/hubspot.md#properties pairings). */
export interface HubSpotPropertyType {
  readonly type: 'string' | 'number' | 'bool' | 'datetime' | 'date';
  readonly fieldType: 'text' | 'number' | 'booleancheckbox' | 'date';
}

export function hubspotPropertyType(type: SqlType): HubSpotPropertyType {
  switch (type) {
    case 'integer':
    case 'float':
      return { type: 'number', fieldType: 'number' };
    case 'boolean':
      return { type: 'bool', fieldType: 'booleancheckbox' };
    case 'timestamp':
      return { type: 'datetime', fieldType: 'date' };
    case 'date':
      return { type: 'date', fieldType: 'date' };
    case 'string':
      return { type: 'string', fieldType: 'text' };
  }
}

/**
 * A value as HubSpot takes it (docs/crm/hubspot.md#batch-writes): strings; `""` clears; bools `true`/`false`; datetimes ISO 8601;
 * dates `YYYY-MM-DD`.
 */
export function hubspotValue(value: FieldValue, type: SqlType): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) || type !== 'integer' ? String(value) : String(Math.trunc(value));
  if (type === 'date') return value.slice(0, 10);
  if (type === 'timestamp') {
    const parsed = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
    return Number.isNaN(parsed.getTime()) ? value : parsed.toISOString();
  }
  return value;
}
