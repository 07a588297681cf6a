import type { SqlType } from '../../dialect/dialect.js';

/** The Snowflake type cdp writes for each portable type (`dialect.typeName`). */
export const snowflakeTypeNames: Readonly<Record<SqlType, string>> = {
  string: 'varchar',
  integer: 'number(38,0)',
  float: 'float',
  boolean: 'boolean',
  timestamp: 'timestamp_ntz',
  date: 'date',
};

/**
 * Snowflake type names as `SnowflakeWarehouse.columns()` spells them: NUMBER carries its precision and
 * scale, and `NUMBER(p,0)` is an integer. First match wins.
 */
const PORTABLE: readonly (readonly [RegExp, SqlType])[] = [
  [/^(VARCHAR|STRING|TEXT|CHAR)/, 'string'],
  [/^(NUMBER\(\d+,\s*0\)|BIGINT|INTEGER|INT|SMALLINT|TINYINT|BYTEINT)/, 'integer'],
  [/^(NUMBER|DECIMAL|NUMERIC|FLOAT|DOUBLE|REAL)/, 'float'],
  [/^BOOLEAN/, 'boolean'],
  [/^(TIMESTAMP|DATETIME)/, 'timestamp'],
  [/^DATE/, 'date'],
];

/** The portable type of a Snowflake column type (undefined for VARIANT, ARRAY, OBJECT, BINARY …). */
export function snowflakeSqlType(engineType: string): SqlType | undefined {
  const t = engineType.toUpperCase();
  return PORTABLE.find(([pattern]) => pattern.test(t))?.[1];
}
