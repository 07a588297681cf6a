import { bigqueryDialect } from './bigquery/dialect.js';
import type { Dialect, DialectName } from '../dialect/dialect.js';
import { duckdbDialect } from './duckdb/dialect.js';
import { snowflakeDialect } from './snowflake/dialect.js';

/** Every dialect cdp compiles to. Add an engine by adding it here (see CONTEXT.md). */
export const dialects: Readonly<Record<DialectName, Dialect>> = {
  duckdb: duckdbDialect,
  bigquery: bigqueryDialect,
  snowflake: snowflakeDialect,
};

export const dialectNames = Object.keys(dialects) as DialectName[];
