import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { writeProject } from '../helpers/project.js';
import { contacts, listEmails, membersOf, people, projectFiles, runCdp, seed, startSandbox, writes, type ConnectorOptions, type Profile, useSandbox } from './sync-fixture.js';

let sandbox: HubSpotSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started), { resetEach: true });

const profiles: Profile[] = people(40);
const highValue = profiles.filter((p) => (p.lifetime_value ?? 0) > 100).map((p) => String(p.email)).sort();

async function project(connector: ConnectorOptions): Promise<string> {
  const dir = await writeProject(projectFiles(connector));
  dirs.push(dir);
  await seed(dir, profiles, membersOf(profiles));
  return dir;
}

/** Rewrites the connector file, as a user editing it would. */
async function edit(dir: string, connector: ConnectorOptions): Promise<void> {
  await writeFile(join(dir, 'connectors/contacts.yaml'), projectFiles(connector)['connectors/contacts.yaml']);
}

const LIST = (name: string) => `segments:\n  high_value: { list: "${name}" }\n  loyal: { field: cdp_loyal }`;

describe('a connector whose targets change (issue 15, item 7)', () => {
  it('moves the members of a renamed list to the new list; plan says so first', async () => {
    const dir = await project({ segments: LIST('CDP: High value') });
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(listEmails(sandbox, 'CDP: High value')).toEqual(highValue);

    await edit(dir, { segments: LIST('CDP: Big spenders') });
    const plan = await runCdp(dir, sandbox, ['plan']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`high_value -> list "CDP: Big spenders"  +${highValue.length} -0`);
    expect(plan.stdout).toContain(`high_value: move ${highValue.length} members from list "CDP: High value" to list "CDP: Big spenders" (target renamed)`);
    const json = JSON.parse((await runCdp(dir, sandbox, ['plan', '--json'])).stdout) as { syncs: { diff: { retired: unknown } }[] };
    expect(json.syncs[0].diff.retired).toEqual({
      memberships: [{ segment: 'high_value', from: 'list "CDP: High value"', to: 'list "CDP: Big spenders"', members: highValue.length }],
      fields: [],
    });

    const sync = await runCdp(dir, sandbox, ['sync']);
    expect(sync.code).toBe(0);
    expect(listEmails(sandbox, 'CDP: Big spenders')).toEqual(highValue);
    expect(listEmails(sandbox, 'CDP: High value')).toEqual([]);
    // no record is re-written for it, and the next run has nothing left to do
    expect(sandbox.stats.requests['POST /crm/v3/objects/contacts/batch/upsert'] ?? 0).toBe(1);
    sandbox.resetStats();
    const again = await runCdp(dir, sandbox, ['plan']);
    expect(again.stdout).not.toContain('members from');
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(sandbox.stats.totalRequests).toBe(0);
  });

  it('moves the members with --full-resync too', async () => {
    const dir = await project({ segments: LIST('CDP: High value') });
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    await edit(dir, { segments: LIST('CDP: Big spenders') });
    expect((await runCdp(dir, sandbox, ['sync', '--full-resync'])).code).toBe(0);
    expect(listEmails(sandbox, 'CDP: Big spenders')).toEqual(highValue);
    expect(listEmails(sandbox, 'CDP: High value')).toEqual([]);
  });

  it('in mirror mode clears a renamed destination field and fills the new one', async () => {
    const fields = { firstname: 'first_name', cdp_order_count: 'order_count' };
    const dir = await project({ mode: 'mirror', fields });
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    const withCount = profiles.filter((p) => p.order_count !== null && p.order_count !== undefined).length;
    expect(contacts(sandbox).get('person7@example.com')?.properties.get('cdp_order_count')).toBe('7');

    await edit(dir, { mode: 'mirror', fields: { firstname: 'first_name', cdp_orders: 'order_count' } });
    const plan = await runCdp(dir, sandbox, ['plan']);
    expect(plan.stdout).toContain(`clear old field cdp_order_count on ${withCount} records (no longer mapped; mirror mode)`);
    expect(plan.stdout).toMatch(/update\s+40\s+\(cdp_orders 40\)/);

    sandbox.resetStats();
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(writes(sandbox)).toEqual({ 'POST /crm/v3/objects/contacts/batch/upsert': 1, 'POST /crm/v3/properties/contacts': 1 });
    for (const p of profiles) {
      const props = contacts(sandbox).get(String(p.email))?.properties;
      expect(props?.get('cdp_orders')).toBe(String(p.order_count));
      expect(props?.get('cdp_order_count') ?? '').toBe('');
    }
    sandbox.resetStats();
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(sandbox.stats.totalRequests).toBe(0);
  });

  it('outside mirror mode leaves a renamed field as it is and says nothing about it', async () => {
    const dir = await project({ fields: { firstname: 'first_name', cdp_order_count: 'order_count' } });
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    await edit(dir, { fields: { firstname: 'first_name', cdp_orders: 'order_count' } });
    expect((await runCdp(dir, sandbox, ['plan'])).stdout).not.toContain('clear old field');
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(contacts(sandbox).get('person7@example.com')?.properties.get('cdp_order_count')).toBe('7');
    expect(contacts(sandbox).get('person7@example.com')?.properties.get('cdp_orders')).toBe('7');
  });

  it('keeps the memberships of a segment renamed in the connector that writes to the same list', async () => {
    const dir = await project({ segments: LIST('CDP: High value') });
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    // the model renames high_value to big_spenders; the connector follows, same list
    const renamed = membersOf(profiles).map((m) => (m.segment === 'high_value' ? { ...m, segment: 'big_spenders' } : m));
    await seed(dir, profiles, renamed);
    const models = join(dir, 'models/people.yaml');
    await writeFile(models, (await readFile(models, 'utf8')).replace('name: high_value', 'name: big_spenders'));
    await edit(dir, { segments: 'segments:\n  big_spenders: { list: "CDP: High value" }\n  loyal: { field: cdp_loyal }' });
    const plan = await runCdp(dir, sandbox, ['plan']);
    expect(plan.stdout).toContain('big_spenders -> list "CDP: High value"  +0 -0');
    expect(plan.stdout).toContain('0 records to send');
    sandbox.resetStats();
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(writes(sandbox)).toEqual({});
    expect(listEmails(sandbox, 'CDP: High value')).toEqual(highValue);
  });
});
