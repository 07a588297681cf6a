import type { SampleIdType } from './identifier-slot.js';

/**
 * The raw tables the sample generator writes: column names and their DuckDB types, in file order.
 * CSV files carry a header row; parquet files carry these types. Timestamps are UTC, written as
 * `YYYY-MM-DD HH:MM:SS`. In CSV a NULL is an empty field and an empty string is `""` (DuckDB reads `""`
 * as NULL unless `allow_quoted_nulls=false`).
 */
export type SampleColumnType = 'VARCHAR' | 'TIMESTAMP' | 'BOOLEAN' | 'DECIMAL(12,2)' | 'BIGINT';

export interface SampleColumn {
  readonly name: string;
  readonly type: SampleColumnType;
}

export type SampleTableName =
  | 'web_events'
  | 'app_events'
  | 'orders'
  | 'hubspot_contacts'
  | 'salesforce_contacts'
  | 'email_events'
  | 'consents'
  | 'identity_truth'
  | 'people_truth'
  | 'hubspot_companies'
  | 'salesforce_accounts'
  | 'subscriptions';

const v = (name: string): SampleColumn => ({ name, type: 'VARCHAR' });
const ts = (name: string): SampleColumn => ({ name, type: 'TIMESTAMP' });
const bool = (name: string): SampleColumn => ({ name, type: 'BOOLEAN' });

export const SAMPLE_TABLES: Readonly<Record<SampleTableName, readonly SampleColumn[]>> = {
  web_events: [
    v('event_id'),
    ts('received_at'),
    v('anonymous_id'),
    v('user_id'),
    v('email'),
    v('event_type'),
    v('event_name'),
    v('path'),
    v('utm_source'),
    v('device_type'),
  ],
  app_events: [v('event_id'), ts('occurred_at'), v('device_id'), v('user_id'), v('event_name'), v('platform'), v('anonymous_id')],
  orders: [
    v('order_id'),
    ts('ordered_at'),
    v('user_id'),
    v('email'),
    { name: 'amount', type: 'DECIMAL(12,2)' },
    v('currency'),
    v('status'),
  ],
  hubspot_contacts: [
    v('hs_object_id'),
    v('email'),
    v('firstname'),
    v('lastname'),
    v('phone'),
    v('lifecyclestage'),
    ts('updated_at'),
    v('company_id'),
  ],
  salesforce_contacts: [
    v('sf_id'),
    v('email'),
    v('phone'),
    v('first_name'),
    v('last_name'),
    v('account_name'),
    ts('updated_at'),
    v('account_id'),
  ],
  email_events: [ts('sent_at'), v('email'), v('campaign'), v('event')],
  consents: [v('user_id'), v('email'), bool('marketing_consent'), bool('do_not_sync'), ts('updated_at')],
  identity_truth: [
    v('id_type'),
    v('id_value_raw'),
    v('id_value_norm'),
    v('person_id'),
    v('kind'),
    v('reason'),
    v('link_group'),
  ],
  people_truth: [
    v('person_id'),
    v('persona'),
    bool('is_b2b'),
    { name: 'order_count', type: 'BIGINT' },
    ts('first_seen'),
    ts('last_seen'),
    v('company_domain'),
  ],
  hubspot_companies: [v('hs_company_id'), v('name'), v('domain')],
  salesforce_accounts: [v('sf_account_id'), v('name'), v('website')],
  subscriptions: [v('billing_account_id'), v('domain'), { name: 'mrr', type: 'BIGINT' }, ts('started_at')],
};

export const SAMPLE_TABLE_NAMES = Object.keys(SAMPLE_TABLES) as readonly SampleTableName[];

/** Every column that holds an identifier, with its identity type (as `identity_truth.id_type`). */
export const SAMPLE_IDENTIFIER_COLUMNS: readonly { readonly table: SampleTableName; readonly column: string; readonly idType: SampleIdType }[] = [
  { table: 'web_events', column: 'anonymous_id', idType: 'anonymous_id' },
  { table: 'web_events', column: 'user_id', idType: 'user_id' },
  { table: 'web_events', column: 'email', idType: 'email' },
  { table: 'app_events', column: 'device_id', idType: 'device_id' },
  { table: 'app_events', column: 'user_id', idType: 'user_id' },
  { table: 'app_events', column: 'anonymous_id', idType: 'anonymous_id' },
  { table: 'orders', column: 'user_id', idType: 'user_id' },
  { table: 'orders', column: 'email', idType: 'email' },
  { table: 'hubspot_contacts', column: 'hs_object_id', idType: 'hubspot_id' },
  { table: 'hubspot_contacts', column: 'email', idType: 'email' },
  { table: 'hubspot_contacts', column: 'phone', idType: 'phone' },
  { table: 'salesforce_contacts', column: 'sf_id', idType: 'salesforce_id' },
  { table: 'salesforce_contacts', column: 'email', idType: 'email' },
  { table: 'salesforce_contacts', column: 'phone', idType: 'phone' },
  { table: 'email_events', column: 'email', idType: 'email' },
  { table: 'consents', column: 'user_id', idType: 'user_id' },
  { table: 'consents', column: 'email', idType: 'email' },
];

/** DuckDB `read_csv` over one generated CSV file with the exact column types (no sniffing). */
export function readSampleCsvSql(table: SampleTableName, file: string): string {
  const columns = SAMPLE_TABLES[table].map((c) => `'${c.name}': '${c.type}'`).join(', ');
  const path = file.replaceAll("'", "''");
  return `read_csv('${path}', header = true, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, columns = {${columns}})`;
}
