import { failValidation } from './hubspot-errors.js';

/**
 * Narrowing helpers for request bodies. Shape errors answer 400 VALIDATION_ERROR in the words of
 * HubSpot's JSON binder ("Invalid input JSON on line 1, column 1: …"); the position is not tracked.
 */
export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function invalidJson(detail: string): never {
  return failValidation(`Invalid input JSON on line 1, column 1: ${detail}`);
}

export function requireObject(value: unknown, modelName: string): JsonObject {
  if (!isObject(value)) invalidJson(`Cannot construct instance of \`${modelName}\`: expected a JSON object`);
  return value;
}

/** Requires the listed attributes to be present (not undefined/null), as HubSpot's immutables builder does. */
export function requireAttributes(object: JsonObject, modelName: string, names: readonly string[]): void {
  const missing = names.filter((n) => object[n] === undefined || object[n] === null);
  if (missing.length > 0) invalidJson(`Cannot build ${modelName}, some of required attributes are not set [${missing.join(', ')}]`);
}

export function requireArray(value: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(value)) invalidJson(`Cannot deserialize value of type \`java.util.ArrayList<${what}>\` from non-array value`);
  return value;
}

/** A string, or a number/boolean turned into one (HubSpot accepts JSON scalars where it wants strings). */
export function scalarString(value: unknown, field: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return invalidJson(`Cannot deserialize value of type \`java.lang.String\` from ${describe(value)} (field "${field}")`);
}

export function optionalString(value: unknown, field: string): string | undefined {
  return value === undefined || value === null ? undefined : scalarString(value, field);
}

export function stringArray(value: unknown, field: string): readonly string[] {
  if (value === undefined || value === null) return [];
  return requireArray(value, 'java.lang.String').map((v) => scalarString(v, field));
}

/** Property values: strings, numbers, booleans; null means "" (clear). Objects and arrays are refused. */
export function propertyValues(value: unknown): ReadonlyMap<string, string> {
  if (value === undefined || value === null) return new Map();
  if (!isObject(value)) invalidJson('Cannot deserialize value of type `java.util.LinkedHashMap<java.lang.String,java.lang.String>` from non-object value');
  const out = new Map<string, string>();
  for (const [name, raw] of Object.entries(value)) out.set(name, raw === null ? '' : scalarString(raw, name));
  return out;
}

/** Values of a repeatable, comma-separable query parameter (`properties=a,b&properties=c`). */
export function queryList(query: URLSearchParams, name: string): readonly string[] {
  return query
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function queryBoolean(query: URLSearchParams, name: string): boolean {
  return query.get(name)?.toLowerCase() === 'true';
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'Array value (token `JsonToken.START_ARRAY`)';
  if (isObject(value)) return 'Object value (token `JsonToken.START_OBJECT`)';
  return `${String(value)} value`;
}
