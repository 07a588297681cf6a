import { afterEach, describe, expect, it } from 'vitest';
import { dialects } from '../../src/engines/dialects.js';
import type { DialectName } from '../../src/dialect/dialect.js';
import { identityPlan } from '../../src/identity/identity-plan.js';
import { formatIdentityReport } from '../../src/identity/identity-report.js';
import { inspectIdentity } from '../../src/identity/inspect-identity.js';
import { rowProfileSelect } from '../../src/identity/row-profile-select.js';
import { isCommentOnly, printPlan } from '../../src/model/print-plan.js';
import { yaml } from '../helpers/project.js';
import { AS_OF, identityFixture, type IdentityFixture } from './identity-fixture.js';

const MODELS = yaml`
  sources:
    - name: web
      table: raw.web
      timestamp: ts
      primary_key: id
      identifiers:
        - { column: anon, type: anonymous_id }
        - { column: user_id, type: user_id }
        - { column: email, type: email }
    - name: crm
      table: raw.crm
      primary_key: id
      identifiers:
        - { column: email, type: email }
        - { column: phone, type: phone }
    - name: notes
      table: raw.notes
  identity:
    id_types:
      user_id: { priority: 1, max_per_profile: 1 }
      email: { priority: 2 }
      phone: { priority: 3, default_country_code: "44" }
      anonymous_id: { priority: 9, link_window: 30d }
    max_links_per_value: 3
`;
const TABLES = { web: ['id', 'ts', 'anon', 'user_id', 'email'], crm: ['id', 'email', 'phone'], notes: ['id', 'body'] };

let f: IdentityFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

async function sampleData(fx: IdentityFixture): Promise<void> {
  const web = (id: string, ts: string, anon: string | null, user_id: string | null, email: string | null) => ({ id, ts, anon, user_id, email });
  await fx.setRows('web', [
    web('w1', '2026-01-20 10:00:00', 'a1', 'u1', null),
    web('w2', '2026-01-21 10:00:00', 'a1', null, 'Ann@X.com'),
    web('w3', '2025-10-01 10:00:00', 'a-old', 'u1', null),
    web('w4', '2026-01-22 10:00:00', 'k1', 'u2', 'null'),
    ...['u3', 'u4', 'u5', 'u6'].map((u, k) => web(`h${k}`, '2026-01-23 10:00:00', `h${k}`, u, 'shared@x.com')),
    web('w5', '2026-01-24 10:00:00', 'a9', null, null),
  ]);
  await fx.setRows('crm', [{ id: 'c1', email: 'ann@x.com', phone: '07700 900123' }]);
}

describe('identityPlan', () => {
  it('compiles for every dialect without engine-specific leaks', async () => {
    f = await identityFixture(MODELS, TABLES);
    for (const [name, dialect] of Object.entries(dialects) as [DialectName, (typeof dialects)[DialectName]][]) {
      const steps = printPlan({ dialect: name, steps: identityPlan(f.project, dialect, { asOf: AS_OF, runId: 'r1' }) }, dialect);
      const sql = steps.flatMap((s) => s.statements).join('\n');
      expect(steps.every((s) => s.stage === 'identity' && s.id.startsWith('identity.'))).toBe(true);
      expect(sql.toLowerCase(), name).not.toMatch(/using key|with recursive/);
      if (name === 'bigquery') {
        expect(sql).not.toMatch(/\bfilter \(|create or replace temp|"cdp"|::/i);
        expect(sql).toContain('`cdp`.`identifiers`');
      }
      if (name === 'snowflake') expect(sql).toContain('"CDP"."IDENTIFIERS"');
      if (name === 'duckdb') expect(sql).not.toContain('`');
    }
  });

  it('prints the statements a full build sends', async () => {
    f = await identityFixture(MODELS, TABLES);
    await sampleData(f);
    const sent: string[] = [];
    const execute = f.w.execute.bind(f.w);
    f.w.execute = async (sql, options) => {
      sent.push(sql);
      return execute(sql, options);
    };
    await f.build({ fullRefresh: true });
    const d = f.w.dialect;
    const compiled = printPlan({ dialect: f.w.dialect.name, steps: identityPlan(f.project, f.w.dialect, { asOf: AS_OF, runId: 'run1' }) }, f.w.dialect);
    // Every statement outside the components choice, the limits' loop and the publish transaction's brackets is sent by a full build.
    const fixed = compiled
      .filter((s) => !['identity.components', 'identity.limits'].some((id) => s.id.startsWith(id)))
      .flatMap((s) => s.statements)
      .filter((s) => !isCommentOnly(s) && s !== d.beginTransaction() && s !== d.commitTransaction());
    expect(fixed.filter((s) => !sent.includes(s))).toEqual([]);
  });
});

describe('rowProfileSelect and inspectIdentity', () => {
  it('maps each row to the profile of its strongest usable identifier', async () => {
    f = await identityFixture(MODELS, TABLES);
    await sampleData(f);
    await f.build();
    const p = await f.profiles();
    const rows = await f.rows(`select id, _cdp_profile_id from (${rowProfileSelect(f.project, f.w.dialect, { name: 'web' })}) x order by id`);
    const of = Object.fromEntries(rows.map((r) => [r.id, r._cdp_profile_id]));
    expect(of.w1).toBe(p.get('user_id:u1'));
    expect(of.w3).toBe(p.get('user_id:u1'));
    expect(of.w4).toBe(p.get('user_id:u2'));
    expect(of.h0).toBe(p.get('user_id:u3'));
    expect(of.w5).toBe(p.get('anonymous_id:a9'));
    const crm = await f.rows(`select _cdp_profile_id from (${rowProfileSelect(f.project, f.w.dialect, { name: 'crm' })}) x`);
    expect(crm).toEqual([{ _cdp_profile_id: p.get('user_id:u1') }]);
    const notes = await f.rows(`select count(*) as n from (${rowProfileSelect(f.project, f.w.dialect, { name: 'notes' })}) x where _cdp_profile_id is null`);
    expect(notes).toEqual([{ n: 0 }]);
    expect(p.get('phone:+447700900123')).toBe(p.get('user_id:u1'));
  });

  it('explains a profile: identifiers, the links that joined them, and what the guards dropped', async () => {
    f = await identityFixture(MODELS, TABLES);
    await sampleData(f);
    const report = await f.build();
    expect(formatIdentityReport(report).join('\n')).toMatch(/identity \(full.*profiles/);
    const seen = await inspectIdentity(f.w, f.project, 'phone', '+44 7700 900123');
    if (!seen.found) throw new Error(`not found: ${seen.reason}`);
    expect(seen.identifiers.map((i) => `${i.idType}:${i.idValue}`).sort()).toEqual(['anonymous_id:a1', 'email:ann@x.com', 'phone:+447700900123', 'user_id:u1']);
    const user = seen.identifiers.find((i) => i.idType === 'user_id');
    expect(user?.path.map((s) => `${s.from.idValue}>${s.to.idValue}`)).toEqual(['+447700900123>ann@x.com', 'ann@x.com>a1', 'a1>u1']);
    expect(user?.path[0].evidence).toEqual([{ source: 'crm', rows: 1, firstSeen: null, lastSeen: null, example: 'c1' }]);
    expect(seen.dropped.map((x) => `${x.reason}:${x.identifier.idValue}`)).toContain('window:a-old');

    const hub = await inspectIdentity(f.w, f.project, 'email', ' SHARED@x.com');
    expect(hub).toMatchObject({ found: false, reason: 'hub', query: { idType: 'email', idValue: 'shared@x.com' } });
    const blocked = await inspectIdentity(f.w, f.project, 'email', 'NULL');
    expect(blocked).toMatchObject({ found: false, reason: 'blocklist' });
    expect(await inspectIdentity(f.w, f.project, 'fax', '1')).toMatchObject({ found: false, reason: 'unknown-type' });
    expect(await inspectIdentity(f.w, f.project, 'email', 'nobody@x.com')).toMatchObject({ found: false, reason: 'not-seen' });
    const u2 = await inspectIdentity(f.w, f.project, 'user_id', 'u2');
    if (!u2.found) throw new Error('u2 not found');
    expect(u2.dropped.map((x) => x.reason)).toEqual(['blocklist']);
  });
});
