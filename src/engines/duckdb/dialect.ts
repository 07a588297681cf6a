import { duckdbTypeNames } from './column-types.js';
import { ansiParts, utcTimestampText } from '../../dialect/ansi.js';
import { type Dialect, type SqlType, type TableRef } from '../../dialect/dialect.js';

export const duckdbDialect: Dialect = {
  ...ansiParts,
  name: 'duckdb',
  capabilities: { readsFiles: true, transactionalDdl: true, sharedCtes: true, zoneMaps: true },
  quoteIdentifier: (name) => `"${name.replaceAll('"', '""')}"`,
  timestampLiteral: (instant) => `timestamp '${utcTimestampText(instant)}'`,
  typeName: (type) => duckdbTypeNames[type],
  timestampSub: (expr, amount, unit) => `(${expr} - interval ${amount} ${unit})`,
  regexpContains: (expr, pattern) => `regexp_matches(${expr}, ${pattern})`,
  regexpReplace: (expr, pattern, replacement) => `regexp_replace(${expr}, ${pattern}, ${replacement}, 'g')`,
  md5Hex: (expr) => `md5(${expr})`,
  // DuckDB's 64-bit hash of the row: a tenth of the cost of an MD5 of its JSON (0.05 s against 0.5 s for 2M rows).
  rowFingerprint: (alias) => `cast(hash(${alias}) as varchar)`,
  countIf: (condition) => `count(*) filter (where ${condition})`,
  firstValue(value, orderBy, f) {
    const filter = [`${value} is not null`, ...(f?.filter ? [`(${f.filter})`] : [])].join(' and ');
    return `first(${value} order by ${orderBy.join(', ')}) filter (where ${filter})`;
  },
  aggregate: (fn, expr, f) => (f?.filter ? `${fn}(${expr}) filter (where ${f.filter})` : `${fn}(${expr})`),
  countDistinct: (expr, f) =>
    f?.filter ? `count(distinct ${expr}) filter (where ${f.filter})` : `count(distinct ${expr})`,
  scratchTable(ref) {
    return `temp.main.${this.quoteIdentifier(`${ref.schema}__${ref.name}`)}`;
  },
  createScratchTableAs(target, select) {
    return `create or replace temp table ${this.quoteIdentifier(`${target.schema}__${target.name}`)} as\n${select}`;
  },
  swapTables(staging: TableRef, target: TableRef, targetExists: boolean) {
    return [
      ...(targetExists ? [this.dropTable(target)] : []),
      `alter table ${this.table(staging)} rename to ${this.quoteIdentifier(target.name)}`,
    ];
  },
  unorderedSession: () => ({ enter: ['set preserve_insertion_order = false'], exit: ['set preserve_insertion_order to default'] }),
  readFile(path, format) {
    const reader = { csv: 'read_csv_auto', parquet: 'read_parquet', json: 'read_json_auto' }[format];
    return `${reader}(${ansiParts.stringLiteral(path)})`;
  },
  sniffCsv(file) {
    return `select "Delimiter" as delimiter, "Quote" as quote, "Escape" as escape, "NewLineDelimiter" as new_line, "Comment" as comment,
  "SkipRows" as skip_rows, "HasHeader" as has_header, "DateFormat" as date_format, "TimestampFormat" as timestamp_format
from sniff_csv(${ansiParts.stringLiteral(file)})`;
  },
  readCsvAs(files, csv, columns) {
    const lit = ansiParts.stringLiteral;
    const options = [
      'auto_detect = false',
      `delim = ${lit(csv.delimiter)}`,
      `quote = ${lit(csv.quote)}`,
      `escape = ${lit(csv.escape)}`,
      `new_line = ${lit(csv.newLine)}`,
      `comment = ${lit(csv.comment)}`,
      `skip = ${csv.skipRows}`,
      `header = ${csv.hasHeader}`,
      `columns = {${columns.map(([name, type]) => `${lit(name)}: ${lit(type)}`).join(', ')}}`,
      ...(csv.dateFormat ? [`dateformat = ${lit(csv.dateFormat)}`] : []),
      ...(csv.timestampFormat ? [`timestampformat = ${lit(csv.timestampFormat)}`] : []),
    ];
    return `read_csv([${files.map((f) => lit(f)).join(', ')}], ${options.join(', ')})`;
  },
};
