import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { cdp, removeProject, writeProject, yaml } from '../helpers/project.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeProject));
});

async function tables(dir: string): Promise<Record<string, string>> {
  const w = await DuckDBWarehouse.open({ path: join(dir, '.cdp/warehouse.duckdb') });
  try {
    const rows = await w.query(`select table_name, table_type from information_schema.tables where table_schema = 'cdp' order by 1`);
    return Object.fromEntries(rows.map((r) => [String(r.table_name), String(r.table_type)]));
  } finally {
    await w.close();
  }
}

describe('cdp build', () => {
  it('materialises file sources, models in dependency order, and model sources', async () => {
    const dir = await writeProject({
      'cdp.config.yaml': 'project: t\n',
      'data/orders.csv': 'order_id,email,amount\n1, A@X.COM ,10.5\n2,b@y.com,3\n',
      'models/m.yaml': yaml`
        sources:
          - { name: orders, path: data/orders.csv }
          - { name: clean, model: big_orders }
        models:
          - name: big_orders
            materialized: table
            sql: select * from {{ ref('clean_orders') }} where amount > 5
          - name: clean_orders
            sql: select order_id, lower(trim(email)) as email, amount from {{ ref('orders') }}
      `,
    });
    dirs.push(dir);
    const result = await cdp(dir, ['build']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('built 2 models and 2 sources');
    expect(await tables(dir)).toMatchObject({
      source_orders: 'BASE TABLE',
      clean_orders: 'VIEW',
      big_orders: 'BASE TABLE',
      source_clean: 'VIEW',
      runs: 'BASE TABLE',
    });
    const w = await DuckDBWarehouse.open({ path: join(dir, '.cdp/warehouse.duckdb') });
    expect(await w.query('select email, amount from cdp.source_clean')).toEqual([{ email: 'a@x.com', amount: 10.5 }]);
    await w.close();
  });

  it('fails with the step and the warehouse message, keeps the last good table, and records the failed run', async () => {
    const dir = await writeProject({
      'cdp.config.yaml': 'project: t\n',
      'models/m.yaml': yaml`
        models:
          - { name: good, materialized: table, sql: select 1 as x }
      `,
    });
    dirs.push(dir);
    expect((await cdp(dir, ['build'])).code).toBe(0);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'models/m.yaml'), 'models:\n  - { name: good, materialized: table, sql: select x from nowhere }\n');
    const failed = await cdp(dir, ['build']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^models\/m\.yaml:2:\d+ user-sql model 'good' failed in the warehouse: Catalog Error: Table with name nowhere does not exist/m);
    const w = await DuckDBWarehouse.open({ path: join(dir, '.cdp/warehouse.duckdb') });
    expect(await w.query('select x from cdp.good')).toEqual([{ x: 1 }]);
    expect((await w.query('select status from cdp.runs order by started_at')).map((r) => r.status)).toEqual(['success', 'failed']);
    await w.close();
    const history = await cdp(dir, ['history', '--json']);
    expect(JSON.parse(history.stdout).runs[0]).toMatchObject({ command: 'build', status: 'failed' });
  });

  it('compiles SQL for every dialect into target/', async () => {
    const dir = await writeProject({
      'cdp.config.yaml': 'project: t\n',
      'models/m.yaml': yaml`
        models:
          - { name: a, sql: "select * from {{ source('raw', 'orders') }}" }
      `,
    });
    dirs.push(dir);
    for (const dialect of ['duckdb', 'bigquery', 'snowflake']) {
      const result = await cdp(dir, ['compile', '--dialect', dialect]);
      expect(result.code).toBe(0);
      expect(existsSync(join(dir, 'target', dialect, 'plan.json'))).toBe(true);
    }
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(join(dir, 'target/bigquery/002_model.a.sql'), 'utf8')).toContain('create or replace view `cdp`.`a` as\nselect * from `raw`.`orders`');
    expect(await readFile(join(dir, 'target/snowflake/002_model.a.sql'), 'utf8')).toContain('create or replace view "CDP"."A" as\nselect * from "RAW"."ORDERS"');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'models/p.yaml'), [
      'sources:',
      '  - { name: events, table: raw.events, timestamp: ts, identifiers: [{ column: email, type: email }, { column: uid, type: user_id }] }',
      'identity:',
      '  id_types: { user_id: { priority: 1, max_per_profile: 1 }, email: { priority: 2 } }',
      'traits:',
      "  - { name: views_7d, from: events, aggregate: count, window: 7d }",
      'segments:',
      '  - { name: active, where: "views_7d > 0" }',
    ].join('\n'));
    for (const dialect of ['duckdb', 'bigquery', 'snowflake']) {
      const result = await cdp(dir, ['compile', '--dialect', dialect, '--json']);
      expect(result.code, result.stderr).toBe(0);
      const plan = JSON.parse(await readFile(join(dir, 'target', dialect, 'plan.json'), 'utf8')) as { steps: { stage: string }[] };
      expect(new Set(plan.steps.map((s) => s.stage))).toEqual(new Set(['setup', 'sources', 'models', 'identity', 'profiles', 'segments']));
    }
    const bad = await cdp(dir, ['compile', '--dialect', 'snowflak']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("did you mean 'snowflake'?");
  });
});
