import { describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { makeProject, membersOf, people, query, runCdp, seed, startSandbox, TOKEN, useSandbox } from './sync-fixture.js';

let sandbox: HubSpotSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started), { resetEach: true });

interface RejectionsJson {
  readonly version: number;
  readonly run_id: string;
  readonly rejections: readonly { sync: string; key: string; run_id: string; code: string; message: string; operation: string; payload: Record<string, unknown> | null }[];
}

describe('cdp rejections', () => {
  it('lists rejected records with code, message and the payload that was sent, secrets scrubbed', async () => {
    // One bounced person's first name is the destination's access token: it must not reach sync_log.
    const profiles = people(30, (i) => (i === 7 ? { email: 'bounce7@bounce.example', first_name: TOKEN } : i === 17 ? { email: 'bounce17@bounce.example' } : {}));
    const dir = await makeProject({});
    dirs.push(dir);
    await seed(dir, profiles, membersOf(profiles));
    sandbox.faults.set({ rejectRecords: [{ field: 'email', pattern: '@bounce\\.example$' }] });
    const first = await runCdp(dir, sandbox, ['sync']);
    expect(first.code).toBe(3);

    const result = await runCdp(dir, sandbox, ['rejections', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as RejectionsJson;
    expect(json.rejections.map((r) => [r.key, r.code, r.operation])).toEqual([
      ['bounce17@bounce.example', 'INVALID_EMAIL', 'upsert'],
      ['bounce7@bounce.example', 'INVALID_EMAIL', 'upsert'],
    ]);
    expect(json.rejections[1].message).toBe('Email address bounce7@bounce.example is invalid');
    expect(json.rejections[0].payload).toMatchObject({ email: 'bounce17@bounce.example', firstname: 'Name17', cdp_order_count: 7 });
    expect(json.rejections[1].payload).toMatchObject({ email: 'bounce7@bounce.example', firstname: '[redacted]' });
    expect(JSON.stringify(await query(dir, 'select * from cdp.sync_log'))).not.toContain(TOKEN);
    expect(result.stdout).not.toContain(TOKEN);

    const human = await runCdp(dir, sandbox, ['rejections', 'contacts', '--run', json.run_id]);
    expect(human.stdout).toContain('2 rejected records in run');
    expect(human.stdout).toMatch(/contacts {2}bounce17@bounce\.example {2}upsert {2}INVALID_EMAIL: Email address bounce17@bounce\.example is invalid\n {4}sent: \{.*"firstname":"Name17"/);

    const unknown = await runCdp(dir, sandbox, ['rejections', 'contcts']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("did you mean 'contacts'?");
  });

  it('adds the payload column to a sync_log written before it existed', async () => {
    const profiles = people(5, (i) => (i === 2 ? { email: 'bounce2@bounce.example' } : {}));
    const dir = await makeProject({});
    dirs.push(dir);
    await seed(dir, profiles, membersOf(profiles));
    sandbox.faults.set({ rejectRecords: [{ field: 'email', pattern: '@bounce\\.example$' }] });
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(3);
    const { DuckDBWarehouse } = await import('../../src/engines/duckdb/warehouse.js');
    const { warehousePath } = await import('./sync-fixture.js');
    const w = await DuckDBWarehouse.open({ path: warehousePath(dir) });
    await w.execute('alter table cdp.sync_log drop column payload');
    await w.close();

    const old = JSON.parse((await runCdp(dir, sandbox, ['rejections', '--json'])).stdout) as RejectionsJson;
    expect(old.rejections).toMatchObject([{ key: 'bounce2@bounce.example', payload: null }]);

    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(3);
    const fresh = JSON.parse((await runCdp(dir, sandbox, ['rejections', '--json'])).stdout) as RejectionsJson;
    expect(fresh.run_id).not.toBe(old.run_id);
    expect(fresh.rejections).toMatchObject([{ key: 'bounce2@bounce.example', payload: { email: 'bounce2@bounce.example' } }]);
  });
});
