import type { FaultInjector } from '../http/fault-injector.js';
import { propertyIssue, type PropertyIssue } from './hubspot-errors.js';
import type { HubSpotObjectType } from './hubspot-object-types.js';
import type { PropertyDefinition } from './hubspot-property-definition.js';
import type { HubSpotStore } from './hubspot-store.js';

export type ValuesResult =
  | { readonly ok: true; readonly values: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly issues: readonly PropertyIssue[] };

export interface ValueContext {
  readonly store: HubSpotStore;
  readonly type: HubSpotObjectType;
  readonly portalId: number;
  readonly faults: FaultInjector;
}

type Check = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: string; readonly message: string };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Validates and normalises property values as HubSpot does (docs/crm/hubspot.md#batch-writes): unknown and read-only
 * properties, email, number, bool, enumeration, date and datetime checks. `""` clears and is always
 * valid. Fault-injected record rejections are reported like any other invalid value.
 */
export function normalizePropertyValues(input: ReadonlyMap<string, string>, ctx: ValueContext): ValuesResult {
  const values = new Map<string, string>();
  const issues: PropertyIssue[] = [];
  for (const [name, raw] of input) {
    const definition = ctx.store.property(ctx.type, name);
    const check = checkValue(name, raw, definition, ctx);
    if (check.ok) values.set(name, check.value);
    else issues.push(propertyIssue(name, check.error, check.message, ctx.portalId));
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, values };
}

function checkValue(name: string, raw: string, definition: PropertyDefinition | undefined, ctx: ValueContext): Check {
  if (!definition || definition.archived) return bad('PROPERTY_DOESNT_EXIST', `Property "${name}" does not exist`);
  // UNCONFIRMED: the code and message for writing a read-only property.
  if (definition.modificationMetadata.readOnlyValue) return bad('READ_ONLY_VALUE', `Property "${name}" is a read-only property and its value cannot be set`);
  if (raw === '') return { ok: true, value: '' };
  const typed = checkType(name, raw, definition, ctx.type);
  if (!typed.ok) return typed;
  const rejection = ctx.faults.rejectionFor(name, typed.value);
  if (rejection) {
    const isEmail = name === 'email';
    return bad(
      rejection.code ?? (isEmail ? 'INVALID_EMAIL' : 'INVALID_PROPERTY_VALUE'),
      rejection.message ?? (isEmail ? `Email address ${typed.value} is invalid` : `${typed.value} is not a valid value for property "${name}"`),
    );
  }
  return typed;
}

function checkType(name: string, raw: string, definition: PropertyDefinition, type: HubSpotObjectType): Check {
  if (name === 'email' && type.builtInUniqueProperty === 'email') {
    const email = raw.trim().toLowerCase();
    return EMAIL.test(email) ? { ok: true, value: email } : bad('INVALID_EMAIL', `Email address ${raw} is invalid`);
  }
  switch (definition.type) {
    case 'number':
      // UNCONFIRMED: code and message for a non-numeric value.
      return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw.trim())
        ? { ok: true, value: raw.trim() }
        : bad('INVALID_NUMBER', `${raw} was not a valid number.`);
    case 'bool':
      return oneOf(raw.toLowerCase(), ['true', 'false'], raw);
    case 'enumeration':
      return checkEnumeration(raw, definition);
    case 'date':
      return checkDate(raw);
    case 'datetime':
      return checkDatetime(raw);
    case 'string':
    case 'phone_number':
      return { ok: true, value: raw };
  }
}

function checkEnumeration(raw: string, definition: PropertyDefinition): Check {
  const allowed = definition.options.map((o) => o.value);
  if (definition.fieldType === 'booleancheckbox' && allowed.length === 0) return oneOf(raw.toLowerCase(), ['true', 'false'], raw);
  if (definition.fieldType !== 'checkbox') return oneOf(raw, allowed, raw);
  const parts = raw.split(';').filter((p) => p !== '');
  for (const part of parts) {
    const check = oneOf(part, allowed, part);
    if (!check.ok) return check;
  }
  return { ok: true, value: parts.join(';') };
}

function oneOf(value: string, allowed: readonly string[], shown: string): Check {
  return allowed.includes(value)
    ? { ok: true, value }
    : bad('INVALID_OPTION', `${shown} was not one of the allowed options: [${allowed.join(', ')}]`);
}

/** A date is midnight-UTC epoch ms or YYYY-MM-DD; stored and returned as YYYY-MM-DD. Codes UNCONFIRMED. */
function checkDate(raw: string): Check {
  const text = raw.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const ms = Date.parse(`${text}T00:00:00Z`);
    if (!Number.isNaN(ms) && new Date(ms).toISOString().startsWith(text)) return { ok: true, value: text };
  } else if (/^-?\d+$/.test(text)) {
    const ms = Number(text);
    if (ms % 86_400_000 === 0) return { ok: true, value: new Date(ms).toISOString().slice(0, 10) };
    return bad('INVALID_DATE', `${raw} is not a valid date: epoch milliseconds must be at midnight UTC`);
  }
  return bad('INVALID_DATE', `${raw} is not a valid date: use YYYY-MM-DD or midnight-UTC epoch milliseconds`);
}

/** A datetime is epoch ms or ISO 8601; stored and returned as ISO 8601 UTC. Code UNCONFIRMED. */
function checkDatetime(raw: string): Check {
  const text = raw.trim();
  const ms = /^-?\d+$/.test(text) ? Number(text) : /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isFinite(ms)
    ? { ok: true, value: new Date(ms).toISOString() }
    : bad('INVALID_DATETIME', `${raw} is not a valid datetime: use epoch milliseconds or ISO 8601`);
}

function bad(error: string, message: string): Check {
  return { ok: false, error, message };
}
