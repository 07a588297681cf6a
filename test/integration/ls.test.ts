import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdp, removeProject, writeProject, yaml } from '../helpers/project.js';

let dir: string;
beforeAll(async () => {
  dir = await writeProject({
    'cdp.config.yaml': yaml`
      project: t
      destinations:
        hubspot: { type: hubspot, accessToken: "\${HUBSPOT_ACCESS_TOKEN}" }
    `,
    'models/m.yaml': yaml`
      models:
        - { name: stg_orders, sql: "select * from {{ ref('orders') }}" }
        - { name: big_orders, materialized: table, sql: "select * from {{ ref('stg_orders') }} where amount > 5" }
        - { name: other, sql: "select 1 as id" }
      sources:
        - { name: orders, path: data/orders.csv, timestamp: ordered_at, identifiers: [{ column: email, type: email }] }
      traits:
        - { name: ltv, from: orders, aggregate: sum, column: amount, window: 90d }
        - { name: is_big, sql: "ltv > 100" }
      segments:
        - { name: whales, where: is_big }
      identity:
        id_types: { email: { priority: 1 } }
    `,
    'connectors/hs.yaml': yaml`
      sync: hs_contacts
      destination: hubspot
      object: contacts
      match: { id_type: email }
    `,
  });
});
afterAll(() => removeProject(dir));

describe('cdp ls', () => {
  it('lists every model, source, trait, segment and sync, with what it is and where (no secrets needed)', async () => {
    const result = await cdp(dir, ['ls']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([
      'model    stg_orders   view  models/m.yaml:2',
      'model    big_orders   table  models/m.yaml:3',
      'model    other        view  models/m.yaml:4',
      'source   orders       path data/orders.csv  models/m.yaml:6',
      'trait    ltv          sum(amount) from orders within 90d  models/m.yaml:8',
      'trait    is_big       sql ltv > 100  models/m.yaml:9',
      'segment  whales       where is_big  models/m.yaml:11',
      'sync     hs_contacts  hubspot contacts (upsert)  connectors/hs.yaml:1',
    ]);
  });

  it('selects by name, kind:glob and model graph, and prints JSON', async () => {
    const result = await cdp(dir, ['--json', 'ls', '--select', 'stg_orders+', 'trait:*', 'whales']);
    expect(result.code).toBe(0);
    const listed = (JSON.parse(result.stdout) as { resources: { kind: string; name: string; file: string; line: number }[] }).resources;
    expect(listed.map((r) => `${r.kind}:${r.name}`)).toEqual(['model:stg_orders', 'model:big_orders', 'trait:ltv', 'trait:is_big', 'segment:whales']);
    expect(listed[0]).toEqual({ kind: 'model', name: 'stg_orders', detail: 'view', file: 'models/m.yaml', line: 2 });
    const upstream = await cdp(dir, ['ls', '-s', '+big_orders']);
    expect(upstream.stdout).toContain('stg_orders');
    expect(upstream.stdout).not.toContain('other');
  });

  it('rejects a selector that matches nothing (exit 2) with the closest name', async () => {
    const result = await cdp(dir, ['ls', '--select', 'segment:whale', 'traits:x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown-name --select 'segment:whale' matches nothing (did you mean 'whales'?)");
    expect(result.stderr).toContain("invalid-option --select 'traits:x': 'traits' is not a kind (did you mean 'trait'?)");
  });
});
