import { afterEach, describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { hubspotContacts, hubspotEnv, query, seed, startHubSpot, type Profile } from '../destinations/destination-fixture.js';
import { makeProject } from './sync-fixture.js';
import { cdp, removeProject } from '../helpers/project.js';

/**
 * Keys a scoped sync diff (docs/incremental.md#syncs) must look at although no profile holding them now
 * changed: a key several profiles shared (`on_collision: skip`), and a key that went to another profile with
 * the same values (its state row must follow, or the key's later exit goes unseen). Two projects get the same
 * profiles; builds are stood in for by writing `profile_changes` by hand: the changed profiles on one side,
 * "every profile" on the other, so that side's diff reads everything.
 */
interface Side {
  readonly dir: string;
  readonly sandbox: HubSpotSandbox;
  readonly whole: boolean;
}

const sides: Side[] = [];
afterEach(async () => {
  for (const s of sides.splice(0)) {
    await s.sandbox.close();
    await removeProject(s.dir);
  }
});

async function pair(match: string): Promise<[Side, Side]> {
  const make = async (whole: boolean): Promise<Side> => {
    const s = { dir: await makeProject({ match, segments: 'segments: {}' }), sandbox: await startHubSpot(), whole };
    sides.push(s);
    return s;
  };
  return [await make(false), await make(true)];
}

/** What a build would leave: the profiles, and the log of what changed (all of it on the whole side). */
async function build(s: Side, profiles: readonly Profile[], changed: readonly string[] | 'all'): Promise<void> {
  await seed(s.dir, profiles, [], false);
  await query(s.dir, 'create table if not exists cdp.profile_changes (build bigint, profile_id varchar, all_profiles boolean)');
  const next = '(select coalesce(max(build), 0) + 1 from cdp.profile_changes)';
  if (s.whole || changed === 'all') await query(s.dir, `insert into cdp.profile_changes select ${next}, null, true`);
  else await query(s.dir, `insert into cdp.profile_changes select ${next}, unnest([${changed.map((p) => `'${p}'`).join(', ')}]), false`);
}

async function sync(s: Side): Promise<{ among: unknown; landed: unknown }> {
  const result = await cdp(s.dir, ['sync', '--json'], hubspotEnv(s.sandbox));
  expect(result.code, result.stderr).toBe(0);
  const summary = (JSON.parse(result.stdout) as { syncs: { match_keys: { among: unknown } }[] }).syncs[0];
  const contacts = [...hubspotContacts(s.sandbox)].map(([email, c]) => [email, c.properties.get('firstname')]).sort();
  const state = await query(s.dir, 'select match_key, profile_id from cdp.sync_state_contacts order by match_key');
  return { among: summary.match_keys.among, landed: { contacts, state } };
}

const person = (profile_id: string, email: string): Profile => ({ profile_id, email, first_name: 'Same', last_name: 'Name', lifetime_value: 10, order_count: 1, marketing_consent: true });

describe('a scoped sync diff', () => {
  it('sends a shared key to the one profile left holding it (on_collision: skip)', async () => {
    const [scoped, whole] = await pair('{ trait: email, field: email }');
    const steps: { profiles: Profile[]; changed: string[] | 'all' }[] = [
      { profiles: [person('q1', 'dup@example.com'), person('q2', 'dup@example.com'), person('q3', 'solo@example.com')], changed: 'all' },
      // q2 moves away: dup@ now belongs to q1 alone, although q1 did not change.
      { profiles: [person('q1', 'dup@example.com'), person('q2', 'other@example.com'), person('q3', 'solo@example.com')], changed: ['q2'] },
    ];
    const among: unknown[] = [];
    for (const step of steps) {
      for (const s of [scoped, whole]) await build(s, step.profiles, step.changed);
      const a = await sync(scoped);
      expect(a.landed).toEqual((await sync(whole)).landed);
      among.push(a.among);
    }
    expect(among).toEqual(['all', 'changed']);
    expect([...hubspotContacts(scoped.sandbox).keys()].sort()).toEqual(['dup@example.com', 'other@example.com', 'solo@example.com']);
  });

  it('moves a state row to the profile its key went to, so that profile later giving it up is seen (on_collision: keep_one)', async () => {
    const [scoped, whole] = await pair('{ trait: email, field: email, on_collision: keep_one }');
    const steps: { profiles: Profile[]; changed: string[] | 'all' }[] = [
      { profiles: [person('q1', 'dup@example.com'), person('q2', 'dup@example.com')], changed: 'all' },
      // dup@ goes from q1 to q2 with the same values: nothing to send, but its state row now belongs to q2.
      { profiles: [person('q1', 'a@example.com'), person('q2', 'dup@example.com')], changed: ['q1'] },
      // q2 gives dup@ up: the record leaves.
      { profiles: [person('q1', 'a@example.com'), person('q2', 'b@example.com')], changed: ['q2'] },
    ];
    const among: unknown[] = [];
    for (const step of steps) {
      for (const s of [scoped, whole]) await build(s, step.profiles, step.changed);
      const a = await sync(scoped);
      expect(a.landed).toEqual((await sync(whole)).landed);
      among.push(a.among);
    }
    expect(among).toEqual(['all', 'changed', 'changed']);
    expect(await query(scoped.dir, 'select match_key, profile_id from cdp.sync_state_contacts order by match_key')).toEqual([
      { match_key: 'a@example.com', profile_id: 'q1' },
      { match_key: 'b@example.com', profile_id: 'q2' },
    ]);
  });
});
