/**
 * Keys whose object value is a map keyed by the user's names (fields, traits, columns, syncs, …):
 * those keys are printed as written; only the values below them are converted.
 */
const namedMaps = new Set(['field_updates', 'fields', 'traits', 'inputs', 'columns', 'syncs', 'payload', 'env', 'tables', 'ownership', 'pulls', 'seconds']);

/** camelCase keys become snake_case, recursively; names chosen by the user (see namedMaps) are kept. */
export function toSnakeCase(value: unknown, keepKeys = false): unknown {
  if (Array.isArray(value)) return value.map((v) => toSnakeCase(v));
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const name = keepKeys ? key : snakeKey(key);
    out[name] = toSnakeCase(v, !keepKeys && namedMaps.has(name) && isPlainObject(v));
  }
  return out;
}

/** `rateLimited` → `rate_limited`; keys that do not start lower-case (Salesforce `FirstName`) stay. */
function snakeKey(key: string): string {
  return /^[a-z][a-zA-Z0-9]*$/.test(key) ? key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase() : key;
}

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
