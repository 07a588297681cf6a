import { describe, expect, it } from 'vitest';
import { DESTINATIONS, people, query, runCdp, useDestination } from './destination-fixture.js';

describe.each(DESTINATIONS)('records $label rejects', (destination) => {
  const suite = useDestination(destination);

  it('land in sync_log with the destination code and message (exit 3), the others land, and they are retried next run', async () => {
    const profiles = people(120, (i) => (i % 40 === 7 ? { email: `bounce${i}@bounce.example` } : {}));
    const dir = await suite.project({}, profiles);
    suite.crm.rejectEmails('@bounce\\.example$');
    const first = await runCdp(dir, suite.crm, ['sync', '--json']);
    expect(first.code).toBe(3);
    expect(first.stderr).toContain('3 records were rejected; see sync_log');
    expect(suite.crm.contacts().size).toBe(117);
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

    suite.crm.clearFaults();
    suite.crm.resetStats();
    const second = await runCdp(dir, suite.crm, ['sync']);
    expect(second.code).toBe(0);
    expect(suite.crm.upsertedRecords()).toEqual([3]);
    expect(suite.crm.contacts().size).toBe(120);
    expect(suite.crm.memberEmails('CDP: High value')).toContain('bounce87@bounce.example');
  });
});
