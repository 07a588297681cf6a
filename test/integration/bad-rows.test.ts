import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import type { Row } from '../../src/warehouse/warehouse.js';
import { cdp, removeProject, writeProject, yaml } from '../helpers/project.js';
import { contacts, runCdp, startSandbox } from '../sync/sync-fixture.js';

let sandbox: HubSpotSandbox;
const dirs: string[] = [];
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeProject));
});

/** Orders as an export delivers them: a few timestamps nobody can parse, an amount that is text, NaN and Infinity. */
const ORDERS = `order_id,email,amount,ordered_at
1,ann@shop.test,10.5,2026-01-02 10:00:00
2,ann@shop.test,20,2026-01-03 10:00:00
3,ann@shop.test,5,not a date
4,bob@shop.test,7,11/20/2026
5,bob@shop.test,8,0000-00-00
6,bob@shop.test,abc,2026-01-04 10:00:00
7,bob@shop.test,NaN,2026-01-04 11:00:00
8,cat@shop.test,Infinity,2026-01-05 10:00:00
9,bob@shop.test,1,2026-01-06 10:00:00
10,cat@shop.test,,2026-01-06 10:00:00
`;

function files(onBadRows?: 'fail' | 'skip'): Record<string, string> {
  return {
    'cdp.config.yaml': yaml`
      project: t
      destinations:
        hubspot:
          type: hubspot
          accessToken: \${HUBSPOT_ACCESS_TOKEN}
          baseUrl: \${HUBSPOT_BASE_URL}
          requestsPer10s: 1000
    `,
    'data/orders.csv': ORDERS,
    'models/m.yaml': yaml`
      sources:
        - name: orders
          path: data/orders.csv
          timestamp: ordered_at
          primary_key: order_id
          identifiers: [{ column: email, type: email }]${onBadRows ? `\n          on_bad_rows: ${onBadRows}` : ''}
      identity:
        id_types: { email: { priority: 1 } }
      traits:
        - { name: email, from: orders, aggregate: last, column: email }
        - { name: lifetime_value, from: orders, aggregate: sum, column: amount }
        - { name: order_count, from: orders, aggregate: count }
        - { name: last_order_at, from: orders, aggregate: max, column: ordered_at }
        - { name: value_per_order_gap, sql: "lifetime_value / (order_count - order_count)" }
    `,
    'connectors/contacts.yaml': yaml`
      sync: contacts
      destination: hubspot
      object: contacts
      match: { trait: email, field: email }
      fields: { cdp_ltv: lifetime_value, cdp_orders: order_count, cdp_gap: value_per_order_gap }
      create_fields: true
      max_removals_pct: 100
    `,
  };
}

async function query(dir: string, sql: string): Promise<Row[]> {
  const w = await DuckDBWarehouse.open({ path: join(dir, '.cdp/warehouse.duckdb') });
  try {
    return await w.query(sql);
  } finally {
    await w.close();
  }
}

describe('bad rows in a source', () => {
  it('skips and quarantines rows whose values are not their type, counts them, and keeps NaN and Infinity in the warehouse', async () => {
    sandbox.reset();
    const dir = await writeProject(files());
    dirs.push(dir);
    const run = await runCdp(dir, sandbox, ['run']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('source orders: skipped 6 bad rows (amount 3, ordered_at 3); they are in cdp.quarantine_orders');
    expect(run.stderr).toContain('profiles: 2 trait values were NaN or infinite and are NULL instead');

    const profiles = await query(dir, 'select email, lifetime_value, order_count, value_per_order_gap from cdp.profiles order by email');
    expect(profiles).toEqual([
      { email: 'ann@shop.test', lifetime_value: 30.5, order_count: 2, value_per_order_gap: null },
      { email: 'bob@shop.test', lifetime_value: 1, order_count: 1, value_per_order_gap: null },
      { email: 'cat@shop.test', lifetime_value: null, order_count: 1, value_per_order_gap: null },
    ]);
    const quarantined = await query(dir, 'select order_id, _cdp_bad_columns from cdp.quarantine_orders order by order_id');
    expect(quarantined.map((r) => [String(r.order_id), r._cdp_bad_columns])).toEqual([
      ['3', 'ordered_at'],
      ['4', 'ordered_at'],
      ['5', 'ordered_at'],
      ['6', 'amount'],
      ['7', 'amount'],
      ['8', 'amount'],
    ]);
    const inspect = await cdp(dir, ['inspect', 'email:bob@shop.test']);
    expect(inspect.stdout).toContain('orders: 4 rows (amount, ...) in cdp.quarantine_orders');
    const [history] = JSON.parse((await cdp(dir, ['history', '--json'])).stdout).runs;
    expect(JSON.stringify(history)).toContain('"rows":6');

    const sent = [...contacts(sandbox).values()].flatMap((c) => [...c.properties.values()]);
    expect(sent.some((v) => /nan|infinity/i.test(v))).toBe(false);
    expect(contacts(sandbox).get('ann@shop.test')?.properties.get('cdp_ltv')).toBe('30.5');
  });

  it('stops the build with on_bad_rows: fail, naming the source, the columns and an example, and changes nothing', async () => {
    const dir = await writeProject(files('fail'));
    dirs.push(dir);
    await writeFile(join(dir, 'data/orders.csv'), ORDERS.split('\n').slice(0, 3).join('\n') + '\n');
    expect((await cdp(dir, ['build'])).code).toBe(0);
    await writeFile(join(dir, 'data/orders.csv'), ORDERS);
    const failed = await cdp(dir, ['build']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/source orders: 6 rows with values that are not their type \(amount: 3, ordered_at: 3; e\.g\. /);
    expect(failed.stderr).toContain('on_bad_rows: skip');
    expect(await query(dir, 'select email, lifetime_value from cdp.profiles')).toEqual([{ email: 'ann@shop.test', lifetime_value: 30.5 }]);
  });
});
