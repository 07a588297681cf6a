import { describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { writeProject, yaml } from '../helpers/project.js';
import { contacts, listEmails, query, runCdp, startSandbox, useSandbox } from './sync-fixture.js';

// Issue 15 item 3: `cdp forget <type>:<value>` takes a person out of every destination cdp wrote to and
// out of cdp's own tables, with an audit row; later runs never sync them again.

let sandbox: HubSpotSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started));

const PEOPLE = `event_id,user_id,email,amount,at
1,u1,ann@shop.test,10,2026-01-01 10:00:00
2,u1,ann.work@shop.test,5,2026-01-02 10:00:00
3,u2,bob@shop.test,20,2026-01-02 10:00:00
4,u3,cat@shop.test,1,2026-01-02 10:00:00
`;

describe('cdp forget', () => {
  it('removes memberships and clears the fields cdp set, deletes the person from cdp tables, writes an audit row, and keeps them out of later runs', async () => {
    sandbox.reset();
    const dir = await writeProject({
      'cdp.config.yaml': yaml`
        project: t
        destinations:
          hubspot: { type: hubspot, accessToken: "\${HUBSPOT_ACCESS_TOKEN}", baseUrl: "\${HUBSPOT_BASE_URL}", requestsPer10s: 1000 }
      `,
      'data/people.csv': PEOPLE,
      'models/m.yaml': yaml`
        sources:
          - { name: people, path: data/people.csv, timestamp: at, changes: append, primary_key: event_id, identifiers: [{ column: user_id, type: user_id }, { column: email, type: email }] }
        identity:
          id_types: { user_id: { priority: 1 }, email: { priority: 2, normalize: email } }
        traits:
          - { name: spend, from: people, aggregate: sum, column: amount }
        segments:
          - { name: big, where: "spend > 5" }
      `,
      'connectors/contacts.yaml': yaml`
        sync: contacts
        destination: hubspot
        object: contacts
        match: { id_type: email }
        fields: { cdp_spend: spend }
        segments: { big: { list: "CDP: Big" } }
        create_fields: true
        max_audience_removals_pct: 100
      `,
    });
    dirs.push(dir);
    expect((await runCdp(dir, sandbox, ['run'])).code).toBe(0);
    expect(listEmails(sandbox, 'CDP: Big')).toEqual(['ann.work@shop.test', 'bob@shop.test']);
    expect(contacts(sandbox).get('ann.work@shop.test')?.properties.get('cdp_spend')).toBe('15');

    const forget = await runCdp(dir, sandbox, ['forget', 'email:ANN@shop.test', '--json']);
    expect(forget.stderr).not.toContain('error');
    expect(forget.code).toBe(0);
    const summary = JSON.parse(forget.stdout) as { profile_ids: string[]; syncs: { sync: string; records: number; removed: number }[]; deleted: Record<string, number> };
    expect(summary.profile_ids).toHaveLength(1);
    expect(summary.syncs).toEqual([expect.objectContaining({ sync: 'contacts', records: 1, removed: 1 })]);
    expect(summary.deleted).toMatchObject({ identifiers: 3, profiles: 1, segment_members: 1 });
    expect(listEmails(sandbox, 'CDP: Big')).toEqual(['bob@shop.test']);
    expect(contacts(sandbox).get('ann.work@shop.test')?.properties.get('cdp_spend') ?? '').toBe('');
    expect(await query(dir, `select count(*) as n from cdp.identifiers where id_value like 'ann%'`)).toEqual([{ n: 0 }]);
    expect(await query(dir, `select count(*) as n from cdp.sync_state_contacts where match_key like 'ann%'`)).toEqual([{ n: 0 }]);
    // What incremental builds keep of her values goes too (the source is `changes: append`).
    expect(summary.deleted).toMatchObject({ profiles_identifiers: 3, profiles_raw_ids: 3 });
    expect(await query(dir, `select count(*) as n from cdp.profiles_raw_ids where lower(raw) like '%ann%' or id_value like '%ann%'`)).toEqual([{ n: 0 }]);
    expect(await query(dir, `select count(*) as n from cdp.profiles_identifiers where id_value like '%ann%' or id_value = 'u1'`)).toEqual([{ n: 0 }]);
    // And identity's kept row groups of the source, and what its last publish moved.
    expect(summary.deleted._identity_settled_people).toBeGreaterThan(0);
    expect(await query(dir, `select count(*) as n from cdp._identity_settled_people where v0 = 'u1' or v1 like 'ann%'`)).toEqual([{ n: 0 }]);
    expect(await query(dir, `select count(*) as n from cdp._identity_moves where id_value like 'ann%' or id_value = 'u1'`)).toEqual([{ n: 0 }]);
    const audit = await query(dir, `select distinct run_id, requested, profiles, records from cdp.erasures`);
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain('ann');
    expect((await query(dir, `select command, status from cdp.runs order by started_at`)).at(-1)).toEqual({ command: 'forget', status: 'success' });

    // The source still holds Ann's rows: the next build brings her profile back, but no sync sends her again.
    sandbox.resetStats();
    const again = await runCdp(dir, sandbox, ['run', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/error|warn/i);
    // A full profiles build: the values it no longer had are read again from every row.
    expect((JSON.parse(again.stdout) as { build: { profiles: { mode: string } } }).build.profiles.mode).toBe('full');
    expect(listEmails(sandbox, 'CDP: Big')).toEqual(['bob@shop.test']);
    expect(contacts(sandbox).get('ann.work@shop.test')?.properties.get('cdp_spend') ?? '').toBe('');
    expect(sandbox.stats.writeRequests).toBe(0);
  });
});
