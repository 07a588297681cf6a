import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { writeProject, yaml } from '../helpers/project.js';
import { contacts, query, runCdp, startSandbox, useSandbox } from './sync-fixture.js';

let sandbox: HubSpotSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started));

/** People whose `age` text becomes an integer trait; a non-number fails the profiles stage after identity. */
const csv = (ages: readonly string[]) => `email,age,updated_at\n${ages.map((age, i) => `p${i}@shop.test,${age},2026-01-0${i + 1} 10:00:00`).join('\n')}\n`;

function files(): Record<string, string> {
  return {
    'cdp.config.yaml': yaml`
      project: t
      destinations:
        hubspot:
          type: hubspot
          accessToken: \${HUBSPOT_ACCESS_TOKEN}
          baseUrl: \${HUBSPOT_BASE_URL}
          requestsPer10s: 1000
    `,
    'data/people.csv': csv(['41', '42', '43']),
    'models/m.yaml': yaml`
      sources:
        - name: people
          path: data/people.csv
          timestamp: updated_at
          identifiers: [{ column: email, type: email }]
      identity:
        id_types: { email: { priority: 1 } }
      traits:
        - { name: email, from: people, aggregate: last, column: email }
        - { name: age_text, from: people, aggregate: last, column: age, type: string }
        - { name: age, sql: "cast(age_text as integer)" }
    `,
    'connectors/contacts.yaml': yaml`
      sync: contacts
      destination: hubspot
      object: contacts
      match: { id_type: email }
      fields: { cdp_age: age }
      create_fields: true
      max_removals_pct: 100
    `,
  };
}

describe('a build that fails half-way does not feed a sync', () => {
  it('refuses sync and plan after a failed build, with a clear message, and syncs again after a good build', async () => {
    sandbox.reset();
    const dir = await writeProject(files());
    dirs.push(dir);
    const first = await runCdp(dir, sandbox, ['run']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(contacts(sandbox).size).toBe(3);

    // New data: identity finds a fourth person, then the profiles stage fails on a bad age.
    await writeFile(join(dir, 'data/people.csv'), csv(['41', '42', '43', 'forty-four']));
    const build = await runCdp(dir, sandbox, ['build']);
    expect(build.code).toBe(1);
    expect(build.stderr).toMatch(/Conversion Error/);

    sandbox.resetStats();
    const sync = await runCdp(dir, sandbox, ['sync']);
    expect(sync.code).toBe(1);
    expect(sync.stderr).toMatch(/the last build \(run [^)]+\) failed: identity, profiles and segments may not belong together/);
    expect(sync.stderr).toContain('cdp build');
    expect(sandbox.stats.totalRequests).toBe(0);
    const plan = await runCdp(dir, sandbox, ['plan']);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/the last build .* failed/);
    expect((await query(dir, `select status from cdp.runs where command = 'sync'`)).map((r) => r.status)).toEqual(['failed']);

    await writeFile(join(dir, 'data/people.csv'), csv(['41', '42', '43', '44']));
    expect((await runCdp(dir, sandbox, ['build'])).code).toBe(0);
    const again = await runCdp(dir, sandbox, ['sync']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(contacts(sandbox).get('p3@shop.test')?.properties.get('cdp_age')).toBe('44');
  });
});
