import { bigqueryTypeNames } from './column-types.js';
import { ansiParts, utcTimestampText } from '../../dialect/ansi.js';
import { UnsupportedByDialect, filterValue, type Dialect, type SqlType, type TableRef } from '../../dialect/dialect.js';

/** GoogleSQL: backtick identifiers, backslash escapes, no FILTER clause, no try_cast (SAFE_CAST). */
export const bigqueryDialect: Dialect = {
  ...ansiParts,
  name: 'bigquery',
  capabilities: { readsFiles: false, transactionalDdl: false, sharedCtes: false, zoneMaps: false },
  quoteIdentifier: (name) => `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``,
  stringLiteral: (value) =>
    `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n').replaceAll('\r', '\\r')}'`,
  timestampLiteral: (instant) => `timestamp '${utcTimestampText(instant)}+00'`,
  typeName: (type) => bigqueryTypeNames[type],
  tryCast: (expr, type) => `safe_cast(${expr} as ${bigqueryTypeNames[type]})`,
  timestampSub: (expr, amount, unit) => `timestamp_sub(${expr}, interval ${amount} ${unit})`,
  regexpContains: (expr, pattern) => `regexp_contains(${expr}, ${pattern})`,
  regexpReplace: (expr, pattern, replacement) => `regexp_replace(${expr}, ${pattern}, ${replacement})`,
  md5Hex: (expr) => `to_hex(md5(${expr}))`,
  rowFingerprint: (alias) => `to_hex(md5(to_json_string(${alias})))`,
  countIf: (condition) => `countif(${condition})`,
  // Nulls sort last explicitly: engines disagree on where NULL goes by default.
  firstValue(value, orderBy, f) {
    const v = filterValue(value, f);
    return `array_agg(${v} order by ${v} is null, ${nullsLast(orderBy)} limit 1)[safe_offset(0)]`;
  },
  createScratchTableAs(target, select) {
    return `create or replace table ${this.scratchTable(target)}\noptions (expiration_timestamp = timestamp_add(current_timestamp(), interval 1 day)) as\n${select}`;
  },
  swapTables(staging: TableRef, target: TableRef) {
    return [
      `create or replace table ${this.table(target)} copy ${this.table(staging)}`,
      this.dropTable(staging),
    ];
  },
  beginTransaction: () => 'begin transaction',
  commitTransaction: () => 'commit transaction',
  rollbackTransaction: () => 'rollback transaction',
  readFile() {
    throw new UnsupportedByDialect('bigquery', 'reading files as a source (path:)');
  },
  sniffCsv() {
    throw new UnsupportedByDialect('bigquery', 'reading files as a source (path:)');
  },
  readCsvAs() {
    throw new UnsupportedByDialect('bigquery', 'reading files as a source (path:)');
  },
};

/** `ts desc` -> `ts is null, ts desc`: rows without an ordering value never win. */
export function nullsLast(orderBy: readonly string[]): string {
  return orderBy.map((item) => `${item.replace(/\s+(asc|desc)$/i, '')} is null, ${item}`).join(', ');
}
