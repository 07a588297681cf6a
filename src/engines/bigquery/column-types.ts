import type { SqlType } from '../../dialect/dialect.js';

/** The BigQuery type cdp writes for each portable type (`dialect.typeName`). */
export const bigqueryTypeNames: Readonly<Record<SqlType, string>> = {
  string: 'STRING',
  integer: 'INT64',
  float: 'FLOAT64',
  boolean: 'BOOL',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
};

/** GoogleSQL type names (INFORMATION_SCHEMA.COLUMNS spells the canonical ones; aliases for safety), first match wins. */
const PORTABLE: readonly (readonly [RegExp, SqlType])[] = [
  [/^STRING/, 'string'],
  [/^(INT64|INTEGER|INT|BIGINT|SMALLINT|TINYINT|BYTEINT)/, 'integer'],
  [/^(FLOAT64|FLOAT|NUMERIC|BIGNUMERIC|DECIMAL|BIGDECIMAL)/, 'float'],
  [/^(BOOL|BOOLEAN)/, 'boolean'],
  [/^(TIMESTAMP|DATETIME)/, 'timestamp'],
  [/^DATE/, 'date'],
];

/** The portable type of a BigQuery column type (undefined for BYTES, ARRAY, STRUCT, JSON, GEOGRAPHY …). */
export function bigquerySqlType(engineType: string): SqlType | undefined {
  const t = engineType.toUpperCase();
  return PORTABLE.find(([pattern]) => pattern.test(t))?.[1];
}
