import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cdp, removeProject, writeProject, yaml } from '../helpers/project.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeProject));
});

/** A project whose `warehouse:` is DuckDB, with two more targets: another DuckDB file and BigQuery. */
async function project(): Promise<string> {
  const dir = await writeProject({
    'cdp.config.yaml': yaml`
      project: t
      warehouse: { type: duckdb, path: .cdp/dev.duckdb }
      targets:
        ci: { type: duckdb, path: .cdp/ci.duckdb }
        prod:
          type: bigquery
          projectId: \${GCP_PROJECT}
          location: EU
    `,
    'models/m.yaml': yaml`
      models:
        - { name: stg, sql: "select 1 as id" }
    `,
  });
  dirs.push(dir);
  return dir;
}

describe('targets', () => {
  it('builds in warehouse: without a target, and in the named block with --target or CDP_TARGET', async () => {
    const dir = await project();
    expect((await cdp(dir, ['build', '--select', 'stg'])).code).toBe(0);
    expect(existsSync(join(dir, '.cdp/dev.duckdb'))).toBe(true);
    expect(existsSync(join(dir, '.cdp/ci.duckdb'))).toBe(false);

    const flag = await cdp(dir, ['--target', 'ci', 'build', '--select', 'stg']);
    expect(flag.stderr).toBe('');
    expect(flag.code).toBe(0);
    expect(existsSync(join(dir, '.cdp/ci.duckdb'))).toBe(true);

    await removeProject(join(dir, '.cdp/ci.duckdb'));
    expect((await cdp(dir, ['build', '--select', 'stg'], { CDP_TARGET: 'ci' })).code).toBe(0);
    expect(existsSync(join(dir, '.cdp/ci.duckdb'))).toBe(true);
  });

  it("compiles for the target's engine, and needs only the chosen target's ${VAR}s", async () => {
    const dir = await project();
    // GCP_PROJECT is not set: the DuckDB targets do not need it.
    expect((await cdp(dir, ['compile'])).code).toBe(0);
    expect(existsSync(join(dir, 'target/duckdb'))).toBe(true);
    // compile does not connect, so it does not need it either; the plan is BigQuery's
    const prod = await cdp(dir, ['compile', '--target', 'prod']);
    expect(prod.code).toBe(0);
    expect(existsSync(join(dir, 'target/bigquery'))).toBe(true);
    // a command that opens the warehouse needs it
    const build = await cdp(dir, ['build'], { CDP_TARGET: 'prod' });
    expect(build.code).toBe(2);
    expect(build.stderr).toContain('missing-env the warehouse needs ${GCP_PROJECT}, which is not set');
    // validate checks files, not secrets
    const validate = await cdp(dir, ['validate', '--target', 'prod']);
    expect(validate.code).toBe(0);
    expect(validate.stderr).toContain('warning missing-env the warehouse needs ${GCP_PROJECT}');
  });

  it('names an unknown target, with the closest name', async () => {
    const dir = await project();
    const flag = await cdp(dir, ['--target', 'prd', 'validate']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("cdp.config.yaml:4:3 unknown-target --target prd: cdp.config.yaml has no target 'prd' (did you mean 'prod'?)");
    const env = await cdp(dir, ['validate'], { CDP_TARGET: 'staging' });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain("unknown-target CDP_TARGET=staging: cdp.config.yaml has no target 'staging' (targets: ci, prod)");
  });

  it("says that a warehouse key belongs to another engine (path is DuckDB's)", async () => {
    const dir = await writeProject({ 'cdp.config.yaml': yaml`
      project: t
      warehouse:
        type: bigquery
        projectId: p
        path: .cdp/w.duckdb
    ` });
    dirs.push(dir);
    const result = await cdp(dir, ['validate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("cdp.config.yaml:5:3 unknown-key unknown key 'path' in warehouse ('path' belongs to type: duckdb, not type: bigquery)");
  });
});
