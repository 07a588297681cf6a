import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportData } from '../../src/report/report-data.js';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { removeProject, writeProject, yaml } from '../helpers/project.js';
import { contacts, query, runCdp, startSandbox, writes } from '../sync/sync-fixture.js';
import { hubspotConfig } from '../destinations/destination-fixture.js';

const PEOPLE = 60;
const SHARED = 40;

/** Sign-ups: one row per person, then (when `hub`) 40 of them also sign up with the shared info@ address. */
function signups(hub: boolean): string {
  const rows = ['id,user_id,email,updated_at'];
  for (let i = 0; i < PEOPLE; i++) rows.push(`s${i},u${i},person${i}@example.com,2026-01-01T00:00:00Z`);
  if (hub) for (let i = 0; i < SHARED; i++) rows.push(`h${i},u${i},info@company.com,2026-01-02T00:00:00Z`);
  return `${rows.join('\n')}\n`;
}

function files(gate = ''): Record<string, string> {
  return {
    'cdp.config.yaml': hubspotConfig(),
    'models/people.yaml': `${yaml`
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
        max_links_per_value: 100000
    `}${gate}\n${yaml`
      traits:
        - { name: email, from: signups, aggregate: first, column: email }
        - { name: signups, from: signups, aggregate: count }
    `}`,
    'connectors/contacts.yaml': yaml`
      sync: contacts
      destination: hubspot
      object: contacts
      match: { trait: email, field: email }
      fields: { cdp_signups: signups }
      create_fields: true
      max_removals_pct: 100
    `,
    'data/signups.csv': signups(false),
  };
}

describe('identity quality gate', () => {
  let sandbox: HubSpotSandbox;
  let dir: string;
  beforeAll(async () => {
    sandbox = await startSandbox();
    dir = await writeProject(files());
  });
  afterAll(async () => {
    await sandbox.close();
    await removeProject(dir);
  });

  it('holds every sync after a shared info@ address merges people, until the change is accepted', async () => {
    const first = await runCdp(dir, sandbox, ['run']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('identity gate: passed');
    expect(contacts(sandbox).size).toBe(PEOPLE);

    // The hub guard is off (max_links_per_value: 100000), so info@company.com merges 40 people into one profile.
    await writeFile(join(dir, 'data/signups.csv'), signups(true));
    sandbox.resetStats();
    const tripped = await runCdp(dir, sandbox, ['run', '--json']);
    expect(tripped.code, tripped.stderr).toBe(4);
    expect(tripped.stderr).toContain('identity gate: tripped');
    expect(tripped.stderr).toMatch(/changed_pct: 65 > 5 \(identity\.gate\.max_changed_pct\): 39 merged and 0 split of 60 profiles/);
    expect(tripped.stderr).toContain('nothing was sent');
    const summary = JSON.parse(tripped.stdout) as { identity_gate: { open: boolean; held: { checks: { check: string; value: number; exceeded: boolean }[] }[] } };
    expect(summary.identity_gate.open).toBe(false);
    expect(summary.identity_gate.held[0].checks.filter((c) => c.exceeded).map((c) => c.check)).toEqual(['changed_pct', 'top1pct_growth_pct']);
    expect(writes(sandbox)).toEqual({});
    const [run] = await query(dir, 'select status, counts from cdp.runs order by started_at desc limit 1');
    expect(run.status).toBe('blocked');
    expect(JSON.parse(String(run.counts)).build.identityGate.status).toBe('tripped');

    // The report of the held run shows the gate and the numbers behind it.
    const report = await runCdp(dir, sandbox, ['report', '--out', 'report']);
    expect(report.code, report.stderr).toBe(0);
    const data = JSON.parse(await readFile(join(dir, 'report', 'report.json'), 'utf8')) as ReportData;
    expect(data.run.status).toBe('blocked');
    expect(data.identity?.gate?.status).toBe('tripped');
    expect(data.identity?.changes.merge).toBe(SHARED - 1);
    expect(data.syncs.gates.map((g) => [g.gate, g.checks.map((c) => c.check)])).toEqual([['identity', ['changed_pct', 'top1pct_growth_pct']]]);

    // plan shows the gate; a plain sync and a plain run (whose own build changes nothing) are still held.
    const plan = await runCdp(dir, sandbox, ['plan']);
    expect(plan.stderr).toContain('cdp sync would send nothing (exit 4)');
    const sync = await runCdp(dir, sandbox, ['sync']);
    expect(sync.code, sync.stderr).toBe(4);
    const again = await runCdp(dir, sandbox, ['run']);
    expect(again.code, again.stderr).toBe(4);
    expect(again.stdout).toContain('identity gate: passed');
    expect(writes(sandbox)).toEqual({});

    const accepted = await runCdp(dir, sandbox, ['sync', '--accept-identity-change']);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toMatch(/identity gate: the change of build \S+ is accepted by run/);
    expect(Object.values(writes(sandbox)).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(contacts(sandbox).get('info@company.com')).toBeUndefined();
    // The merged profile (first email person0@) now carries the 80 sign-ups of the 40 people it merged.
    expect(contacts(sandbox).get('person0@example.com')?.properties.get('cdp_signups')).toBe('80');

    // Accepted: the next run sends (nothing left to send) without the flag.
    const next = await runCdp(dir, sandbox, ['run']);
    expect(next.code, next.stderr).toBe(0);
  });

  it('is released when the config is fixed to allow the change, without accepting it', async () => {
    const d = await writeProject({ ...files(), 'data/signups.csv': signups(false) });
    try {
      expect((await runCdp(d, sandbox, ['run'])).code).toBe(0);
      await writeFile(join(d, 'data/signups.csv'), signups(true));
      expect((await runCdp(d, sandbox, ['build'])).code).toBe(0);
      expect((await runCdp(d, sandbox, ['sync'])).code).toBe(4);
      const relaxed = files(yaml`
          gate: { max_changed_pct: 80, max_top1pct_growth_pct: 10000 }
      `.replace(/^/gm, '  '));
      await writeFile(join(d, 'models/people.yaml'), relaxed['models/people.yaml']);
      const sync = await runCdp(d, sandbox, ['sync']);
      expect(sync.code, sync.stderr).toBe(0);
    } finally {
      await removeProject(d);
    }
  });
  it('counts values that became hubs in this build (the hub guard on), and only once', async () => {
    const project = files(yaml`
        gate: { max_new_hubs: 0 }
    `.replace(/^/gm, '  '));
    const d = await writeProject({ ...project, 'models/people.yaml': project['models/people.yaml'].replace('max_links_per_value: 100000', 'max_links_per_value: 5') });
    type Build = { identity: { hubs: number; new_hubs: number }; identity_gate: { status: string; checks: { check: string; value: number; exceeded: boolean }[] } };
    const build = async (): Promise<Build> => {
      const r = await runCdp(d, sandbox, ['build', '--json']);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Build;
    };
    try {
      expect((await build()).identity.new_hubs).toBe(0);
      await writeFile(join(d, 'data/signups.csv'), signups(true));
      const hub = await build();
      expect(hub.identity).toMatchObject({ hubs: 1, new_hubs: 1 });
      expect(hub.identity_gate.status).toBe('tripped');
      expect(hub.identity_gate.checks.filter((c) => c.exceeded).map((c) => [c.check, c.value])).toEqual([['new_hubs', 1]]);
      const again = await build();
      expect(again.identity).toMatchObject({ hubs: 1, new_hubs: 0 });
      expect(again.identity_gate.status).toBe('passed');
    } finally {
      await removeProject(d);
    }
  });
});
