import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Dialect } from '../../src/dialect/dialect.js';
import { SAMPLE_TABLES, type SampleColumnType, type SampleTableName } from '../../src/sample/sample-tables.js';
import type { Value, Warehouse } from '../../src/warehouse/warehouse.js';

/** The generated tables the sample project reads as sources. */
export const SAMPLE_SOURCE_TABLES: readonly SampleTableName[] = [
  'web_events',
  'app_events',
  'orders',
  'hubspot_contacts',
  'salesforce_contacts',
  'email_events',
  'consents',
  'hubspot_companies',
  'salesforce_accounts',
  'subscriptions',
];

/**
 * Test set-up: loads `cdp generate`'s CSV files into `<schema>.<table>` with the exact column types
 * of SAMPLE_TABLES (what a loader such as Fivetran would have put in the warehouse), through
 * insertRows. An empty CSV field is NULL, a quoted empty field `""` the empty string.
 */
export async function loadSampleTables(warehouse: Warehouse, dataDir: string, schema = 'raw'): Promise<Record<string, number>> {
  const d = warehouse.dialect;
  await warehouse.execute(d.createSchema(schema));
  const counts: Record<string, number> = {};
  for (const name of SAMPLE_SOURCE_TABLES) {
    const columns = SAMPLE_TABLES[name];
    const table = { schema, name };
    const defs = columns.map((c) => `${d.quoteIdentifier(c.name)} ${columnType(d, c.type)}`).join(', ');
    await warehouse.execute(`create or replace table ${d.table(table)} (${defs})`);
    const rows = await readCsv(join(dataDir, `${name}.csv`), columns.map((c) => c.type));
    await warehouse.insertRows(table, columns.map((c) => c.name), rows);
    counts[name] = rows.length;
  }
  return counts;
}

function columnType(d: Dialect, type: SampleColumnType): string {
  switch (type) {
    case 'VARCHAR':
      return d.typeName('string');
    case 'TIMESTAMP':
      return d.typeName('timestamp');
    case 'BOOLEAN':
      return d.typeName('boolean');
    case 'BIGINT':
      return d.typeName('integer');
    case 'DECIMAL(12,2)':
      return { duckdb: 'decimal(12,2)', bigquery: 'NUMERIC(12, 2)', snowflake: 'number(12,2)' }[d.name];
  }
}

async function readCsv(path: string, types: readonly SampleColumnType[]): Promise<Value[][]> {
  const records: unknown = parse(await readFile(path, 'utf8'), {
    from_line: 2,
    relax_quotes: false,
    cast: (value, context) => (value === '' && !context.quoting ? null : value),
  });
  if (!Array.isArray(records)) throw new Error(`${path}: not a CSV table`);
  return records.map((record: unknown) => {
    if (!Array.isArray(record)) throw new Error(`${path}: bad row`);
    return types.map((type, i) => toValue(record[i] as unknown, type));
  });
}

function toValue(raw: unknown, type: SampleColumnType): Value {
  if (raw === null || raw === undefined) return null;
  const text = String(raw);
  switch (type) {
    case 'TIMESTAMP':
      return `${text.replace(' ', 'T')}Z`;
    case 'BOOLEAN':
      return text === 'true';
    case 'BIGINT':
    case 'DECIMAL(12,2)':
      return Number(text);
    case 'VARCHAR':
      return text;
  }
}
