import { WarehouseError } from './warehouse.js';

const DDL = /^(create|drop|alter|truncate|rename|undrop|grant|revoke|comment)\b/i;
const TEMP_TABLE = /^create\s+(or\s+replace\s+)?temp(orary)?\s+table\b/i;

/** The first keyword of a statement, after leading comments, whitespace and parentheses. */
function leadingText(sql: string): string {
  return sql.replace(/^(\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/|\()+/, '');
}

/**
 * Rejects DDL in a `transaction()` on engines where it cannot be part of one: BigQuery refuses DDL
 * on permanent tables inside a transaction, and Snowflake silently commits the open transaction
 * at every DDL statement (so "all or nothing" would not hold). Checked before anything runs, so
 * the emulators (which accept both) behave like the services here. Callers branch on
 * `dialect.capabilities.transactionalDdl` and run DDL outside transactions.
 */
export function assertDmlOnly(
  engine: 'BigQuery' | 'Snowflake',
  statements: readonly string[],
  label: string | undefined,
  options: { readonly allowTempTables: boolean },
): void {
  for (const sql of statements) {
    const text = leadingText(sql);
    if (!DDL.test(text) || (options.allowTempTables && TEMP_TABLE.test(text))) continue;
    throw new WarehouseError(
      `${engine} cannot run DDL inside a transaction (${text.split(/\s+/, 2).join(' ').toUpperCase()} …); run it before the transaction`,
      label,
      sql,
    );
  }
}
