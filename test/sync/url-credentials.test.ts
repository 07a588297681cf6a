import { describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { makeProject, membersOf, people, query, runCdp, seed, startSandbox, useSandbox } from './sync-fixture.js';

let sandbox: HubSpotSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started), { resetEach: true });

describe('a password inside a destination URL', () => {
  it('is never printed nor stored in runs.error', async () => {
    const dir = await makeProject();
    dirs.push(dir);
    const profiles = people(3);
    await seed(dir, profiles, membersOf(profiles));
    // Port 1 answers nothing: the client's error names the URL it tried.
    const url = 'http://someone:S3cretPassw0rd@127.0.0.1:1';
    for (const args of [['sync'], ['sync', '--json', '--verbose']]) {
      const result = await runCdp(dir, sandbox, args, { HUBSPOT_BASE_URL: url });
      expect(result.code, `${args.join(' ')}: ${result.stdout}${result.stderr}`).not.toBe(0);
      expect(result.stdout + result.stderr).not.toContain('S3cretPassw0rd');
      expect(result.stderr).toContain('someone:[redacted]@');
    }
    const runs = await query(dir, `select status, error from cdp.runs`);
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) {
      expect(run.status).toBe('failed');
      expect(String(run.error)).not.toContain('S3cretPassw0rd');
    }
  });
});
