import { createHash } from 'node:crypto';
import type { Dialect } from '../dialect/dialect.js';
import type { BlockRule, IdTypeSpec, IdentitySpec, NormalizeKind } from './identity-spec.js';

/**
 * The characters trimmed from both ends of an identifier, the same on every engine (each engine's own
 * `trim()` strips a different set: docs/identity-guards.md): ASCII space, tab, LF, VT, FF, CR, NEL,
 * no-break space, the Unicode space separators, line/paragraph separators, and the invisible zero-width
 * space, non-joiner, joiner, word joiner and BOM. The class holds the characters themselves (no regex
 * escapes, which engines read differently); each dialect's string literal escapes what it must.
 */
export const TRIMMED_CHARACTERS = '[ \t\n\u000b\f\r\u0085\u00a0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]';

/** `expr` as text without the `TRIMMED_CHARACTERS` at either end. */
export function trimSql(d: Dialect, expr: string): string {
  return d.regexpReplace(d.cast(expr, 'string'), d.stringLiteral(`^${TRIMMED_CHARACTERS}+|${TRIMMED_CHARACTERS}+$`), "''");
}

/**
 * The SQL expression giving the normalised value of `expr` for one identifier type, or NULL when
 * nothing usable is left (empty, a phone with fewer than 7 digits or only zeros). The same
 * expression is used when edges are built, when rows are mapped to profiles and by `inspect`,
 * so a value always normalises the same way.
 */
export function normalizeSql(d: Dialect, type: Pick<IdTypeSpec, 'normalize' | 'countryCode'>, expr: string): string {
  const text = trimSql(d, expr);
  switch (type.normalize) {
    case 'email':
    case 'lower':
      return `nullif(lower(${text}), '')`;
    case 'trim':
      return `nullif(${text}, '')`;
    case 'none':
      return `nullif(${d.cast(expr, 'string')}, '')`;
    case 'phone':
      return phoneSql(d, text, type.countryCode);
    case 'domain':
      return domainSql(d, text);
  }
}

/**
 * A web domain: lower-case, without scheme (`https://`), user info, `www.`, path, query, port or a
 * trailing dot; `https://www.Acme.com:443/pricing` -> `acme.com`. An email address gives its domain.
 */
export function domainSql(d: Dialect, text: string): string {
  const host = d.regexpReplace(
    d.regexpReplace(`lower(${text})`, d.stringLiteral('^[a-z][a-z0-9+.-]*://'), "''"),
    d.stringLiteral('^[^/?#]*@'),
    "''",
  );
  const bare = d.regexpReplace(d.regexpReplace(host, d.stringLiteral('[/?#:].*$'), "''"), d.stringLiteral('^www\\.|\\.$'), "''");
  return `nullif(${bare}, '')`;
}

/**
 * A short name for the way `normalizeSql` turns a type's raw values into identifiers on this engine: a hash of the
 * expression itself, so two types normalised alike share it and a changed expression never matches an old one.
 * Keys the raw value → identifier map of incremental builds (docs/incremental.md#raw-identifier-values).
 */
export function normalizerKey(d: Dialect, type: Pick<IdTypeSpec, 'normalize' | 'countryCode'>): string {
  return createHash('sha256').update(normalizeSql(d, type, 'raw')).digest('hex').slice(0, 12);
}

/**
 * What every value `normalizeSql` gives for a kind is, whatever the raw value: free of leading and trailing spaces
 * (`trimmed`; `domain` is not: cutting a path can leave one, `acme.com /x` -> `acme.com `), and lower-case. Readers
 * that would trim or lower-case an identifier again (a sync's match keys) skip it where it is.
 */
export function normalizedForm(kind: NormalizeKind): { readonly trimmed: boolean; readonly lowerCase: boolean } {
  switch (kind) {
    case 'email':
    case 'lower':
    case 'phone':
      return { trimmed: true, lowerCase: true };
    case 'trim':
      return { trimmed: true, lowerCase: false };
    case 'none':
    case 'domain':
      return { trimmed: false, lowerCase: false };
  }
}

/**
 * E.164: `+` and the digits when written with `+` or `00`; a national number gets the default
 * calling code (after dropping a trunk `0`) unless it already starts with it and is longer than 10 digits.
 */
function phoneSql(d: Dialect, text: string, countryCode: string): string {
  const digits = d.regexpReplace(text, d.stringLiteral('[^0-9]'), "''");
  const cc = d.stringLiteral(countryCode);
  return `case
    when length(${digits}) < 7 or ltrim(${digits}, '0') = '' then null
    when substr(${text}, 1, 1) = '+' then '+' || ${digits}
    when substr(${digits}, 1, 2) = '00' then '+' || substr(${digits}, 3)
    when length(${digits}) > 10 and substr(${digits}, 1, ${countryCode.length}) = ${cc} then '+' || ${digits}
    else '+' || ${cc} || ltrim(${digits}, '0')
  end`;
}

/**
 * A CASE expression naming the first blocklist rule that `value` (normalised, of type `typeExpr`)
 * matches, or NULL. Exact values compare case-insensitively, also against the value as the type
 * would normalise it; patterns are regular expressions matched anywhere.
 */
export function blockedBySql(d: Dialect, spec: IdentitySpec, typeExpr: string, value: string): string {
  // The built-in placeholders are one IN list: one test instead of dozens.
  const plain = spec.blocklist.filter((r) => r.kind === 'value' && r.type === undefined && r.normalize === undefined && r.label.startsWith('default: '));
  const plainValues = [...new Set(plain.map((r) => (r.kind === 'value' ? r.value.toLowerCase() : '')))];
  const inList = plainValues.length
    ? [`when lower(${value}) in (${plainValues.map((v) => d.stringLiteral(v)).join(', ')}) then ${d.stringLiteral('default: ')} || lower(${value})`]
    : [];
  const whens = spec.blocklist.flatMap((rule) => {
    if (plain.includes(rule)) return [];
    const scope = scopeSql(d, spec, rule, typeExpr);
    if (scope === false) return [];
    const test = ruleTest(d, spec, rule, value);
    return [`when ${scope === true ? test : `${scope} and ${test}`} then ${d.stringLiteral(rule.label)}`];
  });
  const all = [...inList, ...whens];
  return all.length === 0 ? `cast(null as ${d.typeName('string')})` : `case ${all.join(' ')} end`;
}

function ruleTest(d: Dialect, spec: IdentitySpec, rule: BlockRule, value: string): string {
  if (rule.kind === 'pattern') return d.regexpContains(value, d.stringLiteral(rule.pattern));
  const literal = d.stringLiteral(rule.value.toLowerCase());
  const type = rule.type === undefined ? undefined : spec.types.find((t) => t.name === rule.type);
  const normalized = type ? normalizeSql(d, type, d.stringLiteral(rule.value)) : undefined;
  return normalized ? `(lower(${value}) = ${literal} or ${value} = ${normalized})` : `lower(${value}) = ${literal}`;
}

/** true: every type; false: no type this project has; else a condition on the type column. */
function scopeSql(d: Dialect, spec: IdentitySpec, rule: BlockRule, typeExpr: string): string | boolean {
  if (rule.type !== undefined) return `${typeExpr} = ${d.stringLiteral(rule.type)}`;
  if (rule.normalize === undefined) return true;
  const types = spec.types.filter((t) => t.normalize === rule.normalize).map((t) => d.stringLiteral(t.name));
  return types.length === 0 ? false : `${typeExpr} in (${types.join(', ')})`;
}

/** The configured priority of the type named by `typeExpr` (0 for a type the project does not know). */
export function prioritySql(d: Dialect, spec: IdentitySpec, typeExpr: string): string {
  if (spec.types.length === 0) return '0';
  return `case ${typeExpr} ${spec.types.map((x) => `when ${d.stringLiteral(x.name)} then ${x.priority}`).join(' ')} else 0 end`;
}
