import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..', '..');
let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * The README's first command, `npm run demo`, on a copy of the sample project: it must finish with
 * exit 0, sync both CRMs on the first run and send only the new activity on the second. (`npm test`
 * builds dist/ first, which the demo script runs.)
 */
describe('npm run demo', () => {
  it('runs the sample project end to end: two runs, both CRMs, only changes the second time', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cdp-demo-'));
    for (const part of ['cdp.config.yaml', 'models', 'connectors', 'schemas']) await cp(join(repo, part), join(dir, part), { recursive: true });
    const { stdout } = await run(process.execPath, [join(repo, 'scripts', 'demo.mjs')], {
      env: { PATH: process.env.PATH, CDP_DEMO_DIR: dir },
      maxBuffer: 32 * 1024 * 1024,
      timeout: 240_000,
    });
    const runs = stdout.split('$ cdp run').slice(1);
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatch(/hubspot_contacts: [1-9][\d,]* created/);
    expect(runs[0]).toMatch(/salesforce_contacts: [1-9][\d,]* created/);
    expect(runs[0]).toContain('identity gate: passed');
    // The second run sends the five new pricing-page visitors' changes, not everyone again.
    const second = /hubspot_contacts: 0 created, (\d+) updated/.exec(runs[1]);
    expect(Number(second?.[1])).toBeGreaterThan(0);
    expect(Number(second?.[1])).toBeLessThanOrEqual(5);
  }, 300_000);
});
