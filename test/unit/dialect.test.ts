import { describe, expect, it } from 'vitest';
import { dialects } from '../../src/engines/dialects.js';
import type { Dialect, DialectName } from '../../src/dialect/dialect.js';
import { snowflakeDialect } from '../../src/engines/snowflake/dialect.js';

/** Each construct the Dialect renders, with the exact SQL expected per engine. */
function expectSql(render: (d: Dialect) => string | readonly string[], expected: Record<DialectName, string | readonly string[]>): void {
  for (const [name, dialect] of Object.entries(dialects) as [DialectName, Dialect][]) {
    expect(render(dialect), name).toEqual(expected[name]);
  }
}

const t = { schema: 'cdp', name: 'profiles' };
const instant = new Date('2026-03-04T05:06:07.089Z');

describe('Dialect', () => {
  it('quotes identifiers, folding to upper case on Snowflake', () => {
    expectSql((d) => d.quoteIdentifier('Weird"name'), { duckdb: '"Weird""name"', bigquery: '`Weird"name`', snowflake: '"WEIRD""NAME"' });
    expectSql((d) => d.table(t), { duckdb: '"cdp"."profiles"', bigquery: '`cdp`.`profiles`', snowflake: '"CDP"."PROFILES"' });
  });

  it('escapes string literals per engine', () => {
    expectSql((d) => d.stringLiteral("it's a\\b"), { duckdb: "'it''s a\\b'", bigquery: "'it\\'s a\\\\b'", snowflake: "'it''s a\\\\b'" });
    expectSql((d) => d.literal(null), { duckdb: 'null', bigquery: 'null', snowflake: 'null' });
    expectSql((d) => d.literal(true), { duckdb: 'true', bigquery: 'true', snowflake: 'true' });
    expectSql((d) => d.literal(1.5), { duckdb: '1.5', bigquery: '1.5', snowflake: '1.5' });
  });

  it('writes UTC timestamp literals and relative windows', () => {
    expectSql((d) => d.timestampLiteral(instant), {
      duckdb: "timestamp '2026-03-04 05:06:07.089'",
      bigquery: "timestamp '2026-03-04 05:06:07.089+00'",
      snowflake: "'2026-03-04 05:06:07.089'::timestamp_ntz",
    });
    expectSql((d) => d.timestampSub('ts', 7, 'day'), {
      duckdb: '(ts - interval 7 day)',
      bigquery: 'timestamp_sub(ts, interval 7 day)',
      snowflake: 'dateadd(day, -7, ts)',
    });
  });

  it('names types and casts', () => {
    expectSql((d) => d.cast('x', 'integer'), { duckdb: 'cast(x as bigint)', bigquery: 'cast(x as INT64)', snowflake: 'cast(x as number(38,0))' });
    expectSql((d) => d.tryCast('x', 'float'), { duckdb: 'try_cast(x as double)', bigquery: 'safe_cast(x as FLOAT64)', snowflake: 'try_cast(to_varchar(x) as float)' });
  });

  it('casts to timestamps as UTC instants, whatever the source column type (Snowflake TIMESTAMP_TZ keeps its offset otherwise)', () => {
    expectSql((d) => d.cast('ts', 'timestamp'), {
      duckdb: 'cast(ts as timestamp)',
      bigquery: 'cast(ts as TIMESTAMP)',
      snowflake: 'cast(cast(ts as timestamp_ltz) as timestamp_ntz)',
    });
    expectSql((d) => d.tryCast('ts', 'timestamp'), {
      duckdb: 'try_cast(ts as timestamp)',
      bigquery: 'safe_cast(ts as TIMESTAMP)',
      snowflake: 'cast(try_cast(to_varchar(ts) as timestamp_ltz) as timestamp_ntz)',
    });
  });

  it('renders filtered aggregates without FILTER where the engine lacks it', () => {
    expectSql((d) => d.countIf("path = '/pricing'"), {
      duckdb: "count(*) filter (where path = '/pricing')",
      bigquery: "countif(path = '/pricing')",
      snowflake: "count_if(path = '/pricing')",
    });
    expectSql((d) => d.aggregate('sum', 'amount', { filter: "status = 'paid'" }), {
      duckdb: "sum(amount) filter (where status = 'paid')",
      bigquery: "sum(case when status = 'paid' then amount end)",
      snowflake: "sum(case when status = 'paid' then amount end)",
    });
    expectSql((d) => d.countDistinct('order_id', { filter: 'amount > 0' }), {
      duckdb: 'count(distinct order_id) filter (where amount > 0)',
      bigquery: 'count(distinct case when amount > 0 then order_id end)',
      snowflake: 'count(distinct case when amount > 0 then order_id end)',
    });
  });

  it('picks the first non-null value by an ordering, deterministically', () => {
    expectSql((d) => d.firstValue('email', ['ts desc', 'row_key desc']), {
      duckdb: 'first(email order by ts desc, row_key desc) filter (where email is not null)',
      bigquery: 'array_agg(email order by email is null, ts is null, ts desc, row_key is null, row_key desc limit 1)[safe_offset(0)]',
      snowflake:
        "max_by(email, case when email is not null then case when ts is null then '0' else '1' || to_char(ts, 'YYYY-MM-DD HH24:MI:SS.FF9') end || case when row_key is null then '0' else '1' || to_varchar(row_key) end end)",
    });
  });

  it('never builds an array of every value per group for first/last on Snowflake', () => {
    const sql = snowflakeDialect.firstValue('email', ['ts asc', 'email asc'], { filter: 'x > 1' });
    expect(sql).not.toMatch(/array_agg/i);
    expect(sql).toMatch(/^min_by\(/);
  });

  it('matches regular expressions anywhere in the string, and hashes', () => {
    expectSql((d) => d.regexpContains('v', "'^0+$'"), {
      duckdb: "regexp_matches(v, '^0+$')",
      bigquery: "regexp_contains(v, '^0+$')",
      snowflake: "(regexp_instr(v, '^0+$') > 0)",
    });
    expectSql((d) => d.regexpReplace('p', "'[^0-9]'", "''"), {
      duckdb: "regexp_replace(p, '[^0-9]', '', 'g')",
      bigquery: "regexp_replace(p, '[^0-9]', '')",
      snowflake: "regexp_replace(p, '[^0-9]', '')",
    });
    expectSql((d) => d.md5Hex('k'), { duckdb: 'md5(k)', bigquery: 'to_hex(md5(k))', snowflake: 'md5(k)' });
  });

  it('replaces tables atomically', () => {
    expectSql((d) => d.createTableAs(t, 'select 1 as x'), {
      duckdb: 'create or replace table "cdp"."profiles" as\nselect 1 as x',
      bigquery: 'create or replace table `cdp`.`profiles` as\nselect 1 as x',
      snowflake: 'create or replace table "CDP"."PROFILES" as\nselect 1 as x',
    });
    const staging = { schema: 'cdp', name: 'profiles__new' };
    expectSql((d) => d.swapTables(staging, t, true), {
      duckdb: ['drop table if exists "cdp"."profiles"', 'alter table "cdp"."profiles__new" rename to "profiles"'],
      bigquery: ['create or replace table `cdp`.`profiles` copy `cdp`.`profiles__new`', 'drop table if exists `cdp`.`profiles__new`'],
      snowflake: ['alter table "CDP"."PROFILES__NEW" swap with "CDP"."PROFILES"', 'drop table if exists "CDP"."PROFILES__NEW"'],
    });
    expectSql((d) => d.createScratchTableAs({ schema: 'cdp', name: 'w' }, 'select 1'), {
      duckdb: 'create or replace temp table "cdp__w" as\nselect 1',
      bigquery: 'create or replace table `cdp`.`w`\noptions (expiration_timestamp = timestamp_add(current_timestamp(), interval 1 day)) as\nselect 1',
      snowflake: 'create or replace temporary table "CDP"."W" as\nselect 1',
    });
    expectSql((d) => d.scratchTable({ schema: 'cdp', name: 'w' }), { duckdb: 'temp.main."cdp__w"', bigquery: '`cdp`.`w`', snowflake: '"CDP"."W"' });
  });

  it('adds a column to an existing table (sync state gains a field)', () => {
    expectSql((d) => d.addColumn(t, 'f_cdp_ltv', 'string'), {
      duckdb: 'alter table "cdp"."profiles" add column "f_cdp_ltv" varchar',
      bigquery: 'alter table `cdp`.`profiles` add column `f_cdp_ltv` STRING',
      snowflake: 'alter table "CDP"."PROFILES" add column "F_CDP_LTV" varchar',
    });
    expectSql((d) => d.addColumn(t, 'm_vip', 'boolean'), {
      duckdb: 'alter table "cdp"."profiles" add column "m_vip" boolean',
      bigquery: 'alter table `cdp`.`profiles` add column `m_vip` BOOL',
      snowflake: 'alter table "CDP"."PROFILES" add column "M_VIP" boolean',
    });
  });

  it('relaxes row order for bulk intermediate work only where the engine keeps it by default', () => {
    expectSql((d) => [...d.unorderedSession().enter, '|', ...d.unorderedSession().exit], {
      duckdb: ['set preserve_insertion_order = false', '|', 'set preserve_insertion_order to default'],
      bigquery: ['|'],
      snowflake: ['|'],
    });
  });

  it('opens, commits and rolls back transactions in each engine\'s words', () => {
    expectSql((d) => [d.beginTransaction(), d.commitTransaction(), d.rollbackTransaction()], {
      duckdb: ['begin transaction', 'commit', 'rollback'],
      bigquery: ['begin transaction', 'commit transaction', 'rollback transaction'],
      snowflake: ['begin transaction', 'commit', 'rollback'],
    });
  });

  it('reads files only on DuckDB', () => {
    expect(dialects.duckdb.readFile('data/a.csv', 'csv')).toBe("read_csv_auto('data/a.csv')");
    expect(() => dialects.bigquery.readFile('data/a.csv', 'csv')).toThrow(/not supported on bigquery/);
    expect(() => dialects.snowflake.readFile('data/a.csv', 'csv')).toThrow(/not supported on snowflake/);
  });
});
