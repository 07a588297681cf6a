import { normalizeRow, normalizeValue } from '../../warehouse/normalize-value.js';
import type { Row, Value } from '../../warehouse/warehouse.js';

/**
 * Turns what snowflake-sdk returns into cdp's Value. With `jsTreatIntegerAsBigInt` the driver
 * gives integers as `big-integer` objects (their `value` is a native bigint), not as bigint:
 * unwrapped here so NUMBER(38,0) stays exact (a number when safe, else its decimal string).
 * TIMESTAMP_* and DATE are Date subclasses (UTC ISO strings); VARIANT arrives parsed.
 */
export function snowflakeValue(value: unknown): Value {
  return normalizeValue(unwrap(value));
}

/** A result row with lower-case column names (unquoted names come back upper-case). */
export function snowflakeRow(row: unknown): Row {
  return normalizeRow(row, snowflakeValue);
}

function unwrap(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Date) return value;
  if ('value' in value && typeof value.value === 'bigint') return value.value;
  if (isBigInteger(value)) return BigInt(String(value));
  return value;
}

/** big-integer's classes without native BigInt support (SmallInteger, BigInteger). */
function isBigInteger(value: object): boolean {
  const name = value.constructor?.name;
  return (name === 'SmallInteger' || name === 'BigInteger' || name === 'NativeBigInt') && 'isSmall' in value;
}
