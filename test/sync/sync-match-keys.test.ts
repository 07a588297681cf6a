import { describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { writeProject, yaml } from '../helpers/project.js';
import { contacts, query, runCdp, startSandbox, useSandbox } from './sync-fixture.js';

// Issue 15 item 2: match keys come from identity (match: { id_type }), shared keys are reported and follow
// match.on_collision, and keys the destination always refuses are filtered and reported once.

let sandbox: HubSpotSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started), { resetEach: true });

/**
 * u1's newest email is blocklisted (test@test.com), u2 only has a blocklisted one, u3 typed "n/a", u4's
 * email arrives in two spellings, u5's address has no domain HubSpot accepts, and 30 family members share one.
 */
function people(): string {
  const rows = [
    'event_id,user_id,email,amount,at',
    '1,u1,ann@shop.test,10,2026-01-01 10:00:00',
    '2,u1,test@test.com,5,2026-01-02 10:00:00',
    '3,u2,noreply@gmail.com,7,2026-01-02 10:00:00',
    '4,u3,n/a,3,2026-01-02 10:00:00',
    '5,u4,bob@shop.test,1,2026-01-01 10:00:00',
    '6,u4, Bob@Shop.TEST,1,2026-01-03 10:00:00',
    '7,u5,joe@localhost,2,2026-01-03 10:00:00',
    ...Array.from({ length: 30 }, (_, i) => `${10 + i},f${i},family@home.net,${i},2026-01-0${1 + (i % 5)} 10:00:00`),
  ];
  return `${rows.join('\n')}\n`;
}

async function project(match: string): Promise<string> {
  const dir = await writeProject({
    'cdp.config.yaml': yaml`
      project: t
      destinations:
        hubspot: { type: hubspot, accessToken: "\${HUBSPOT_ACCESS_TOKEN}", baseUrl: "\${HUBSPOT_BASE_URL}", requestsPer10s: 1000 }
    `,
    'data/people.csv': people(),
    'models/m.yaml': yaml`
      sources:
        - name: people
          path: data/people.csv
          timestamp: at
          primary_key: event_id
          identifiers: [{ column: user_id, type: user_id }, { column: email, type: email }]
      identity:
        id_types:
          user_id: { priority: 1, max_per_profile: 1 }
          email: { priority: 2, normalize: email, max_per_profile: 5 }
        blocklist:
          - { type: email, pattern: '^(test|noreply)@' }
      traits:
        - { name: email, from: people, aggregate: last, column: email }
        - { name: spend, from: people, aggregate: sum, column: amount }
    `,
    'connectors/contacts.yaml': yaml`
      sync: contacts
      destination: hubspot
      object: contacts
      match: ${match}
      fields: { cdp_spend: spend }
      create_fields: true
    `,
  });
  dirs.push(dir);
  return dir;
}

interface Keys {
  readonly collided_keys: number;
  readonly collided_profiles: number;
  readonly refused_keys: number;
  readonly new_refused_keys: number;
}

describe('match keys', () => {
  it('match: { id_type: email } uses the best identifier identity kept, never a blocklisted one; a shared address is reported and skipped; a refused address is filtered and reported once', async () => {
    const dir = await project('{ id_type: email }');
    const first = await runCdp(dir, sandbox, ['run', '--json']);
    expect(first.stderr).not.toContain('error');
    expect(first.code).toBe(0);
    const emails = [...contacts(sandbox).keys()].sort();
    expect(emails).toEqual(['ann@shop.test', 'bob@shop.test']);
    expect(contacts(sandbox).get('ann@shop.test')?.properties.get('cdp_spend')).toBe('15');
    const out = first.stdout + first.stderr;
    expect(out).toContain('contacts: match keys: 30 profiles share 1 key; the key is used for none of them (match.on_collision: skip)');
    expect(out).toContain('1 profile with a email hubspot always refuses: not sent (listed once in sync_log, code refused-key)');
    const summary = JSON.parse(first.stdout) as { syncs: { match_keys: Keys }[] };
    expect(summary.syncs[0].match_keys).toMatchObject({ collided_keys: 1, collided_profiles: 30, refused_keys: 1, new_refused_keys: 1 });
    expect(await query(dir, `select key, code from cdp.sync_log`)).toEqual([{ key: 'joe@localhost', code: 'refused-key' }]);

    // The next run reports the refused key no more, and exits 0 again (it is never sent).
    const second = await runCdp(dir, sandbox, ['run']);
    expect(second.code).toBe(0);
    expect(second.stdout + second.stderr).not.toContain('always refuses');
    expect(await query(dir, `select count(*) as n from cdp.sync_log`)).toEqual([{ n: 1 }]);
    const plan = await runCdp(dir, sandbox, ['plan', '--json']);
    expect((JSON.parse(plan.stdout) as { syncs: { match_keys: Keys }[] }).syncs[0].match_keys).toMatchObject({ collided_keys: 1, collided_profiles: 30, refused_keys: 1, new_refused_keys: 0 });
    expect(plan.stdout + plan.stderr).toContain('match keys: 30 profiles share 1 key');
  });

  it('on_collision: keep_one sends the shared address once, for the profile identity gave it to', async () => {
    const dir = await project('{ id_type: email, on_collision: keep_one }');
    expect((await runCdp(dir, sandbox, ['run'])).code).toBe(0);
    expect([...contacts(sandbox).keys()].sort()).toEqual(['ann@shop.test', 'bob@shop.test', 'family@home.net']);
  });

  it('match: { trait } keys are filtered the same way: "n/a" is never sent (exit 0 on every run), a shared value is reported', async () => {
    const dir = await project('{ trait: email, field: email }');
    for (let run = 0; run < 2; run++) {
      const result = await runCdp(dir, sandbox, ['run']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('contacts: match keys: 30 profiles share 1 key; the key is used for none of them');
      expect(result.stdout.includes('always refuses')).toBe(run === 0);
    }
    const emails = [...contacts(sandbox).keys()];
    expect(emails).not.toContain('n/a');
    expect(emails).not.toContain('family@home.net');
    expect(await query(dir, `select key from cdp.sync_log where code = 'refused-key' order by key`)).toEqual([{ key: 'joe@localhost' }, { key: 'n/a' }]);
  });
});
