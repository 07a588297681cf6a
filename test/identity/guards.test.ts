import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { RunError } from '../../src/diagnostics/diagnostic.js';
import { yaml } from '../helpers/project.js';
import { AS_OF, groups, identityFixture, together, type IdentityFixture, type RawRow } from './identity-fixture.js';

const models = (identity: string) => yaml`
  sources:
    - name: web
      table: raw.web
      timestamp: ts
      primary_key: id
      identifiers:
        - { column: anon, type: anonymous_id }
        - { column: user_id, type: user_id }
        - { column: email, type: email }
        - { column: device, type: device_id }
  identity:
${identity}
`;
const TABLES = { web: ['id', 'ts', 'anon', 'user_id', 'email', 'device'] };
const TYPES = `    id_types:
      user_id: { priority: 1, max_per_profile: 1 }
      email: { priority: 2 }
      device_id: { priority: 8 }
      anonymous_id: { priority: 9, link_window: 30d }`;

let f: IdentityFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

let n = 0;
const daysAgo = (days: number) => new Date(AS_OF.getTime() - days * 86_400_000).toISOString().replace('T', ' ').slice(0, 19);
const row = (v: { anon?: string; user_id?: string; email?: string; device?: string; days?: number }): RawRow => ({
  id: String(++n),
  ts: daysAgo(v.days ?? 1),
  anon: v.anon ?? null,
  user_id: v.user_id ?? null,
  email: v.email ?? null,
  device: v.device ?? null,
});

describe('identity guards', () => {
  it('never links through blocklisted values, built-in or configured', async () => {
    f = await identityFixture(
      models(`${TYPES}
    blocklist:
      - { type: email, pattern: '@qa\\.internal$' }
      - { value: shared-kiosk }`),
      TABLES,
    );
    const junk = ['null', 'NULL', ' undefined ', 'test@example.com', 'noreply@acme.io', 'n/a', 'bot@qa.internal', '', 'no at sign'];
    await f.setRows('web', [
      ...junk.map((email, k) => row({ anon: `a${k}`, email })),
      row({ anon: 'b1', user_id: '-1' }),
      row({ anon: 'b2', user_id: '0' }),
      row({ anon: 'b3', device: '00000000-0000-0000-0000-000000000000' }),
      row({ anon: 'b4', device: 'shared-kiosk' }),
      row({ anon: 'b5', device: 'shared-kiosk' }),
    ]);
    const report = await f.build();
    const p = await f.profiles();
    expect(groups(p).every((g) => g.length === 1)).toBe(true);
    expect([...p.keys()].filter((k) => !k.startsWith('anonymous_id:'))).toEqual([]);
    expect(report.blockedValues).toBeGreaterThanOrEqual(10);
    const review = await f.rows(`select distinct id_value from cdp._identity_review where reason = 'blocklist' and other_type is null order by 1`);
    expect(review.map((r) => r.id_value)).toContain('bot@qa.internal');
  });

  it('treats a value shared by more than max_links_per_value stronger ids as a hub, not a link', async () => {
    f = await identityFixture(models(`${TYPES}\n    max_links_per_value: 5`), TABLES);
    const people = Array.from({ length: 30 }, (_, k) => row({ anon: `a${k}`, user_id: `u${k}`, email: 'family@x.com' }));
    const few = Array.from({ length: 3 }, (_, k) => row({ anon: `c${k}`, email: 'team@x.com' }));
    await f.setRows('web', [...people, ...few]);
    const report = await f.build();
    const p = await f.profiles();
    expect(report.hubs).toBe(1);
    expect(p.has('email:family@x.com')).toBe(false);
    for (let k = 0; k < 30; k++) expect(together(p, `anonymous_id:a${k}`, `user_id:u${k}`)).toBe(true);
    expect(new Set(Array.from({ length: 30 }, (_, k) => p.get(`user_id:u${k}`))).size).toBe(30);
    expect(together(p, 'anonymous_id:c0', 'anonymous_id:c1', 'anonymous_id:c2', 'email:team@x.com')).toBe(true);
    const [hub] = await f.rows(`select detail from cdp._identity_review where reason = 'hub' and other_type is null`);
    expect(hub.detail).toMatch(/^30 stronger ids/);
  });

  it('makes a kiosk a hub by what it links through weaker ids: each user keeps only their own sessions', async () => {
    f = await identityFixture(models(`${TYPES}\n    max_links_per_value: 20`), TABLES);
    // One device, 200 anonymous sessions; 40 of them log in, each as a different user (login rows carry no device).
    const rows = Array.from({ length: 200 }, (_, k) => [
      row({ device: 'kiosk-1', anon: `s${k}` }),
      ...(k < 40 ? [row({ anon: `s${k}`, user_id: `u${k}` })] : []),
    ]).flat();
    await f.setRows('web', rows);
    const report = await f.build();
    const p = await f.profiles();
    expect(report.hubs).toBe(1);
    expect(p.has('device_id:kiosk-1')).toBe(false);
    for (let k = 0; k < 40; k++) {
      expect(together(p, `anonymous_id:s${k}`, `user_id:u${k}`)).toBe(true);
      const mine = [...p].filter(([, id]) => id === p.get(`user_id:u${k}`)).map(([key]) => key);
      expect(mine.sort()).toEqual([`anonymous_id:s${k}`, `user_id:u${k}`]);
    }
    expect(new Set(Array.from({ length: 200 }, (_, k) => p.get(`anonymous_id:s${k}`))).size).toBe(200);
  });

  it('keeps a family device out of its users\' profiles when more users reach it than max_per_profile allows', async () => {
    f = await identityFixture(models(TYPES), TABLES);
    const rows = ['u1', 'u2', 'u3'].flatMap((u, k) => [
      row({ device: 'family-ipad', anon: `f${k}` }),
      row({ anon: `f${k}`, user_id: u }),
      row({ anon: `own${k}`, user_id: u, email: `${u}@x.com` }),
    ]);
    await f.setRows('web', rows);
    const report = await f.build();
    const p = await f.profiles();
    expect(report.hubs).toBe(1);
    expect(p.has('device_id:family-ipad')).toBe(false);
    for (const [k, u] of ['u1', 'u2', 'u3'].entries()) expect(together(p, `anonymous_id:f${k}`, `anonymous_id:own${k}`, `user_id:${u}`, `email:${u}@x.com`)).toBe(true);
    expect(new Set(['u1', 'u2', 'u3'].map((u) => p.get(`user_id:${u}`))).size).toBe(3);
  });

  it('keeps two user_ids apart with max_per_profile 1, dropping the weaker link by counts, not order', async () => {
    f = await identityFixture(models(TYPES), TABLES);
    const rows = [
      ...Array.from({ length: 5 }, () => row({ device: 'd1', user_id: 'u1' })),
      row({ device: 'd1', user_id: 'u2' }),
      row({ anon: 'x1', user_id: 'u3', email: 'e3@x.com' }),
      row({ anon: 'x1', email: 'e4@x.com' }),
      row({ email: 'e4@x.com', user_id: 'u4' }),
      row({ email: 'e4@x.com', user_id: 'u4' }),
    ];
    await f.setRows('web', rows);
    const report = await f.build();
    const p = await f.profiles();
    expect(together(p, 'device_id:d1', 'user_id:u1')).toBe(true);
    expect(together(p, 'user_id:u1', 'user_id:u2')).toBe(false);
    expect(together(p, 'user_id:u3', 'user_id:u4')).toBe(false);
    expect(together(p, 'email:e4@x.com', 'user_id:u4')).toBe(true);
    expect(report.droppedByLimit).toBeGreaterThanOrEqual(2);
    const limits = await f.rows(`select id_value, other_value, detail from cdp._identity_review where reason = 'limit' order by 1, 2`);
    expect(limits.map((r) => [r.id_value, r.other_value].sort().join('-'))).toContain('d1-u2');
    expect(limits.every((r) => r.detail === 'user_id max_per_profile 1')).toBe(true);
    // The same rows in another order, from scratch: the same partition.
    await f.setRows('web', [...rows].reverse().map((r, k) => ({ ...r, id: `r${k}` })));
    await f.build({ fullRefresh: true });
    expect(groups(await f.profiles())).toEqual(groups(p));
  });

  it('drops weak links older than their link_window, and splits when a link ages out', async () => {
    f = await identityFixture(models(TYPES), TABLES);
    await f.setRows('web', [
      row({ anon: 'old', user_id: 'u1', days: 60 }),
      row({ anon: 'new', user_id: 'u1', days: 20 }),
      row({ anon: 'new', days: 2 }),
      row({ user_id: 'u1', email: 'u1@x.com', days: 90 }),
    ]);
    const report = await f.build();
    let p = await f.profiles();
    expect(together(p, 'anonymous_id:new', 'user_id:u1')).toBe(true);
    expect(together(p, 'anonymous_id:old', 'user_id:u1')).toBe(false);
    expect(report.droppedByWindow).toBe(1);
    const u1 = p.get('user_id:u1');
    const later = await f.build({ asOf: new Date(AS_OF.getTime() + 15 * 86_400_000) });
    p = await f.profiles();
    expect(together(p, 'anonymous_id:new', 'user_id:u1')).toBe(false);
    expect(later.changes.split).toBe(1);
    expect(p.get('user_id:u1')).toBe(u1);
  });

  it('ignores rows stamped after the as-of time', async () => {
    f = await identityFixture(models(TYPES), TABLES);
    await f.setRows('web', [row({ anon: 'a', user_id: 'u', days: -2 }), row({ anon: 'a', days: 1 })]);
    await f.build();
    expect([...(await f.profiles()).keys()]).toEqual(['anonymous_id:a']);
  });

  it('reports profiles over max_profile_size, and refuses to publish them with fail_on_oversize', async () => {
    f = await identityFixture(models(`${TYPES}\n    max_profile_size: 3\n    fail_on_oversize: true`), TABLES);
    await f.setRows('web', [row({ anon: 'a1', user_id: 'u1' }), row({ anon: 'a2', user_id: 'u2' })]);
    await f.build();
    const before = await f.profiles();
    await f.setRows('web', [row({ anon: 'a1', user_id: 'u1' }), row({ anon: 'a2', user_id: 'u1' }), row({ anon: 'a3', user_id: 'u1', email: 'x@y.com' })]);
    const failure = await f.build().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RunError);
    expect((failure as RunError).code).toBe('identity-oversize');
    expect(await f.profiles()).toEqual(before);
  });

  it('never puts two user_ids in one profile, and full equals incremental, on random data', async () => {
    f = await identityFixture(models(`${TYPES}\n    max_links_per_value: 4`), TABLES);
    const value = (prefix: string, n: number) => fc.option(fc.integer({ min: 0, max: n }).map((k) => `${prefix}${k}`), { freq: 2 });
    const rowArb = fc.record({
      anon: value('a', 12),
      user_id: value('u', 6),
      email: value('e', 8).map((e) => (e === null ? null : `${e}@x.com`)),
      device: value('d', 4),
      days: fc.integer({ min: 0, max: 50 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 25 }), fc.array(rowArb, { maxLength: 8 }), async (base, more) => {
        const toRow = (r: (typeof base)[number]) => row({ ...r, anon: r.anon ?? undefined, user_id: r.user_id ?? undefined, email: r.email ?? undefined, device: r.device ?? undefined });
        await f?.setRows('web', base.map(toRow));
        await f?.build({ fullRefresh: true });
        await f?.setRows('web', [...base, ...more].map(toRow));
        await f?.build();
        const incremental = (await f?.profiles()) ?? new Map<string, string>();
        for (const g of groups(incremental)) expect(g.filter((x) => x.startsWith('user_id:')).length).toBeLessThanOrEqual(1);
        await f?.build({ fullRefresh: true });
        expect(groups((await f?.profiles()) ?? new Map())).toEqual(groups(incremental));
      }),
      { numRuns: 15 },
    );
  }, 180_000);
});
