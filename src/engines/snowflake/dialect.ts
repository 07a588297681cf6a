import { snowflakeTypeNames } from './column-types.js';
import { ansiParts, utcTimestampText } from '../../dialect/ansi.js';
import { UnsupportedByDialect, filterValue, type Dialect, type SqlType, type TableRef } from '../../dialect/dialect.js';

/**
 * Snowflake folds unquoted identifiers to upper case. cdp quotes every name it writes in upper case,
 * so users' unquoted SQL (`where: "lifetime_value > 0"`) finds the columns cdp created.
 * String literals treat backslash as an escape, so it is escaped too.
 */
export const snowflakeDialect: Dialect = {
  ...ansiParts,
  name: 'snowflake',
  capabilities: { readsFiles: false, transactionalDdl: false, sharedCtes: false, zoneMaps: false },
  quoteIdentifier: (name) => `"${name.toUpperCase().replaceAll('"', '""')}"`,
  stringLiteral: (value) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`,
  timestampLiteral: (instant) => `'${utcTimestampText(instant)}'::timestamp_ntz`,
  typeName: (type) => snowflakeTypeNames[type],
  // TIMESTAMP_TZ -> TIMESTAMP_NTZ keeps the wall-clock time of the value's own offset; through
  // TIMESTAMP_LTZ (the session runs in UTC, see SnowflakeWarehouse) it becomes the UTC instant.
  cast: (expr, type) =>
    type === 'timestamp' ? `cast(cast(${expr} as timestamp_ltz) as timestamp_ntz)` : `cast(${expr} as ${snowflakeTypeNames[type]})`,
  // TRY_CAST accepts only string input on Snowflake.
  tryCast: (expr, type) =>
    type === 'timestamp'
      ? `cast(try_cast(to_varchar(${expr}) as timestamp_ltz) as timestamp_ntz)`
      : `try_cast(to_varchar(${expr}) as ${snowflakeTypeNames[type]})`,
  timestampSub: (expr, amount, unit) => `dateadd(${unit}, ${-amount}, ${expr})`,
  // regexp_like anchors the whole string; regexp_instr finds a match anywhere, like the other engines.
  regexpContains: (expr, pattern) => `(regexp_instr(${expr}, ${pattern}) > 0)`,
  regexpReplace: (expr, pattern, replacement) => `regexp_replace(${expr}, ${pattern}, ${replacement})`,
  md5Hex: (expr) => `md5(${expr})`,
  rowFingerprint: (alias) => `md5(to_json(object_construct_keep_null(${alias}.*)))`,
  countIf: (condition) => `count_if(${condition})`,
  // min_by/max_by over one text key keep a single candidate per group (array_agg built an unbounded array
  // per profile, failing past 16 MB). The key sorts like the ordering: the timestamp as fixed-width text,
  // then the tie-break value; a NULL part sorts last ('1' after '0' ascending, '0' before '1' descending).
  // The tie-break compares the value's text: two numbers at the same instant are ordered as text here
  // ('9' after '10'), as numbers on DuckDB and BigQuery; strings, booleans and timestamps agree.
  firstValue(value, orderBy, f) {
    const v = filterValue(value, f);
    const desc = orderBy[0]?.endsWith(' desc') ?? false;
    const [present, absent] = desc ? ["'1'", "'0'"] : ["'0'", "'1'"];
    const parts = orderBy.map((item, i) => {
      const expr = item.replace(/\s+(asc|desc)$/i, '');
      const text = i === 0 ? `to_char(${expr}, 'YYYY-MM-DD HH24:MI:SS.FF9')` : `to_varchar(${expr})`;
      return `case when ${expr} is null then ${absent} else ${present} || ${text} end`;
    });
    return `${desc ? 'max_by' : 'min_by'}(${v}, case when ${v} is not null then ${parts.join(' || ')} end)`;
  },
  createScratchTableAs(target, select) {
    return `create or replace temporary table ${this.scratchTable(target)} as\n${select}`;
  },
  swapTables(staging: TableRef, target: TableRef, targetExists: boolean) {
    return targetExists
      ? [`alter table ${this.table(staging)} swap with ${this.table(target)}`, this.dropTable(staging)]
      : [`alter table ${this.table(staging)} rename to ${this.table(target)}`];
  },
  readFile() {
    throw new UnsupportedByDialect('snowflake', 'reading files as a source (path:)');
  },
  sniffCsv() {
    throw new UnsupportedByDialect('snowflake', 'reading files as a source (path:)');
  },
  readCsvAs() {
    throw new UnsupportedByDialect('snowflake', 'reading files as a source (path:)');
  },
};
