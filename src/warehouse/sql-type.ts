import type { SqlType } from '../dialect/dialect.js';

/** The logical type of a warehouse column type name (DuckDB, BigQuery or Snowflake spelling). */
export function sqlTypeOf(engineType: string): SqlType | undefined {
  const t = engineType.toUpperCase();
  if (/^(VARCHAR|STRING|TEXT|CHAR|UUID)/.test(t)) return 'string';
  if (/^(BIGINT|INTEGER|INT|INT64|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT|NUMBER\(\d+,\s*0\))/.test(t)) return 'integer';
  if (/^(DOUBLE|FLOAT|REAL|DECIMAL|NUMERIC|NUMBER|FLOAT64|BIGNUMERIC)/.test(t)) return 'float';
  if (/^(BOOLEAN|BOOL)/.test(t)) return 'boolean';
  if (/^(TIMESTAMP|DATETIME)/.test(t)) return 'timestamp';
  if (/^DATE/.test(t)) return 'date';
  return undefined;
}
