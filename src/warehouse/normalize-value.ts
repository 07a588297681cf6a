import type { Value } from './warehouse.js';

/** Turns a client library's value into cdp's Value: the same shape whichever engine produced it. */
export function normalizeValue(value: unknown): Value {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
        ? Number(value)
        : value.toString();
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** A result row with lower-case column names (engines keep or upper-case the case of the SELECT), each value converted by the engine's `value`. */
export function normalizeRow(row: unknown, value: (v: unknown) => Value = normalizeValue): Record<string, Value> {
  const out: Record<string, Value> = {};
  if (typeof row !== 'object' || row === null) return out;
  for (const [key, v] of Object.entries(row)) out[key.toLowerCase()] = value(v);
  return out;
}
