import { afterEach, describe, expect, it } from 'vitest';
import { cdp, removeProject, writeProject, yaml } from '../helpers/project.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeProject));
});
async function project(files: Record<string, string>): Promise<string> {
  const dir = await writeProject(files);
  dirs.push(dir);
  return dir;
}

const orders = 'order_id,email,amount,received_at\n1,a@x.com,10,2026-01-01\n2,b@x.com,3,2026-01-02\n';
const models = (timestamp: string, identifier: string, column: string) => yaml`
  sources:
    - name: orders
      path: data/orders.csv
      timestamp: ${timestamp}
      identifiers:
        - { column: ${identifier}, type: email }
  identity:
    id_types: { email: { priority: 1 } }
  traits:
    - { name: total, from: orders, aggregate: sum, column: ${column} }
    - { name: last_order_at, from: orders, aggregate: last, column: received_at }
  segments:
    - { name: big, where: total > 5 }
`;

describe('cdp validate: source columns, schema and references in one report', () => {
  it('reports three column typos at their positions, with a did-you-mean, in one run', async () => {
    const dir = await project({ 'cdp.config.yaml': 'project: t\n', 'data/orders.csv': orders, 'models/m.yaml': models('recieved_at', 'emial', 'amout') });
    const result = await cdp(dir, ['validate']);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n').filter((l) => l.includes('unknown-column'))).toEqual([
      "models/m.yaml:4:16 unknown-column source 'orders' timestamp reads column 'recieved_at', which source 'orders' does not have (did you mean 'received_at'?)",
      "models/m.yaml:6:19 unknown-column source 'orders' identifier (email) reads column 'emial', which source 'orders' does not have (did you mean 'email'?)",
      "models/m.yaml:10:58 unknown-column trait 'total' reads column 'amout', which source 'orders' does not have (did you mean 'amount'?)",
    ]);
    expect(result.stderr).toContain('3 errors');

    // build stops at the same three lines before touching the warehouse, not at a Binder error.
    const build = await cdp(dir, ['build']);
    expect(build.code).toBe(2);
    expect(build.stderr).toContain("models/m.yaml:10:58 unknown-column trait 'total' reads column 'amout'");
    expect(build.stderr).not.toMatch(/Binder/);
  });

  it('reports schema, reference and column problems together, and suggests a warehouse type', async () => {
    const dir = await project({
      'cdp.config.yaml': 'project: t\n',
      'data/orders.csv': orders,
      'models/m.yaml': `${models('received_at', 'email', 'amout')}  - { name: small, where: totl < 5, colour: red }\n  - { name: tiny, where: totl < 1 }\n`,
    });
    const result = await cdp(dir, ['validate', '--json']);
    expect(result.code).toBe(2);
    const { diagnostics } = JSON.parse(result.stdout) as { diagnostics: { code: string; line: number; hint?: string }[] };
    expect(diagnostics.map((d) => [d.code, d.line])).toEqual([
      ['unknown-column', 10],
      ['unknown-trait', 14],
      ['unknown-key', 14],
      ['unknown-trait', 15],
    ]);

    const typo = await project({ 'cdp.config.yaml': 'project: t\nwarehouse: { type: duckbd }\n' });
    const invalid = await cdp(typo, ['validate']);
    expect(invalid.stderr).toContain("cdp.config.yaml:2:20 invalid-value warehouse.type: 'duckbd' is not a known type (did you mean 'duckdb'?)");
  });

  it('after a build, checks sources over models and tables through what the build made', async () => {
    const files = {
      'cdp.config.yaml': 'project: t\n',
      'data/orders.csv': orders,
      'models/m.yaml': yaml`
        models:
          - name: clean_orders
            sql: select order_id, lower(email) as email, amount from {{ ref('raw_orders') }}
        sources:
          - { name: raw_orders, path: data/orders.csv }
          - { name: orders, model: clean_orders }
        traits:
          - { name: n, from: orders, aggregate: count }
      `,
    };
    const dir = await project(files);
    expect((await cdp(dir, ['build'])).code).toBe(0);
    const { writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    await writeFile(join(dir, 'models/m.yaml'), `${files['models/m.yaml']}  - { name: spent, from: orders, aggregate: sum, column: amuont }\n`);
    const result = await cdp(dir, ['validate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^models\/m\.yaml:9:\d+ unknown-column trait 'spent' reads column 'amuont', which source 'orders' does not have \(did you mean 'amount'\?\)$/m);
  });
});

describe('cdp build: errors in SQL the user wrote', () => {
  it('name the file, the line, and the model or trait', async () => {
    const dir = await project({
      'cdp.config.yaml': 'project: t\n',
      'data/orders.csv': orders,
      'models/m.yaml': yaml`
        models:
          - name: clean
            sql: |
              select order_id, email,
                amout
              from {{ ref('orders') }}
        sources:
          - { name: orders, path: data/orders.csv }
      `,
    });
    const model = await cdp(dir, ['build', '--json']);
    expect(model.code).toBe(1);
    expect(model.stderr).toMatch(/^models\/m\.yaml:5:9 user-sql model 'clean' failed in the warehouse: Binder Error: Referenced column "amout" not found in FROM clause! \(did you mean 'amount'\? --verbose prints the statement the warehouse ran\)$/m);
    expect(JSON.parse(model.stdout)).toMatchObject({ ok: false, exit_code: 1, error: { code: 'user-sql' }, diagnostics: [{ file: 'models/m.yaml', line: 5, col: 9 }] });

    const { writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    await writeFile(
      join(dir, 'models/m.yaml'),
      yaml`
        sources:
          - { name: orders, path: data/orders.csv, identifiers: [{ column: email, type: email }] }
        identity:
          id_types: { email: { priority: 1 } }
        traits:
          - { name: total, from: orders, aggregate: sum, column: amount }
          - { name: odd, sql: total * no_such_function(2) }
      `,
    );
    const trait = await cdp(dir, ['build']);
    expect(trait.code).toBe(1);
    expect(trait.stderr).toMatch(/^models\/m\.yaml:7:31 user-sql trait 'odd' failed in the warehouse: Catalog Error: Scalar Function with name no_such_function does not exist!/m);
  });
});
