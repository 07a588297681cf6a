import { afterEach, describe, expect, it } from 'vitest';
import { JSON_OUTPUT_VERSION } from '../../src/cli/json-output.js';
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

const files = {
  'cdp.config.yaml': 'project: t\n',
  'data/signups.csv': 'id,user_id,email,updated_at\n1,u1,a@x.com,2026-01-01\n2,u1,b@x.com,2026-01-02\n3,u2,c@x.com,2026-01-03\n',
  'models/m.yaml': yaml`
    sources:
      - name: signups
        path: data/signups.csv
        timestamp: updated_at
        primary_key: id
        identifiers:
          - { column: user_id, type: user_id }
          - { column: email, type: email }
    identity:
      id_types:
        user_id: { priority: 1 }
        email: { priority: 2 }
    traits:
      - { name: signupCount, from: signups, aggregate: count }
    segments:
      - { name: many, where: signupCount > 1 }
  `,
};

/** Every key of a JSON value, with its path, except keys below `traits` (the user's names). */
function keys(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => keys(v, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [`${path}.${k}`, ...(k === 'traits' ? [] : keys(v, `${path}.${k}`))]);
}

describe('--json output (docs/json-output.md)', () => {
  it('prints a versioned, snake_case summary on success', async () => {
    const dir = await project(files);
    const build = await cdp(dir, ['build', '--json']);
    expect(build.code, build.stderr).toBe(0);
    const json = JSON.parse(build.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ version: JSON_OUTPUT_VERSION, command: 'build', ok: true, exit_code: 0, identity_gate: { status: 'passed' } });
    expect(keys(json).filter((k) => /[a-z][A-Z]/.test(k.split('.').at(-1) ?? ''))).toEqual([]);

    const history = JSON.parse((await cdp(dir, ['history', '--json'])).stdout) as { version: number; command: string; runs: { run_id: string; counts: Record<string, unknown> }[] };
    expect(history).toMatchObject({ version: JSON_OUTPUT_VERSION, command: 'history' });
    expect(Object.keys(history.runs[0].counts)).toContain('identity_gate');
    expect(keys(history).filter((k) => /[a-z][A-Z]/.test(k.split('.').at(-1) ?? ''))).toEqual([]);
  });

  it('prints the error code and every diagnostic when the project is invalid', async () => {
    const dir = await project({ ...files, 'cdp.config.yaml': 'project: t\nwarehouse: { type: duckbd }\nschemaa: x\n' });
    const result = await cdp(dir, ['validate', '--json']);
    expect(result.code).toBe(2);
    const json = JSON.parse(result.stdout) as { diagnostics: { code: string; file: string; line: number; col: number }[] };
    expect(json).toMatchObject({ version: JSON_OUTPUT_VERSION, command: 'validate', ok: false, exit_code: 2, error: { code: expect.any(String) } });
    expect(json.diagnostics.length).toBeGreaterThanOrEqual(2);
    expect(json.diagnostics.every((d) => d.file === 'cdp.config.yaml' && d.line > 0 && d.col > 0)).toBe(true);
  });

  it('prints the failure of a run (exit 1) and of the command line (exit 2)', async () => {
    const dir = await project({
      'cdp.config.yaml': 'project: t\n',
      'models/m.yaml': yaml`
        models:
          - name: broken
            sql: select * from no_such_table
      `,
    });
    const build = await cdp(dir, ['build', '--json']);
    expect(build.code).toBe(1);
    expect(JSON.parse(build.stdout)).toMatchObject({ version: JSON_OUTPUT_VERSION, command: 'build', ok: false, exit_code: 1, error: { code: 'user-sql', message: expect.stringContaining('no_such_table') }, diagnostics: [{ file: 'models/m.yaml', line: 3 }] });

    const usage = await cdp(dir, ['build', '--no-such-flag', '--json']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ command: 'build', ok: false, exit_code: 2, error: { code: 'usage' } });
  });
});
