/**
 * Warehouse driver conformance: the same cases, the same data and the same expected answers on
 * DuckDB, the BigQuery emulator and the Snowflake emulator, through the production Warehouse
 * classes. What the emulators cannot prove is listed in EMULATOR_GAPS.md §6.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableRef } from '../../src/dialect/dialect.js';
import { replaceTable } from '../../src/warehouse/replace-table.js';
import { WarehouseError, type Row, type Value, type Warehouse } from '../../src/warehouse/warehouse.js';
import { loadTable, type ColumnSpec } from './load-table.js';
import { warehouseTargets, type RunningTarget } from './warehouse-targets.js';

const SCHEMA = 'conf';
const ref = (name: string, schema = SCHEMA): TableRef => ({ schema, name });

/** Strings that break naive quoting, escaping or parameter handling somewhere. */
const AWKWARD = [
  "it's",
  "''",
  '"double"',
  'back\\slash',
  'trailing\\',
  "\\'",
  '\\n is not a newline',
  'line1\nline2',
  'cr\r\nlf',
  'tab\there',
  'ünïcödé 日本語 😀',
  'e\u0301',
  '-- not a comment',
  '/* nor this */',
  '$$dollar$$',
  "{{ ref('x') }}",
  '? :1 @p %s ${x}',
  '',
  '   spaces   ',
  'NULL',
];
const TYPED: ColumnSpec = [
  ['id', 'integer'],
  ['s', 'string'],
  ['b', 'boolean'],
  ['f', 'float'],
  ['i', 'integer'],
  ['ts', 'timestamp'],
];
const FLOATS = [0.1, -2.5, 1e-7, 123456.789, 0, null];
const INTS = [0, -1, Number.MAX_SAFE_INTEGER, 42, null];
const TIMES = ['2024-02-29T23:59:59.123Z', '1970-01-01T00:00:00.000Z', '2099-12-31T00:00:00.000Z', null];
const BOOLS = [true, false, null];
const TYPED_ROWS: readonly (readonly Value[])[] = [
  ...AWKWARD.map((s, i) => [i, s, BOOLS[i % 3], FLOATS[i % 6], INTS[i % 5], TIMES[i % 4]]),
  [AWKWARD.length, null, null, null, null, null],
];
/** Test set-up only: `select id` for 0 … n-1, from each engine's own row generator. */
function numbers(engine: string, n: number): string {
  if (engine === 'bigquery') return `select x as id from unnest(generate_array(0, ${n - 1})) as x`;
  if (engine === 'snowflake') return `select row_number() over (order by seq4()) - 1 as id from table(generator(rowcount => ${n}))`;
  return `select range as id from range(${n})`;
}
const asRow = (values: readonly Value[]): Row => Object.fromEntries(TYPED.map(([name], i) => [name, values[i]]));

for (const target of await warehouseTargets()) {
  describe.skipIf(!target.available)(`warehouse driver conformance: ${target.name}`, () => {
    let running: RunningTarget;
    let w: Warehouse;
    const q = (name: string) => w.dialect.quoteIdentifier(name);
    const t = (name: string) => w.dialect.table(ref(name));

    beforeAll(async () => {
      running = await target.start();
      w = await running.open();
      await w.execute(w.dialect.createSchema(SCHEMA));
    });
    afterAll(async () => {
      await w?.close();
      await running?.stop();
    });

    it('runs statements and returns rows with lower-case column names', async () => {
      await w.execute(`create table ${t('basic')} (${q('id')} ${w.dialect.typeName('integer')}, ${q('name')} ${w.dialect.typeName('string')})`);
      await w.execute(`insert into ${t('basic')} (${q('id')}, ${q('name')}) values (1, 'a'), (2, 'b')`);
      const rows = await w.query(`select ${q('id')} as MixedCase, ${q('name')} from ${t('basic')} order by ${q('id')}`);
      expect(rows).toEqual([
        { mixedcase: 1, name: 'a' },
        { mixedcase: 2, name: 'b' },
      ]);
      expect(await w.query(`select ${q('id')} from ${t('basic')} where 1 = 0`)).toEqual([]);
    });

    it('reads every logical type as the same value', async () => {
      const d = w.dialect;
      const [row] = await w.query(
        `select ${d.cast('42', 'integer')} as i, ${d.cast('2.5', 'float')} as f, ${d.cast("'x'", 'string')} as s, true as b, ` +
          `${d.timestampLiteral(new Date('2026-03-04T05:06:07.089Z'))} as ts, ${d.cast("'2026-03-04'", 'date')} as d, ` +
          `${d.cast('null', 'integer')} as ni, ${d.cast('null', 'timestamp')} as nts, ${d.cast('null', 'string')} as ns`,
      );
      expect(row).toEqual({ i: 42, f: 2.5, s: 'x', b: true, ts: '2026-03-04T05:06:07.089Z', d: '2026-03-04T00:00:00.000Z', ni: null, nts: null, ns: null });
    });

    it('round-trips awkward strings, nulls, booleans, numbers and timestamps through insertRows', async () => {
      await loadTable(w, ref('typed'), TYPED, TYPED_ROWS);
      const rows = await w.query(`select ${TYPED.map(([n]) => q(n)).join(', ')} from ${t('typed')} order by ${q('id')}`);
      expect(rows).toEqual(TYPED_ROWS.map(asRow));
      // the engine sees the same strings: lengths agree with JavaScript's count of code points
      const lengths = await w.query(`select ${q('id')} as id, length(${q('s')}) as n from ${t('typed')} where ${q('s')} is not null order by ${q('id')}`);
      expect(lengths.map((r) => r.n)).toEqual(AWKWARD.map((s) => [...s].length));
    });

    it('keeps integers beyond 2^53 exact (as strings)', async () => {
      await loadTable(w, ref('big'), [['v', 'integer']], []);
      await w.execute(`insert into ${t('big')} (${q('v')}) values (9007199254740993), (-9007199254740993), (9223372036854775807)`);
      const rows = await w.query(`select ${q('v')} as v from ${t('big')} order by ${q('v')}`);
      expect(rows.map((r) => r.v)).toEqual(['-9007199254740993', '9007199254740993', '9223372036854775807']);
      const [sum] = await w.query(`select sum(${q('v')}) - 9223372036854775807 as s from ${t('big')}`);
      expect(sum.s).toBe(0);
    });

    it('streams a large result in chunks, in order, without losing a row', async () => {
      const n = 5000;
      await w.execute(w.dialect.createTableAs(ref('many'), `select id, concat('row ', ${w.dialect.cast('id', 'string')}) as label from (${numbers(target.name, n)}) x`));
      const chunks: (readonly Row[])[] = [];
      for await (const chunk of w.stream(`select id, label from ${t('many')} order by id`, { chunkRows: 1000 })) chunks.push(chunk);
      expect(chunks.length).toBeGreaterThanOrEqual(3);
      const all = chunks.flat();
      expect(all.length).toBe(n);
      expect(all.every((r, i) => r.id === i && r.label === `row ${i}`)).toBe(true);
      const empty: (readonly Row[])[] = [];
      for await (const chunk of w.stream(`select id from ${t('many')} where 1 = 0`)) empty.push(chunk);
      expect(empty).toEqual([]);
    });

    it('commits a transaction as a whole', async () => {
      await loadTable(w, ref('tx'), [['id', 'integer'], ['v', 'string']], [[1, 'a']]);
      await w.transaction(
        [`insert into ${t('tx')} (${q('id')}, ${q('v')}) values (2, 'b')`, `update ${t('tx')} set ${q('v')} = 'A' where ${q('id')} = 1`],
        { label: 'commit test' },
      );
      expect(await w.query(`select ${q('id')} as id, ${q('v')} as v from ${t('tx')} order by ${q('id')}`)).toEqual([
        { id: 1, v: 'A' },
        { id: 2, v: 'b' },
      ]);
      await w.transaction([]);
    });

    it('rolls a transaction back when one statement fails, and reports it with the label', async () => {
      await loadTable(w, ref('tx2'), [['id', 'integer']], [[1]]);
      const failing = w.transaction(
        [`insert into ${t('tx2')} (${q('id')}) values (2)`, `delete from ${t('tx2')} where 1 = 1`, `insert into ${t('no_such_table')} (${q('id')}) values (3)`],
        { label: 'rollback test' },
      );
      await expect(failing).rejects.toBeInstanceOf(WarehouseError);
      await expect(failing).rejects.toMatchObject({ label: 'rollback test', message: expect.stringMatching(/^rollback test: /) });
      expect(await w.query(`select ${q('id')} as id from ${t('tx2')}`)).toEqual([{ id: 1 }]);
      // the session is usable afterwards (no transaction left open)
      await w.execute(`insert into ${t('tx2')} (${q('id')}) values (4)`);
      expect((await w.query(`select count(*) as n from ${t('tx2')}`))[0].n).toBe(2);
    });

    it('refuses DDL in a transaction where the engine cannot roll it back', async () => {
      const ddl = `create table ${t('made_in_tx')} (${q('id')} ${w.dialect.typeName('integer')})`;
      if (w.dialect.capabilities.transactionalDdl) {
        await w.transaction([ddl, `insert into ${t('made_in_tx')} (${q('id')}) values (1)`]);
        expect(await w.tableExists(ref('made_in_tx'))).toBe(true);
        return;
      }
      const attempt = w.transaction([`insert into ${t('tx2')} (${q('id')}) values (9)`, ddl], { label: 'ddl test' });
      await expect(attempt).rejects.toThrow(/ddl test: .*cannot run DDL inside a transaction \(CREATE TABLE/);
      expect(await w.tableExists(ref('made_in_tx'))).toBe(false);
      expect((await w.query(`select count(*) as n from ${t('tx2')} where ${q('id')} = 9`))[0].n).toBe(0);
    });

    it('tells tables from views, lists columns with their types, and knows what is missing', async () => {
      const spec: ColumnSpec = [['name', 'string'], ['n', 'integer'], ['x', 'float'], ['ok', 'boolean'], ['at', 'timestamp'], ['day', 'date']];
      await loadTable(w, ref('meta'), spec, []);
      await w.execute(w.dialect.createViewAs(ref('meta_view'), `select ${q('name')}, ${q('n')} from ${t('meta')}`));
      expect(await w.tableExists(ref('meta'))).toBe(true);
      expect(await w.relationKind(ref('meta'))).toBe('table');
      expect(await w.relationKind(ref('meta_view'))).toBe('view');
      expect(await w.tableExists(ref('meta_view'))).toBe(true);
      const columns = await w.columns(ref('meta'));
      expect(columns.map((c) => [c.name.toLowerCase(), c.sqlType])).toEqual(spec);
      expect(columns.every((c) => c.type === c.type.toUpperCase())).toBe(true);
      expect((await w.columns(ref('meta_view'))).map((c) => c.name.toLowerCase())).toEqual(['name', 'n']);
      expect(await w.tableExists(ref('nope'))).toBe(false);
      expect(await w.relationKind(ref('nope'))).toBeUndefined();
      expect(await w.columns(ref('nope'))).toEqual([]);
      expect(await w.tableExists(ref('meta', 'no_such_schema'))).toBe(false);
      expect(await w.columns(ref('meta', 'no_such_schema'))).toEqual([]);
    });

    it('replaces a table atomically with replaceTable, leaving no staging table', async () => {
      const target = ref('replaced');
      await replaceTable(w, target, `select 1 as ${q('a')}`, { label: 'first build' });
      expect(await w.query(`select ${q('a')} as a from ${t('replaced')}`)).toEqual([{ a: 1 }]);
      await replaceTable(w, target, `select 2 as ${q('a')}, 'x' as ${q('b')} union all select 3, 'y'`, { label: 'second build' });
      expect(await w.query(`select ${q('a')} as a, ${q('b')} as b from ${t('replaced')} order by ${q('a')}`)).toEqual([
        { a: 2, b: 'x' },
        { a: 3, b: 'y' },
      ]);
      expect(await w.tableExists(ref('replaced__new'))).toBe(false);
      const failed = replaceTable(w, target, `select * from ${t('no_such_table')}`, { label: 'third build' });
      await expect(failed).rejects.toBeInstanceOf(WarehouseError);
      expect((await w.query(`select count(*) as n from ${t('replaced')}`))[0].n).toBe(2);
    });

    it('reports a rejected statement as a WarehouseError naming the step, from every method', async () => {
      const missing = `select * from ${t('no_such_table')}`;
      const cases: readonly [string, () => Promise<unknown>][] = [
        ['query', () => w.query(missing, { label: 'step q' })],
        ['execute', () => w.execute('selec 1', { label: 'step e' })],
        [
          'stream',
          async () => {
            for await (const chunk of w.stream(missing, { label: 'step s' })) void chunk;
          },
        ],
        ['insertRows', () => w.insertRows(ref('no_such_table'), ['id'], [[1]])],
      ];
      for (const [method, run] of cases) {
        const error = await run().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, method).toBeInstanceOf(WarehouseError);
        const we = error as WarehouseError;
        expect(we.sql, method).not.toBe('');
        if (method !== 'insertRows') expect(we.message, method).toMatch(new RegExp(`^${we.label}: \\S`));
      }
      const notFound = (await w.query(missing, { label: 'x' }).catch((e: unknown) => e)) as WarehouseError;
      expect(notFound.message.toLowerCase()).toMatch(/no_such_table/);
    });
  });
}
