import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkGroupsFromEdges, scoreIdentity, type IdentifierKey, type TruthIdentifier, type TruthKind } from '../../bench/identity/score-identity.js';
import { SAMPLE_IDENTIFIER_COLUMNS } from '../../src/sample/sample-tables.js';
import { UnionFind } from '../../bench/identity/union-find.js';
import { sampleFixture, type SampleFixture } from './sample-fixture.js';

type Edge = readonly [IdentifierKey, IdentifierKey];

let s: SampleFixture;
let truth: TruthIdentifier[];
let edges: Edge[];

/** Every pair of identifiers that share a row of the data, normalised through the truth. */
async function coOccurrenceEdges(): Promise<Edge[]> {
  const parts: string[] = [];
  for (const [k, a] of SAMPLE_IDENTIFIER_COLUMNS.entries()) {
    for (const b of SAMPLE_IDENTIFIER_COLUMNS.slice(k + 1)) {
      if (a.table !== b.table) continue;
      parts.push(`select ta.id_type a_type, ta.id_value_norm a_value, tb.id_type b_type, tb.id_value_norm b_value from ${a.table} x
        join identity_truth ta on ta.id_type = '${a.idType}' and ta.id_value_raw = x.${a.column}
        join identity_truth tb on tb.id_type = '${b.idType}' and tb.id_value_raw = x.${b.column}`);
    }
  }
  const rows = await s.rows(`select distinct * from (${parts.join(' union all ')})`);
  return rows.map((r) => [
    { idType: String(r.a_type), idValue: String(r.a_value) },
    { idType: String(r.b_type), idValue: String(r.b_value) },
  ]);
}

beforeAll(async () => {
  s = await sampleFixture({ seed: 11, people: 1500 });
  const rows = await s.rows(`select distinct id_type, id_value_norm, person_id, kind, link_group from identity_truth`);
  truth = rows.map((r) => ({
    idType: String(r.id_type),
    idValueNorm: String(r.id_value_norm),
    personId: r.person_id === null ? null : String(r.person_id),
    kind: String(r.kind) as TruthKind,
    linkGroup: r.link_group === null ? null : String(r.link_group),
  }));
  edges = await coOccurrenceEdges();
});
afterAll(async () => {
  await s.close();
});

describe('identity_truth', () => {
  it('covers every identifier value that appears in the data', async () => {
    for (const { table, column, idType } of SAMPLE_IDENTIFIER_COLUMNS) {
      const missing = await s.rows(`select distinct x.${column} v from ${table} x
        anti join identity_truth t on t.id_type = '${idType}' and t.id_value_raw = x.${column} where x.${column} is not null limit 3`);
      expect(missing, `${table}.${column}`).toEqual([]);
    }
  });

  it('lists only values that appear, once per raw spelling', async () => {
    const unions = SAMPLE_IDENTIFIER_COLUMNS.map((c) => `select '${c.idType}' t, ${c.column} v from ${c.table}`).join(' union all ');
    expect(await s.one(`select count(*) from identity_truth i anti join (${unions}) u on u.t = i.id_type and u.v = i.id_value_raw`)).toBe(0);
    expect(await s.one(`select count(*) from (select id_type, id_value_raw from identity_truth group by all having count(*) > 1)`)).toBe(0);
  });

  it('gives every normalised value one owner: a person, or junk/shared with no person', async () => {
    expect(await s.one(`select count(*) from (select id_type, id_value_norm from identity_truth group by all
      having count(distinct coalesce(person_id, kind)) > 1 or count(distinct link_group) > 1)`)).toBe(0);
    expect(await s.one(`select count(*) from identity_truth where (kind = 'person') <> (person_id is not null and link_group is not null)`)).toBe(0);
    const kinds = await s.rows(`select kind, count(*) n from identity_truth group by 1`);
    expect(kinds.map((k) => k.kind).sort()).toEqual(['junk', 'person', 'shared']);
  });

  it('has link groups that are exactly the connected components of co-occurrence through one person', () => {
    const recomputed = linkGroupsFromEdges(truth, edges);
    const pairs = new Set<string>();
    const given = new Set<string>();
    const computed = new Set<string>();
    recomputed.forEach((r, k) => {
      if (r.kind !== 'person') return;
      given.add(String(truth[k].linkGroup));
      computed.add(String(r.linkGroup));
      pairs.add(`${truth[k].linkGroup}|${r.linkGroup}`);
    });
    expect(given.size).toBeGreaterThan(1000);
    expect(computed.size).toBe(given.size);
    expect(pairs.size).toBe(given.size);
    // Most people are linkable as one group; some keep anonymous cookies no row ties to them.
    const people = new Set(truth.filter((t) => t.kind === 'person').map((t) => t.personId));
    expect(given.size / people.size).toBeGreaterThan(1);
    expect(given.size / people.size).toBeLessThan(1.6);
  });
});

describe('scoring resolvers on the sample', () => {
  /** Connected components over the co-occurrence edges, optionally skipping junk and shared values. */
  function resolve(guarded: boolean): { idType: string; idValue: string; profileId: string }[] {
    const index = new Map(truth.map((t, k) => [`${t.idType}\u0000${t.idValueNorm}`, k]));
    const uf = new UnionFind(truth.length);
    for (const [a, b] of edges) {
      const ia = index.get(`${a.idType}\u0000${a.idValue}`) as number;
      const ib = index.get(`${b.idType}\u0000${b.idValue}`) as number;
      if (guarded && (truth[ia].kind !== 'person' || truth[ib].kind !== 'person')) continue;
      uf.union(ia, ib);
    }
    return truth.map((t, k) => ({ idType: t.idType, idValue: t.idValueNorm, profileId: `c${uf.find(k)}` }));
  }

  it('scores a guarded deterministic resolver as perfect', () => {
    const score = scoreIdentity(resolve(true), truth);
    expect(score.precision).toBe(1);
    expect(score.recall).toBe(1);
    expect(score.recallAll).toBeLessThan(1);
    expect(score.identifiers.missing).toBe(0);
    expect(score.identifiers.unknown).toBe(0);
  });

  it('catches the over-merge of a resolver without guards (hub, shared devices, placeholders)', () => {
    const score = scoreIdentity(resolve(false), truth);
    expect(score.recall).toBe(1);
    expect(score.precision).toBeLessThan(0.2);
    expect(score.overMergedProfiles).toBeGreaterThan(0);
  });
});
