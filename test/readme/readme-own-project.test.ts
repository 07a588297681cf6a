import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');

/** The shell block after "Your own project" in README.md, exactly as written there. */
async function ownProjectBlock(): Promise<string> {
  const readme = await readFile(join(repo, 'README.md'), 'utf8');
  const at = readme.indexOf('Your own project');
  expect(at).toBeGreaterThan(-1);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error('README.md: no ```sh block after "Your own project"');
  return block[1];
}

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('README "Your own project"', () => {
  it('runs word for word in an empty folder with no CRM secrets set, and exits 0', async () => {
    const block = await ownProjectBlock();
    expect(block).toContain('npx cdp init my-project');
    const dir = await mkdtemp(join(tmpdir(), 'cdp-readme-'));
    dirs.push(dir);
    // `npx cdp` finds the built CLI as an installed package's bin would be found: node_modules/.bin/cdp.
    await mkdir(join(dir, 'node_modules', '.bin'), { recursive: true });
    await symlink(join(repo, 'bin', 'cdp.js'), join(dir, 'node_modules', '.bin', 'cdp'));
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, npm_config_yes: 'false', npm_config_update_notifier: 'false' };
    const result = await run('bash', ['-e', '-o', 'pipefail', '-c', block], { cwd: dir, env, maxBuffer: 64 << 20 }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(result.stderr).not.toMatch(/\berror\b/);
    expect(result.code).toBe(0);
    // the person the README inspects is there
    expect(result.stdout).toMatch(/^profile p_/m);
    // validate said the secrets are missing as warnings, not errors
    expect(result.stderr).toMatch(/warning missing-env destination 'hubspot' needs \$\{HUBSPOT_ACCESS_TOKEN\}/);

    // a value the scaffold blocklists says so
    const blocked = await run('npx', ['cdp', 'inspect', 'email:jane@example.org'], { cwd: join(dir, 'my-project'), env });
    expect(blocked.stdout).toContain("email:jane@example.org: no profile (the value is blocklisted by rule 'default: example domain', so it links no one)");
  }, 300_000);
});
