import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { vetoedLinks, type LinkRow } from '../../src/identity/limit-guard.js';
import { oracleRoots } from './graph-oracle.js';
import { shuffled } from './graph-families.js';

const link = (a: number, b: number, ta: string, tb: string, tier: number, rows = 1, last = '2026-01-01'): LinkRow => ({
  a,
  b,
  ta,
  tb,
  tier,
  rows,
  last,
  key: `${ta}:${a}|${tb}:${b}`,
});
const limits = new Map([['user_id', 1]]);

describe('vetoedLinks (per-type limits)', () => {
  it('keeps the stronger, more frequent, more recent link and vetoes the one that would join two user_ids', () => {
    const links = [link(1, 3, 'user_id', 'device_id', 8, 5), link(2, 3, 'user_id', 'device_id', 8, 1)];
    expect(vetoedLinks(links, limits)).toEqual([{ a: 2, b: 3, detail: 'user_id max_per_profile 1' }]);
    const recent = [link(1, 3, 'user_id', 'device_id', 8, 2, '2026-01-01'), link(2, 3, 'user_id', 'device_id', 8, 2, '2026-01-09')];
    expect(vetoedLinks(recent, limits).map((x) => x.a)).toEqual([1]);
    const tiers = [link(1, 3, 'user_id', 'email', 3, 1), link(2, 3, 'user_id', 'anonymous_id', 9, 50)];
    expect(vetoedLinks(tiers, limits).map((x) => x.a)).toEqual([2]);
  });

  it('decides the same whatever order the links arrive in, and never leaves two user_ids together', () => {
    const arb = fc.array(fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 4 })), { maxLength: 30 });
    fc.assert(
      fc.property(arb, fc.integer(), (raw, seed) => {
        const typeOf = (n: number) => (n <= 4 ? 'user_id' : 'device_id');
        const links = raw
          .filter(([a, b]) => a !== b)
          .map(([a, b, rows]) => link(Math.min(a, b), Math.max(a, b), typeOf(Math.min(a, b)), typeOf(Math.max(a, b)), Math.max(typeOf(a) === 'user_id' ? 1 : 8, typeOf(b) === 'user_id' ? 1 : 8), rows));
        const drops = vetoedLinks(links, limits);
        expect(vetoedLinks(shuffled(links, seed), limits)).toEqual(drops);
        const kept = links.filter((l) => !drops.some((x) => x.a === l.a && x.b === l.b)).map((l) => [l.a, l.b] as const);
        const roots = oracleRoots(kept);
        const users = new Map<number, number>();
        for (const [node, root] of roots) if (typeOf(node) === 'user_id') users.set(root, (users.get(root) ?? 0) + 1);
        expect([...users.values()].every((n) => n <= 1)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
