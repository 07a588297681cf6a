import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linkGroupsFromEdges, scoreIdentity, type PredictedIdentifier, type TruthIdentifier } from '../../bench/identity/score-identity.js';

const person = (idValueNorm: string, personId: string, linkGroup: string): TruthIdentifier => ({
  idType: 'email',
  idValueNorm,
  personId,
  kind: 'person',
  linkGroup,
});

// Ann: a1, a2 linked by the data; a3 hers but never on a row with them. Bob: b1, b2 linked. j: a placeholder.
const TRUTH: readonly TruthIdentifier[] = [
  person('a1', 'ann', 'ann-0'),
  person('a2', 'ann', 'ann-0'),
  person('a3', 'ann', 'ann-1'),
  person('b1', 'bob', 'bob-0'),
  person('b2', 'bob', 'bob-0'),
  { idType: 'email', idValueNorm: 'j', personId: null, kind: 'junk', linkGroup: null },
];

const predict = (clusters: Readonly<Record<string, readonly string[]>>): PredictedIdentifier[] =>
  Object.entries(clusters).flatMap(([profileId, values]) => values.map((idValue) => ({ idType: 'email', idValue, profileId })));

describe('scoreIdentity', () => {
  it('scores the linkable partition as perfect, with recallAll showing the unlinkable pair', () => {
    const score = scoreIdentity(predict({ p1: ['a1', 'a2'], p2: ['a3'], p3: ['b1', 'b2'], p4: ['j'] }), TRUTH);
    expect(score.precision).toBe(1);
    expect(score.recall).toBe(1);
    expect(score.pairs).toEqual({ predicted: 2, true: 2, linkable: 2, linkableFound: 2, person: 4 });
    expect(score.recallAll).toBe(0.5);
    expect(score.f1).toBe(1);
    expect(score.identifiers).toEqual({ scored: 5, unknown: 0, missing: 0, excluded: 1, conflicting: 0 });
    expect(score.overMergedProfiles).toBe(0);
    expect(score.splitLinkGroups).toBe(0);
  });

  it('scores the person partition as perfect on both recalls', () => {
    const score = scoreIdentity(predict({ p1: ['a1', 'a2', 'a3'], p2: ['b1', 'b2'] }), TRUTH);
    expect([score.precision, score.recall, score.recallAll]).toEqual([1, 1, 1]);
  });

  it('penalises an over-merge: everyone glued together through the placeholder', () => {
    const score = scoreIdentity(predict({ hub: ['a1', 'a2', 'a3', 'b1', 'b2', 'j'] }), TRUTH);
    // 5 person identifiers: 10 pairs predicted, 3 + 1 of them true.
    expect(score.pairs.predicted).toBe(10);
    expect(score.pairs.true).toBe(4);
    expect(score.precision).toBeCloseTo(0.4);
    expect(score.recall).toBe(1);
    expect(score.overMergedProfiles).toBe(1);
    expect(score.identifiers.excluded).toBe(1);
  });

  it('penalises an under-merge: every identifier alone', () => {
    const score = scoreIdentity(predict({ p1: ['a1'], p2: ['a2'], p3: ['a3'], p4: ['b1'], p5: ['b2'] }), TRUTH);
    expect(score.precision).toBe(1);
    expect(score.recall).toBe(0);
    expect(score.f1).toBe(0);
    expect(score.splitLinkGroups).toBe(2);
  });

  it('scores a half-found link: one of two linkable pairs', () => {
    const score = scoreIdentity(predict({ p1: ['a1', 'a2'], p2: ['b1'], p3: ['b2'] }), TRUTH);
    expect(score.recall).toBe(0.5);
    expect(score.identifiers.missing).toBe(1); // a3 is not predicted at all
  });

  it('counts unknown and conflicting predictions without scoring them', () => {
    const predicted = [...predict({ p1: ['a1', 'a2', 'zzz'], p2: ['b1', 'b2'] }), { idType: 'email', idValue: 'a1', profileId: 'p2' }];
    const score = scoreIdentity(predicted, TRUTH);
    expect(score.identifiers.unknown).toBe(1);
    expect(score.identifiers.conflicting).toBe(1);
    expect(score.precision).toBe(1);
  });

  it('treats a value two people claim as shared, and a missing link group as the whole person', () => {
    const truth: TruthIdentifier[] = [
      person('x', 'ann', 'ann-0'),
      person('x', 'bob', 'bob-0'),
      { idType: 'email', idValueNorm: 'a', personId: 'ann', kind: 'person', linkGroup: null },
      { idType: 'email', idValueNorm: 'b', personId: 'ann', kind: 'person', linkGroup: null },
    ];
    const score = scoreIdentity(predict({ p: ['x', 'a'], q: ['b'] }), truth);
    expect(score.identifiers.excluded).toBe(1);
    expect(score.pairs.linkable).toBe(1);
    expect(score.recall).toBe(0);
  });

  it('counts pairs exactly as enumerating them would (random partitions)', () => {
    const ids = fc.array(fc.record({ person: fc.integer({ min: 0, max: 4 }), group: fc.integer({ min: 0, max: 1 }), profile: fc.integer({ min: 0, max: 5 }) }), {
      maxLength: 30,
    });
    fc.assert(
      fc.property(ids, (rows) => {
        const truth = rows.map((r, k) => person(`v${k}`, `P${r.person}`, `P${r.person}-${r.group}`));
        const predicted = rows.map((r, k) => ({ idType: 'email', idValue: `v${k}`, profileId: `c${r.profile}` }));
        let predictedPairs = 0;
        let truePairs = 0;
        let linkable = 0;
        let found = 0;
        for (let i = 0; i < rows.length; i++) {
          for (let j = i + 1; j < rows.length; j++) {
            const same = rows[i].profile === rows[j].profile;
            const samePerson = rows[i].person === rows[j].person;
            const sameGroup = samePerson && rows[i].group === rows[j].group;
            if (same) predictedPairs++;
            if (same && samePerson) truePairs++;
            if (sameGroup) linkable++;
            if (sameGroup && same) found++;
          }
        }
        const score = scoreIdentity(predicted, truth);
        expect(score.pairs.predicted).toBe(predictedPairs);
        expect(score.pairs.true).toBe(truePairs);
        expect(score.pairs.linkable).toBe(linkable);
        expect(score.pairs.linkableFound).toBe(found);
      }),
    );
  });
});

describe('linkGroupsFromEdges', () => {
  it('joins identifiers of one person through edges, ignoring junk and other people', () => {
    const truth: TruthIdentifier[] = [...TRUTH.map((t) => ({ ...t, linkGroup: null }))];
    const key = (idValue: string) => ({ idType: 'email', idValue });
    const groups = linkGroupsFromEdges(truth, [
      [key('a1'), key('a2')],
      [key('a3'), key('j')], // through junk: no link
      [key('j'), key('b1')],
      [key('a2'), key('b2')], // across people: no link
      [key('b1'), key('b2')],
      [key('a1'), key('unknown')],
    ]);
    const g = Object.fromEntries(groups.map((t) => [t.idValueNorm, t.linkGroup]));
    expect(g.a1).toBe(g.a2);
    expect(g.a3).not.toBe(g.a1);
    expect(g.b1).toBe(g.b2);
    expect(g.b1).not.toBe(g.a1);
    expect(g.j).toBeNull();
  });
});
