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

const config = yaml`
  project: acme
  warehouse: { type: duckdb, path: .cdp/warehouse.duckdb }
  schema: cdp
  destinations:
    hubspot:
      type: hubspot
      accessToken: \${HUBSPOT_ACCESS_TOKEN}
`;

describe('cdp validate', () => {
  it('accepts a correct project', async () => {
    const dir = await project({
      'cdp.config.yaml': config,
      'models/a.yaml': yaml`
        models:
          - name: stg
            sql: select 1 as id
      `,
    });
    const result = await cdp(dir, ['validate']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 models');
  });

  it('reports every mistake in every file with file:line:col, and exits 2', async () => {
    const dir = await project({
      'cdp.config.yaml': config.replace('schema: cdp', 'schema: cdp\nwarehous: 1'),
      'models/bad_yaml.yaml': 'models:\n  - name: x\n    sql: "select 1\n',
      'models/graph.yaml': yaml`
        models:
          - name: a
            sql: select * from {{ ref('b') }}
          - name: b
            sql: select * from {{ ref('a') }}
          - name: c
            sql: select * from {{ ref('bb') }}
      `,
      'models/shapes.yaml': yaml`
        models:
          - name: e
            materialised: table
            sql: select 1
          - name: d
            materialized: 3
            sql: select 1
      `,
      'models/profiles.yaml': yaml`
        traits:
          - { name: ltv, sql: "1" }
          - { name: spend, sql: "ltv * 2" }
        segments:
          - { name: big, where: "spnd > 10" }
      `,
      'connectors/hubspot.yaml': yaml`
        sync: hs
        destination: hubspot
        object: contacts
        match: { trait: ltv, field: email }
      `,
    });
    const result = await cdp(dir, ['validate']);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toContain("cdp.config.yaml:4:1 unknown-key unknown key 'warehous' (did you mean 'warehouse'?)");
    expect(lines.some((l) => /^models\/bad_yaml\.yaml:\d+:\d+ yaml-syntax /.test(l))).toBe(true);
    expect(lines).toContain("models/graph.yaml:3:10 cycle models depend on each other in a cycle: a -> b -> a (remove one of these refs)");
    expect(lines).toContain("models/graph.yaml:7:10 unknown-ref model 'c' refers to unknown model 'bb' (did you mean 'b'?)");
    expect(lines).toContain("models/shapes.yaml:3:5 unknown-key unknown key 'materialised' in models[0] (did you mean 'materialized'?)");
    expect(lines).toContain("models/shapes.yaml:6:19 invalid-value models[1].materialized: '3' is not one of view, table");
    expect(lines).toContain("models/profiles.yaml:5:25 unknown-trait segment 'big' refers to 'spnd', which is not a trait or segment (did you mean 'spend'?)");
    expect(lines).toContain('cdp.config.yaml:8:18 warning missing-env destination \'hubspot\' needs ${HUBSPOT_ACCESS_TOKEN}, which is not set (export HUBSPOT_ACCESS_TOKEN=... before running; used by sync \'hs\')');
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
  });

  it('names the cycle and the unknown ref once shapes are valid', async () => {
    const dir = await project({
      'cdp.config.yaml': config,
      'models/graph.yaml': yaml`
        models:
          - name: a
            sql: select * from {{ ref('b') }}
          - name: b
            sql: select * from {{ ref('a') }}
          - name: c
            sql: select * from {{ ref('missing_modl') }} join {{ ref('a') }} using (id)
          - name: missing_model
            sql: select 1 as id
      `,
    });
    const result = await cdp(dir, ['validate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("models/graph.yaml:3:10 cycle models depend on each other in a cycle: a -> b -> a (remove one of these refs)");
    expect(result.stderr).toContain("models/graph.yaml:7:10 unknown-ref model 'c' refers to unknown model 'missing_modl' (did you mean 'missing_model'?)");
  });

  it('names a first/last or windowed trait over a source without timestamp: where the trait asks for it', async () => {
    const dir = await project({
      'cdp.config.yaml': config,
      'models/traits.yaml': yaml`
        sources:
          - name: web
            table: raw.web
            identifiers:
              - { column: email, type: email }
        identity:
          id_types:
            email: { priority: 1 }
        traits:
          - { name: last_email, from: web, aggregate: last, column: email }
          - name: first_email
            from: web
            aggregate: first
            column: email
          - { name: recent, from: web, aggregate: count, window: 30d }
      `,
    });
    const result = await cdp(dir, ['validate']);
    expect(result.code).toBe(2);
    const hint = "(add timestamp: <column> to source 'web' (models/traits.yaml:2:5))";
    expect(result.stderr).toContain(`models/traits.yaml:10:47 missing-timestamp trait 'last_email' needs a timestamp (aggregate: last takes the last value by time), but source 'web' declares none ${hint}`);
    expect(result.stderr).toContain(`models/traits.yaml:13:16 missing-timestamp trait 'first_email' needs a timestamp (aggregate: first takes the first value by time), but source 'web' declares none ${hint}`);
    expect(result.stderr).toContain(`models/traits.yaml:15:58 missing-timestamp trait 'recent' needs a timestamp (window: counts back in time), but source 'web' declares none ${hint}`);
    // compile stops on the same diagnostics instead of writing `order by` over nothing.
    const compiled = await cdp(dir, ['compile']);
    expect(compiled.code).toBe(2);
    expect(compiled.stderr).toContain('missing-timestamp');
  });

  it('needs an env variable only when a used destination references it', async () => {
    const dir = await project({ 'cdp.config.yaml': config });
    expect((await cdp(dir, ['validate'])).code).toBe(0);
  });
});
