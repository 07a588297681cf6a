import type jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { passwordConnection, rejection, startTestSandbox } from './salesforce-test-helpers.js';

let sandbox: SalesforceSandbox;
let conn: jsforce.Connection;
beforeAll(async () => {
  sandbox = await startTestSandbox();
  conn = await passwordConnection(sandbox);
});
afterAll(() => sandbox.close());

const minute = 60_000;

/** getDeleted and getUpdated through jsforce's `deleted()` and `updated()` (spec part C). */
describe('replication resources', () => {
  it('lists records deleted, and created or updated, in a window, and refuses a start older than 15 days', async () => {
    const before = new Date(Date.now() - minute);
    const [kept, gone, created] = sandbox.seed('Contact', [{ LastName: 'Kept' }, { LastName: 'Gone' }, { LastName: 'Created' }]);
    await conn.sobject('Contact').destroy(gone);
    await conn.sobject('Contact').update({ Id: kept, FirstName: 'Edited' });
    const after = new Date(Date.now() + 2 * minute);

    const deleted = (await conn.sobject('Contact').deleted(before, after)) as unknown as { deletedRecords: { id: string; deletedDate: string }[]; earliestDateAvailable: string; latestDateCovered: string };
    expect(deleted.deletedRecords.map((r) => r.id)).toEqual([gone]);
    expect(Date.parse(deleted.deletedRecords[0].deletedDate)).toBeGreaterThanOrEqual(Math.floor(before.getTime() / minute) * minute);
    expect(Date.parse(deleted.latestDateCovered)).toBe(Math.floor(after.getTime() / minute) * minute);

    const updated = (await conn.sobject('Contact').updated(before, after)) as unknown as { ids: string[] };
    expect([...updated.ids].sort()).toEqual([kept, created].sort());
    // A window that ended before the writes holds none of them.
    expect(((await conn.sobject('Contact').deleted(new Date(before.getTime() - 10 * minute), before)) as unknown as { deletedRecords: unknown[] }).deletedRecords).toEqual([]);

    const old = await rejection(conn.sobject('Contact').deleted(new Date(Date.now() - 16 * 86_400_000), after));
    expect(old.errorCode).toBe('INVALID_REPLICATION_DATE');
  });
});
