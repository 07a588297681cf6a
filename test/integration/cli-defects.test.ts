import { spawn, type ChildProcess } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { cdp, removeProject, writeProject, yaml } from '../helpers/project.js';
import { makeProject, membersOf, people, seed } from '../sync/sync-fixture.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '../../bin/cdp.js');

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  // A child still running here hung (the code before the /proc fix): never leave it behind.
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(dirs.splice(0).map(removeProject));
});
async function project(files: Record<string, string>): Promise<string> {
  const dir = await writeProject(files);
  dirs.push(dir);
  return dir;
}

const models = { 'models/a.yaml': 'models:\n  - name: stg\n    sql: select 1 as id\n' };
const config = (warehouse: string) => `project: t\nwarehouse: ${warehouse}\n`;

/** The built CLI in a child process (`npm run build` first); resolves when it exits. */
function spawnCli(dir: string, args: readonly string[], options: { closeStdout?: boolean } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
    children.push(child);
    let stdout = '';
    let stderr = '';
    if (options.closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('small CLI defects (issue 15, item 8)', () => {
  it('reports a corrupted DuckDB file as damaged, not as in use by another process', async () => {
    const dir = await project({ 'cdp.config.yaml': config('{ type: duckdb, path: wh.duckdb }'), ...models });
    const file = join(dir, 'wh.duckdb');
    const w = await DuckDBWarehouse.open({ path: file });
    await w.execute(`create table t as select range as x, 'abc' || range as y from range(200000)`);
    await w.close();
    // Overwrite a little of every block after the headers, as a disk fault would.
    const handle = await open(file, 'r+');
    const { size } = await stat(file);
    for (let offset = 12288; offset < size; offset += 4096) await handle.write(Buffer.alloc(64, 0xa5), 0, 64, offset);
    await handle.close();

    const result = await cdp(dir, ['history']);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('lock-held');
    expect(result.stderr).not.toContain('in use by another process');
    expect(result.stderr).toMatch(/error warehouse-unreachable: cannot open DuckDB file wh\.duckdb: .*Corrupt database file.*\(the file is damaged/);
  });

  it('points a YAML syntax error at its line and column', async () => {
    const dir = await project({ 'cdp.config.yaml': 'project: t\nwarehouse:\n  type: duckdb: x\n  path: a.duckdb\n', ...models });
    const result = await cdp(dir, ['validate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cdp.config.yaml:3:9 yaml-syntax Nested mappings are not allowed');
    expect(result.stderr).not.toContain('cdp.config.yaml:1:1 ');
  });

  it('ends quietly when the reader of its output goes away (cdp … | head)', async () => {
    const dir = await project({ 'cdp.config.yaml': config('{ type: duckdb, path: .cdp/w.duckdb }'), ...models });
    const result = await spawnCli(dir, ['validate'], { closeStdout: true });
    expect(result.stderr).not.toContain('EPIPE');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('cdp plan | head: plan ends quietly too', async () => {
    const dir = await makeProject();
    dirs.push(dir);
    const profiles = people(50);
    await seed(dir, profiles, membersOf(profiles));
    const result = await spawnCli(dir, ['plan'], { closeStdout: true });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('refuses a history --limit that is not a whole number above 0 with a usage error', async () => {
    const dir = await project({ 'cdp.config.yaml': config('{ type: duckdb, path: .cdp/w.duckdb }'), ...models });
    expect((await cdp(dir, ['build'])).code).toBe(0);
    for (const bad of ['-1', '0', '2.5', 'ten']) {
      const result = await cdp(dir, ['history', '--limit', bad]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`invalid-option --limit '${bad}' must be a whole number above 0`);
      expect(result.stderr).not.toMatch(/Binder|LIMIT/);
    }
    const ok = await cdp(dir, ['history', '--limit', '1', '--json']);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { runs: unknown[] }).runs).toHaveLength(1);
  });

  it('fails at once on a warehouse path under /proc instead of hanging', async () => {
    const dir = await project({ 'cdp.config.yaml': config('{ type: duckdb, path: /proc/cdp-test/warehouse.duckdb }'), ...models });
    const result = await spawnCli(dir, ['history']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('/proc/cdp-test');
  }, 60_000);

  it('rejects an empty path in validate', async () => {
    const dir = await project({
      'cdp.config.yaml': config('{ type: duckdb, path: "" }'),
      'models/a.yaml': yaml`
        sources:
          - { name: people, path: "" }
      `,
    });
    const result = await cdp(dir, ['validate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cdp\.config\.yaml:2:\d+ .*must not be empty/);
    expect(result.stderr).toMatch(/models\/a\.yaml:2:\d+ .*must not be empty/);
  });
});

