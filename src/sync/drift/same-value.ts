import type { SqlType } from '../../dialect/dialect.js';

/** A warehouse timestamp text (`2026-01-02 03:04:05`, zone-less = UTC) or a CRM one (ISO, epoch ms) as epoch ms. */
function instant(text: string): number {
  if (/^-?\d{10,}$/.test(text)) return Number(text);
  const iso = text.includes('T') ? text : text.replace(' ', 'T');
  const zoned = /([zZ]|[+-]\d\d:?\d\d)$/.test(iso) ? iso.replace(/([+-]\d\d)(\d\d)$/, '$1:$2') : `${iso}Z`;
  return Date.parse(zoned);
}

/**
 * Whether the CRM's text of a field still says what cdp last confirmed (the warehouse's text of the
 * value), compared by the trait's type: numbers numerically, booleans case-insensitively, timestamps
 * as instants, dates by day. Blank and null are the same. A spurious difference would make cdp write
 * the value again on every run, so formatting differences must never count as edits.
 */
export function sameValue(type: SqlType, confirmed: string | null, crm: string | null): boolean {
  const a = confirmed === null || confirmed === '' ? null : confirmed;
  const b = crm === null || crm === '' ? null : crm;
  if (a === null || b === null) return a === b;
  switch (type) {
    case 'integer':
    case 'float': {
      const x = Number(a);
      const y = Number(b);
      return Number.isFinite(x) && Number.isFinite(y) ? Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x)) : a === b;
    }
    case 'boolean':
      return a.toLowerCase() === b.toLowerCase();
    case 'timestamp': {
      const x = instant(a);
      const y = instant(b);
      return Number.isFinite(x) && Number.isFinite(y) ? x === y : a === b;
    }
    case 'date':
      return a.slice(0, 10) === b.slice(0, 10);
    case 'string':
      return a === b;
  }
}
