import { describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { writeProject } from '../helpers/project.js';
import { contacts, listEmails, membersOf, people, projectFiles, query, runCdp, seed, startSandbox, type Profile, useSandbox } from './sync-fixture.js';

// Issue 15 item 1: the removal gates protect each audience and each field, and every gate of every sync
// of a run is evaluated before any sync sends anything (docs/guarantees.md).

let sandbox: HubSpotSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started), { resetEach: true });

const gates = { maxRemovalsPct: 20, maxAudienceRemovalsPct: 20, maxFieldClearsPct: 20 };

/** Two syncs to HubSpot contacts: `a_orders` writes order_count, `b_lists` keeps the high_value list. */
async function twoSyncs(profiles: readonly Profile[]): Promise<string> {
  const orders = projectFiles({ sync: 'a_orders', fields: { cdp_order_count: 'order_count' }, segments: 'segments: {}', ...gates });
  const lists = projectFiles({ sync: 'b_lists', fields: { firstname: 'first_name' }, segments: 'segments:\n  high_value: { list: "CDP: High value" }', ...gates });
  const dir = await writeProject({ ...orders, 'connectors/b_lists.yaml': lists['connectors/b_lists.yaml'] });
  dirs.push(dir);
  await seed(dir, profiles, membersOf(profiles));
  const first = await runCdp(dir, sandbox, ['sync']);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  sandbox.resetStats();
  return dir;
}

// 550 people, 66 of them in the list (12% of the records), everyone with 3 orders.
const base = people(550, (i) => ({ lifetime_value: i < 66 ? 500 : 10, order_count: 3 }));
const stateOf = async (dir: string, sync: string) => query(dir, `select * from cdp.sync_state_${sync} order by match_key`);

describe('removal gates', () => {
  it('an emptied list trips its audience gate although it is 12% of the records, and no sync sends anything', async () => {
    const dir = await twoSyncs(base);
    expect(listEmails(sandbox, 'CDP: High value')).toHaveLength(66);
    const before = { orders: await stateOf(dir, 'a_orders'), lists: await stateOf(dir, 'b_lists') };
    // A broken build: the list empties; meanwhile ten people really ordered once more (a_orders passes every gate).
    const broken = base.map((p, i) => ({ ...p, lifetime_value: 10, order_count: i >= 100 && i < 110 ? 4 : 3 }));
    await seed(dir, broken, membersOf(broken));

    const plan = await runCdp(dir, sandbox, ['plan', '--json']);
    expect(plan.code).toBe(0);
    const planned = JSON.parse(plan.stdout) as { syncs: { sync: string; gates: { gate: string; name: string; removed: number; of: number; pct: number; exceeded: boolean }[] }[] };
    const listGates = planned.syncs.find((s) => s.sync === 'b_lists')?.gates ?? [];
    expect(listGates.find((g) => g.gate === 'records')).toMatchObject({ removed: 66, of: 550, pct: 12, exceeded: false });
    expect(listGates.find((g) => g.gate === 'audience')).toMatchObject({ name: 'high_value', removed: 66, of: 66, pct: 100, exceeded: true });
    expect(plan.stderr).toContain('gate b_lists: list "CDP: High value" would lose 66 of 66 members (100%), more than max_audience_removals_pct 20');

    const held = await runCdp(dir, sandbox, ['sync']);
    expect(held.code).toBe(4);
    expect(held.stderr).toContain('gate b_lists: list "CDP: High value" would lose 66 of 66 members (100%)');
    expect(held.stderr).toContain('nothing was sent to any destination');
    expect(sandbox.stats.writeRequests).toBe(0);
    expect(listEmails(sandbox, 'CDP: High value')).toHaveLength(66);
    expect(contacts(sandbox).get('person100@example.com')?.properties.get('cdp_order_count')).toBe('3');
    expect({ orders: await stateOf(dir, 'a_orders'), lists: await stateOf(dir, 'b_lists') }).toEqual(before);
    const runs = await query(dir, `select status, counts from cdp.runs order by started_at`);
    expect(runs.at(-1)?.status).toBe('blocked');
    expect(String(runs.at(-1)?.counts)).toContain('"removal_gates"');

    // Passing the gate knowingly sends both syncs.
    const accepted = await runCdp(dir, sandbox, ['sync', '--accept-removals']);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain('gate accepted (--accept-removals): b_lists: list "CDP: High value" would lose 66 of 66 members');
    expect(listEmails(sandbox, 'CDP: High value')).toHaveLength(0);
    expect(contacts(sandbox).get('person100@example.com')?.properties.get('cdp_order_count')).toBe('4');
  });

  it('order_count zeroed for 90% of records trips its field gate before anything is sent; --force passes it', async () => {
    const dir = await twoSyncs(base);
    const broken = base.map((p, i) => ({ ...p, order_count: i % 10 === 0 ? 3 : 0 }));
    await seed(dir, broken, membersOf(broken));
    const held = await runCdp(dir, sandbox, ['sync', '--json']);
    expect(held.code).toBe(4);
    expect(held.stderr).toContain('gate a_orders: would null or zero 495 of 550 values cdp set in cdp_order_count (90%), more than max_field_clears_pct 20');
    expect(sandbox.stats.writeRequests).toBe(0);
    const summary = JSON.parse(held.stdout) as { removal_gates: { open: boolean; held: { sync: string; gate: string; name: string }[] } };
    expect(summary.removal_gates.open).toBe(false);
    expect(summary.removal_gates.held).toEqual([expect.objectContaining({ sync: 'a_orders', gate: 'field', name: 'cdp_order_count' })]);
    expect(contacts(sandbox).get('person1@example.com')?.properties.get('cdp_order_count')).toBe('3');

    const forced = await runCdp(dir, sandbox, ['sync', '--force']);
    expect(forced.code).toBe(0);
    expect(contacts(sandbox).get('person1@example.com')?.properties.get('cdp_order_count')).toBe('0');
  });
});
