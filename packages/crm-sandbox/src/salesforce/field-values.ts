import { isTextType, type FieldValue, type SObjectField } from './field-spec.js';
import { recordErrors, type SaveError } from './salesforce-errors.js';

export type Coerced = { readonly ok: true; readonly value: FieldValue } | { readonly ok: false; readonly error: SaveError };

/** Salesforce's REST datetime format: `2024-01-02T03:04:05.000+0000`. */
export function formatDateTime(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** A simplified version of the address check Salesforce applies to email fields. */
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function isValidEmail(value: string): boolean {
  return EMAIL.test(value) && !value.includes('..') && !value.startsWith('.') && !/\.@/.test(value);
}

function shown(raw: unknown): string {
  return typeof raw === 'string' ? raw : JSON.stringify(raw) ?? String(raw);
}

/**
 * Turns one incoming value (JSON or CSV text) into the stored value of `field`, or a record error.
 * Lookups are only checked for shape here; whether they point at a record is the DML layer's job.
 */
export function coerceValue(field: SObjectField, raw: unknown): Coerced {
  const wrong = (): Coerced => ({ ok: false, error: recordErrors.wrongType(field.name, field.label, shown(raw)) });
  if (raw === null) return { ok: true, value: null };
  if (typeof raw === 'object' || raw === undefined) return wrong();
  if (typeof raw === 'number' && !Number.isFinite(raw)) return wrong();
  const type = field.type;

  if (isTextType(type)) {
    const text = String(raw);
    if (text === '') return { ok: true, value: null };
    if (text.length > field.length) return { ok: false, error: recordErrors.stringTooLong(field.name, field.label, text, field.length) };
    if (type === 'email' && !isValidEmail(text)) return { ok: false, error: recordErrors.invalidEmail(field.name, field.label, text) };
    if ((type === 'picklist' || type === 'multipicklist') && field.restrictedPicklist) {
      const allowed = field.picklistValues.map((p) => p.value);
      const parts = type === 'multipicklist' ? text.split(';') : [text];
      const bad = parts.find((p) => !allowed.includes(p));
      if (bad !== undefined) return { ok: false, error: recordErrors.badPicklist(field.name, field.label, bad) };
    }
    return { ok: true, value: text };
  }

  switch (type) {
    case 'id':
    case 'reference': {
      if (typeof raw !== 'string') return wrong();
      return { ok: true, value: raw === '' ? null : raw };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      const s = String(raw).trim().toLowerCase();
      if (s === 'true' || s === '1') return { ok: true, value: true };
      if (s === 'false' || s === '0') return { ok: true, value: false };
      return wrong();
    }
    case 'int': {
      const s = String(raw).trim();
      if (typeof raw === 'boolean' || !/^[-+]?\d+$/.test(s)) return wrong();
      const n = Number(s);
      if (Math.abs(n) > 2147483647) return { ok: false, error: recordErrors.outOfRange(field.name, field.label, s) };
      return { ok: true, value: n };
    }
    case 'double':
    case 'currency':
    case 'percent': {
      const s = String(raw).trim();
      if (typeof raw === 'boolean' || !/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(s)) return wrong();
      const factor = 10 ** field.scale;
      const n = Math.round(Number(s) * factor) / factor;
      if (Math.abs(Math.trunc(n)).toString().length > field.precision - field.scale && Math.trunc(n) !== 0) {
        return { ok: false, error: recordErrors.outOfRange(field.name, field.label, s) };
      }
      return { ok: true, value: n };
    }
    case 'date': {
      const s = String(raw).trim();
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
      const d = new Date(`${s}T00:00:00Z`);
      if (!m || Number.isNaN(d.getTime()) || formatDate(d) !== s) return wrong();
      return { ok: true, value: s };
    }
    case 'datetime': {
      const s = String(raw).trim();
      if (!/^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) return wrong();
      const iso = s.length === 10 ? `${s}T00:00:00Z` : /(?:Z|[+-]\d{2}:?\d{2})$/.test(s) ? s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2') : `${s}Z`;
      const d = new Date(iso);
      if (Number.isNaN(d.getTime())) return wrong();
      return { ok: true, value: formatDateTime(d) };
    }
  }
  return wrong();
}
