import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { removeProject } from '../helpers/project.js';
import { DESTINATIONS, makeProject, people, query, runCdp, seed, type Crm } from './destination-fixture.js';

describe.each(DESTINATIONS)('records $label rejects', (destination) => {
  let crm: Crm;
  const dirs: string[] = [];
  beforeAll(async () => {
    crm = await destination.start();
  });
  afterAll(() => crm.close());
  beforeEach(() => crm.reset());
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map(removeProject));
  });

  it('land in sync_log with the destination code and message (exit 3), the others land, and they are retried next run', async () => {
    const profiles = people(120, (i) => (i % 40 === 7 ? { email: `bounce${i}@bounce.example` } : {}));
    const dir = await makeProject(destination);
    dirs.push(dir);
    await seed(dir, profiles);
    crm.rejectEmails('@bounce\\.example$');
    const first = await runCdp(dir, crm, ['sync', '--json']);
    expect(first.code).toBe(3);
    expect(first.stderr).toContain('3 records were rejected; see sync_log');
    expect(crm.contacts().size).toBe(117);
    const log = await query(dir, 'select sync, key, profile_id, operation, code, message from cdp.sync_log order by key');
    expect(log).toEqual(
      [47, 7, 87].map((i) => ({
        sync: 'contacts',
        key: `bounce${i}@bounce.example`,
        profile_id: `p${String(i).padStart(5, '0')}`,
        operation: 'upsert',
        ...destination.rejection(`bounce${i}@bounce.example`),
      })),
    );
    expect(await query(dir, 'select status from cdp.runs')).toEqual([{ status: 'rejected' }]);
    expect(JSON.parse(first.stdout)).toMatchObject({ command: 'sync', rejected: 3, syncs: [{ status: 'rejected', rejected: 3, sent: { created: 117 } }] });

    crm.clearFaults();
    crm.resetStats();
    const second = await runCdp(dir, crm, ['sync']);
    expect(second.code).toBe(0);
    expect(crm.upsertedRecords()).toEqual([3]);
    expect(crm.contacts().size).toBe(120);
    expect(crm.memberEmails('CDP: High value')).toContain('bounce87@bounce.example');
  });
});
