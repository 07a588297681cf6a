import { afterEach, describe, expect, it } from 'vitest';
import { yaml } from '../helpers/project.js';
import { oracleRoots } from './graph-oracle.js';
import { groups, identityFixture, type IdentityFixture } from './identity-fixture.js';

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
  identity:
    id_types:
      user_id: { priority: 1 }
      email: { priority: 2 }
      phone: { priority: 3 }
      anonymous_id: { priority: 9 }
`;
const TABLES = { web: ['id', 'ts', 'anon', 'user_id', 'email'], crm: ['id', 'email', 'phone'] };

let f: IdentityFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

/** Independent of the SQL: union-find over each row's identifiers, written in TypeScript. */
function oracleGroups(rows: readonly { anon: string | null; user_id: string | null; email: string | null }[]): string[][] {
  const ids = rows.map((r) =>
    [r.anon && `anonymous_id:${r.anon}`, r.user_id && `user_id:${r.user_id}`, r.email && `email:${r.email.trim().toLowerCase()}`].filter((x): x is string => Boolean(x)),
  );
  const roots = oracleRoots(
    ids.flatMap((row) => row.slice(1).map((x) => [row[0], x] as const)).map(([a, b]) => [key(a), key(b)] as const),
    ids.flat().map(key),
  );
  const profiles = new Map([...roots].map(([node, root]) => [names[node], String(root)]));
  return groups(profiles);
}
const names: string[] = [];
const keyOf = new Map<string, number>();
function key(id: string): number {
  let k = keyOf.get(id);
  if (k === undefined) {
    k = names.length;
    names.push(id);
    keyOf.set(id, k);
  }
  return k;
}

const web = (id: string, anon: string | null, user_id: string | null, email: string | null, ts = '2026-01-10 10:00:00') => ({ id, ts, anon, user_id, email });

describe('buildIdentity', () => {
  it('links identifiers that share a row, normalising emails and phones', async () => {
    f = await identityFixture(MODELS, TABLES);
    await f.setRows('web', [web('1', 'a1', null, null), web('2', 'a1', 'u1', null), web('3', 'a2', 'u1', ' Ann@X.com '), web('4', 'a9', null, null)]);
    await f.setRows('crm', [{ id: 'c1', email: 'ann@x.com', phone: '(212) 555-0101' }, { id: 'c2', email: 'bob@y.com', phone: '+1 212 555 0199' }]);
    const report = await f.build();
    const p = await f.profiles();
    expect(groups(p)).toEqual([
      ['anonymous_id:a1', 'anonymous_id:a2', 'email:ann@x.com', 'phone:+12125550101', 'user_id:u1'],
      ['anonymous_id:a9'],
      ['email:bob@y.com', 'phone:+12125550199'],
    ]);
    expect(report).toMatchObject({ mode: 'full', profiles: 3, identifiers: 8, changes: { new: 3, merge: 0, split: 0, retire: 0 } });
    expect([...p.values()].every((id) => /^p_[0-9a-f]{16}$/.test(id))).toBe(true);
  });

  it('builds empty tables for a project without identifiers, and handles one-column sources', async () => {
    f = await identityFixture(yaml`
      sources:
        - { name: notes, table: raw.notes }
    `, { notes: ['id', 'body'] });
    const empty = await f.build();
    expect(empty).toMatchObject({ profiles: 0, identifiers: 0, edges: 0, rounds: 0 });
    await f.close();
    f = await identityFixture(yaml`
      sources:
        - name: emails
          table: raw.emails
          identifiers: [{ column: email, type: email }]
    `, { emails: ['email'] });
    await f.setRows('emails', [{ email: 'A@x.com' }, { email: 'a@x.com ' }, { email: 'b@x.com' }, { email: null }]);
    const report = await f.build();
    expect(report).toMatchObject({ profiles: 2, identifiers: 2, edges: 0 });
    expect([...(await f.profiles()).keys()].sort()).toEqual(['email:a@x.com', 'email:b@x.com']);
  });

  it('keeps every id when run again on the same data, incrementally or from scratch', async () => {
    f = await identityFixture(MODELS, TABLES);
    await f.setRows('web', [web('1', 'a1', 'u1', 'a@x.com'), web('2', 'a2', 'u2', null), web('3', 'a3', null, 'c@x.com')]);
    await f.build();
    const first = await f.profiles();
    const again = await f.build();
    expect(again.mode).toBe('incremental');
    expect(again.changes).toEqual({ new: 0, merge: 0, split: 0, retire: 0 });
    expect(await f.profiles()).toEqual(first);
    const full = await f.build({ fullRefresh: true });
    expect(full.mode).toBe('full');
    expect(full.changes).toEqual({ new: 0, merge: 0, split: 0, retire: 0 });
    expect(await f.profiles()).toEqual(first);
  });

  it('merges two profiles through a bridging row: the larger id survives, the other becomes an alias', async () => {
    f = await identityFixture(MODELS, TABLES);
    const base = [web('1', 'a1', 'u1', 'big@x.com'), web('2', 'a2', 'u1', null), web('3', 'a3', null, 'small@x.com')];
    await f.setRows('web', base);
    await f.build();
    const before = await f.profiles();
    const big = before.get('user_id:u1') as string;
    const small = before.get('email:small@x.com') as string;
    expect(big).not.toBe(small);

    await f.setRows('web', [...base, web('4', 'a3', 'u1', null)]);
    const merged = await f.build();
    expect(merged.changes).toEqual({ new: 0, merge: 1, split: 0, retire: 0 });
    const after = await f.profiles();
    expect(new Set(after.values())).toEqual(new Set([big]));
    expect(await f.rows('select old_profile_id, profile_id, run_id from cdp.profile_aliases')).toEqual([{ old_profile_id: small, profile_id: big, run_id: 'run2' }]);
    expect(await f.rows(`select kind, from_profile_id, to_profile_id from cdp.profile_events where run_id = 'run2'`)).toEqual([
      { kind: 'merge', from_profile_id: small, to_profile_id: big },
    ]);

    // The bridge is deleted (an erasure request): the larger part keeps the id, the smaller gets a new one.
    await f.setRows('web', base);
    const split = await f.build();
    expect(split.changes).toEqual({ new: 0, merge: 0, split: 1, retire: 0 });
    const final = await f.profiles();
    expect(final.get('user_id:u1')).toBe(big);
    const fresh = final.get('email:small@x.com') as string;
    expect(fresh).not.toBe(big);
    expect(fresh).not.toBe(small);
    expect(await f.rows(`select kind, from_profile_id, to_profile_id from cdp.profile_events where run_id = 'run3'`)).toEqual([
      { kind: 'split', from_profile_id: big, to_profile_id: fresh },
    ]);
    // Full and incremental agree on the partition.
    await f.build({ fullRefresh: true });
    expect(groups(await f.profiles())).toEqual(groups(final));
  });

  it('keeps aliases path-compressed across chained merges, and retires profiles whose identifiers are gone', async () => {
    f = await identityFixture(MODELS, TABLES);
    const rows = [web('1', 'a1', 'u1', null), web('2', 'a2', 'u1', null), web('3', 'a3', 'u1', null), web('4', 'b1', null, 'b@x.com'), web('5', 'c1', null, 'c@x.com'), web('6', 'd1', null, null)];
    await f.setRows('web', rows);
    await f.build();
    const p1 = await f.profiles();
    await f.setRows('web', [...rows, web('7', 'b1', null, 'c@x.com')]);
    await f.build();
    const bc = (await f.profiles()).get('email:b@x.com') as string;
    await f.setRows('web', [...rows, web('7', 'b1', null, 'c@x.com'), web('8', 'c1', 'u1', null)]);
    await f.build();
    const aliases = await f.rows('select old_profile_id, profile_id from cdp.profile_aliases order by old_profile_id');
    const u = p1.get('user_id:u1');
    const absorbed = [p1.get('email:b@x.com'), p1.get('email:c@x.com')].filter((x) => x !== bc);
    expect(aliases).toEqual(
      [...absorbed, bc].sort().map((old) => ({ old_profile_id: old, profile_id: u })),
    );
    await f.setRows('web', rows.filter((r) => r.id !== '6'));
    const retired = await f.build();
    expect(retired.changes.retire).toBe(1);
    expect(await f.rows(`select kind, from_profile_id from cdp.profile_events where run_id = 'run4' and kind = 'retire'`)).toEqual([
      { kind: 'retire', from_profile_id: p1.get('anonymous_id:d1') },
    ]);
  });

  it('splits a profile when its shared value turns into a hub, the largest part keeping the id', async () => {
    f = await identityFixture(MODELS.replace('anonymous_id: { priority: 9 }', 'anonymous_id: { priority: 9 }\n  max_links_per_value: 3'), TABLES);
    const people = (n: number) => Array.from({ length: n }, (_, k) => web(`p${k}`, `a${k}`, `u${k}`, 'family@x.com'));
    const extra = [web('x1', null, 'u0', 'zed@x.com'), web('x2', 'a9', 'u0', 'zed2@x.com')];
    await f.setRows('web', [...people(3), ...extra]);
    await f.build();
    const before = await f.profiles();
    expect(new Set(before.values()).size, JSON.stringify([...before])).toBe(1);
    await f.setRows('web', [...people(5), ...extra]);
    const after = await f.build();
    const p = await f.profiles();
    expect(p.has('email:family@x.com')).toBe(false);
    expect(new Set(p.values()).size).toBe(5);
    expect(p.get('user_id:u0')).toBe(before.get('user_id:u0'));
    expect(after.changes).toMatchObject({ split: 2, new: 2, merge: 0 });
  });

  it('gives the same partition incrementally and from scratch through random changes', async () => {
    f = await identityFixture(MODELS, TABLES);
    let seed = 1;
    const rand = (n: number) => {
      seed = (seed * 48271) % 2147483647;
      return seed % n;
    };
    const pick = (prefix: string, n: number, suffix = '') => (rand(3) === 0 ? null : `${prefix}${rand(n)}${suffix}`);
    const row = (id: string) => web(id, pick('a', 50), pick('u', 25), pick('e', 30, '@x.com'));
    let rows = Array.from({ length: 60 }, (_, k) => row(String(k)));
    for (let step = 0; step < 6; step++) {
      rows = [...rows.filter(() => rand(8) > 0), ...Array.from({ length: 12 }, (_, k) => row(`s${step}k${k}`))];
      await f.setRows('web', rows);
      const report = await f.build();
      expect(report.mode).toBe(step === 0 ? 'full' : 'incremental');
      const incremental = await f.profiles();
      expect(groups(incremental), 'union-find over the raw rows').toEqual(oracleGroups(rows));
      await f.build({ fullRefresh: true });
      const full = await f.profiles();
      expect(groups(full)).toEqual(groups(incremental));
      expect(full, 'a full rebuild keeps every id').toEqual(incremental);
    }
  }, 180_000);
});
