import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cdp, removeProject, writeProject, yaml } from '../helpers/project.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeProject));
});

const files = {
  'cdp.config.yaml': 'project: t\n',
  'data/signups.csv': 'id,user_id,email,updated_at\n1,u1,a@x.com,2026-01-01\n2,u1,b@x.com,2026-01-02\n3,u2,c@x.com,2026-01-03\n4,u3,test@test.com,2026-01-03\n5,u4,blocked.me@y.com,2026-01-04\n',
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
      blocklist:
        - { type: email, pattern: '^blocked' }
    traits:
      - { name: signups, from: signups, aggregate: count }
    segments:
      - { name: many, where: signups > 1 }
  `,
};

describe('run details', () => {
  it('cdp history <run_id> shows one run; target/run_results.json holds the last run', async () => {
    const dir = await writeProject(files);
    dirs.push(dir);
    const build = await cdp(dir, ['build', '--json']);
    expect(build.code, build.stderr).toBe(0);
    const { run_id: runId } = JSON.parse(build.stdout) as { run_id: string };
    expect(runId).toMatch(/^\d{14}-[0-9a-f]{8}$/);

    const detail = await cdp(dir, ['history', runId]);
    expect(detail.code, detail.stderr).toBe(0);
    expect(detail.stdout).toContain(`run ${runId}: build, success`);
    expect(detail.stdout).toMatch(/finished {2}\S+ \(\d+\.\ds\)/);
    expect(detail.stdout).toContain('built 0 models and 1 sources');
    expect(detail.stdout).toMatch(/many\s+1 {2}\(\+1 entered, -0 exited\)/);
    const json = JSON.parse((await cdp(dir, ['history', runId, '--json'])).stdout) as { run: { run_id: string; status: string; counts: { identity_gate: { status: string } } } };
    expect(json.run).toMatchObject({ run_id: runId, status: 'success', counts: { identity_gate: { status: 'passed' } } });

    const missing = await cdp(dir, ['history', `${runId.slice(0, -1)}x`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`did you mean '${runId}'?`);

    const results = JSON.parse(await readFile(join(dir, 'target', 'run_results.json'), 'utf8')) as Record<string, unknown>;
    expect(results).toMatchObject({ version: 1, project: 't', run_id: runId, command: 'build', status: 'success', error: null, counts: { models: 0, sources: 1 } });
    expect(Object.keys(results)).toEqual(['version', 'project', 'run_id', 'command', 'status', 'started_at', 'finished_at', 'elapsed_seconds', 'error', 'counts']);
  });

  it('cdp inspect accepts a profile id and explains a blocklisted value', async () => {
    const dir = await writeProject(files);
    dirs.push(dir);
    expect((await cdp(dir, ['build'])).code).toBe(0);
    const byEmail = JSON.parse((await cdp(dir, ['inspect', 'email:b@x.com', '--json'])).stdout) as { profile_id: string; identifiers: unknown[] };
    expect(byEmail.profile_id).toMatch(/^p_[0-9a-f]{16}$/);

    const byId = await cdp(dir, ['inspect', byEmail.profile_id, '--json']);
    expect(byId.code, byId.stderr).toBe(0);
    const profile = JSON.parse(byId.stdout) as { profile_id: string; identifiers: { id_type: string; id_value: string }[] };
    expect(profile.profile_id).toBe(byEmail.profile_id);
    expect(profile.identifiers.map((i) => `${i.id_type}:${i.id_value}`).sort()).toEqual(['email:a@x.com', 'email:b@x.com', 'user_id:u1']);
    expect((await cdp(dir, ['inspect', byEmail.profile_id])).stdout).toContain(`profile ${byEmail.profile_id}`);

    const unknown = await cdp(dir, ['inspect', 'p_0000000000000000']);
    expect(unknown.stdout).toContain('p_0000000000000000: no profile (no profile has this id');

    const builtIn = await cdp(dir, ['inspect', 'email:TEST@test.com']);
    expect(builtIn.stdout).toBe(
      "email:test@test.com: no profile (the value is blocklisted by rule 'default: test@test.com', so it links no one)\n" +
        '  blocklisted: on the built-in list of placeholder values (test@test.com); set identity.default_blocklist: false to use only your own list\n' +
        '  blocklisted (link to user_id:u3 in signups): on the built-in list of placeholder values (test@test.com); set identity.default_blocklist: false to use only your own list\n',
    );
    const own = await cdp(dir, ['inspect', 'email:blocked.me@y.com']);
    expect(own.stdout).toContain('blocklisted: it matches the pattern ^blocked, identity.blocklist[0] at models/m.yaml:14');
  });
});
