import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { cdp, removeProject, writeProject, yaml } from '../helpers/project.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeProject));
});

const files = {
  'cdp.config.yaml': 'project: t\n',
  'data/signups.csv': 'id,user_id,email\n1,u1,a@x.com\n2,u1,b@x.com\n3,u2,c@x.com\n',
  'models/m.yaml': yaml`
    sources:
      - name: signups
        path: data/signups.csv
        identifiers:
          - { column: user_id, type: user_id }
          - { column: email, type: email }
    identity:
      id_types: { user_id: { priority: 1 }, email: { priority: 2 } }
    traits:
      - { name: n, from: signups, aggregate: count }
  `,
};

async function project(): Promise<string> {
  const dir = await writeProject(files);
  dirs.push(dir);
  return dir;
}

/** The CLI as on a terminal: stderr is a TTY. */
async function onTerminal(dir: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'cdp', ...args], { cwd: dir, env: { PATH: process.env.PATH }, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), interactive: true });
  return { code, stdout, stderr };
}

describe('progress and logs', () => {
  it('shows the current stage on a terminal, and nothing extra when piped', async () => {
    const dir = await project();
    const piped = await cdp(dir, ['build']);
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');

    const tty = await onTerminal(dir, ['build']);
    expect(tty.code, tty.stderr).toBe(0);
    expect(tty.stderr).toContain('\r\x1b[Kbuild: models…');
    expect(tty.stderr).toMatch(/\r\x1b\[Kbuild: identity… \(models \d+\.\ds, types \d+\.\ds\)/);
    expect(tty.stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(tty.stdout).toContain('built 0 models and 1 sources');
  });

  it('--verbose stamps each step with the time and the previous step’s duration', async () => {
    const dir = await project();
    const result = await cdp(dir, ['build', '--verbose']);
    expect(result.code).toBe(0);
    const lines = result.stderr.trimEnd().split('\n');
    const stamp = /^\[\d\d:\d\d:\d\d\.\d{3} \+\d+\.\d{3}s\] /;
    expect(lines.filter((l) => stamp.test(l)).map((l) => l.replace(stamp, ''))).toEqual(expect.arrayContaining(['models', '  source signups', 'identity', 'profiles']));
  });

  it('--log-format json writes one JSON record per line on stderr, also for failures', async () => {
    const dir = await project();
    const result = await cdp(dir, ['build', '--log-format', 'json', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ command: 'build', ok: true });
    const records = result.stderr.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.every((r) => typeof r.level === 'number' && typeof r.time === 'string' && r.command === 'build' && typeof r.msg === 'string')).toBe(true);
    expect(records.filter((r) => r.stage !== undefined).map((r) => r.stage)).toEqual(['models', 'types', 'identity', 'profiles']);
    expect(records.some((r) => String(r.msg).startsWith('built 0 models and 1 sources'))).toBe(true);

    const broken = await project();
    const { writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    await writeFile(join(broken, 'cdp.config.yaml'), 'project: t\nwarehouse: { type: duckbd }\n');
    const failed = await cdp(broken, ['validate', '--log-format', 'json']);
    expect(failed.code).toBe(2);
    const [first] = failed.stderr.trimEnd().split('\n').map((l) => JSON.parse(l) as { level: number; diagnostic?: { code: string; line: number } });
    expect(first).toMatchObject({ level: 50, diagnostic: { code: 'invalid-value', line: 2 } });
  });
});
