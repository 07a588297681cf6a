import { BigQueryDate, BigQueryDatetime, BigQueryInt, BigQueryTime, BigQueryTimestamp, Geography } from '@google-cloud/bigquery';
import { normalizeRow, normalizeValue } from '../../warehouse/normalize-value.js';
import type { Row, Value } from '../../warehouse/warehouse.js';

/**
 * Turns what `@google-cloud/bigquery` returns (with `wrapIntegers: true`) into cdp's Value, the same
 * shape DuckDB and Snowflake give: INT64 exactly (a number when safe, else its decimal string),
 * NUMERIC/BIGNUMERIC as a number when that is exact, TIMESTAMP/DATETIME/DATE as ISO instants in UTC.
 */
export function bigqueryValue(value: unknown): Value {
  return normalizeValue(unwrap(value));
}

/** A result row with lower-case column names (BigQuery keeps the case written in the SELECT). */
export function bigqueryRow(row: unknown): Row {
  return normalizeRow(row, bigqueryValue);
}

function unwrap(value: unknown, nested = false): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof BigQueryInt) return nested ? exactNumber(value.value) : BigInt(value.value);
  if (value instanceof BigQueryTimestamp) return new Date(value.value);
  // DATETIME has no zone: read as UTC, as DuckDB reads TIMESTAMP and Snowflake TIMESTAMP_NTZ.
  if (value instanceof BigQueryDatetime) return new Date(`${value.value.replace(' ', 'T')}Z`);
  if (value instanceof BigQueryDate) return new Date(`${value.value}T00:00:00Z`);
  if (value instanceof BigQueryTime || value instanceof Geography) return value.value;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (isBig(value)) return exactNumber(String(value));
  if (Array.isArray(value)) return value.map((v) => unwrap(v, true));
  if (value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v, true)]));
}

/** big.js values (NUMERIC, BIGNUMERIC): the class is not exported, so recognise it by shape. */
function isBig(value: object): boolean {
  return value.constructor?.name === 'Big' && 'c' in value && 'e' in value && 's' in value;
}

/** A decimal string as a number when the number prints back the same, else the exact string. */
function exactNumber(text: string): number | string {
  const n = Number(text);
  return Number.isFinite(n) && String(n) === text ? n : text;
}
