import type { SqlType } from '../../dialect/dialect.js';

/** The DuckDB type cdp writes for each portable type (`dialect.typeName`). */
export const duckdbTypeNames: Readonly<Record<SqlType, string>> = {
  string: 'varchar',
  integer: 'bigint',
  float: 'double',
  boolean: 'boolean',
  timestamp: 'timestamp',
  date: 'date',
};

/** DuckDB's `information_schema` type names, first match wins. */
const PORTABLE: readonly (readonly [RegExp, SqlType])[] = [
  [/^(VARCHAR|TEXT|CHAR|UUID)/, 'string'],
  [/^(BIGINT|INTEGER|INT|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT|UHUGEINT)/, 'integer'],
  [/^(DOUBLE|FLOAT|REAL|DECIMAL|NUMERIC)/, 'float'],
  [/^(BOOLEAN|BOOL)/, 'boolean'],
  [/^TIMESTAMP/, 'timestamp'],
  [/^DATE/, 'date'],
];

/** The portable type of a DuckDB column type (undefined for lists, structs, blobs, intervals …). */
export function duckdbSqlType(engineType: string): SqlType | undefined {
  const t = engineType.toUpperCase();
  return PORTABLE.find(([pattern]) => pattern.test(t))?.[1];
}
