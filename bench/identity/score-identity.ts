import { UnionFind } from './union-find.js';

/**
 * Scores a predicted identity partition (identifier -> profile) against the sample's ground truth with
 * pairwise precision and recall over identifier pairs. Pairs are counted, never enumerated: the pairs
 * inside a group of n identifiers are n·(n−1)/2, summed over profiles, people, link groups and their
 * intersections, so scoring millions of identifiers is linear.
 *
 * Only identifiers of kind 'person' are scored. Junk and shared values (placeholders, the planted hub,
 * family devices, kiosks) belong to no one: they are counted in `identifiers.excluded` and ignored, but
 * a resolver that merges people through them loses precision through the people's own identifiers.
 *
 * Recall is measured against what the data makes deterministically linkable: two identifiers of one
 * person count only if they share a link group (joined through rows holding only that person's
 * identifiers). `recallAll` is against every same-person pair, which no deterministic resolver can reach.
 */
export type TruthKind = 'person' | 'junk' | 'shared';

/** One normalised identifier value of a type. */
export interface IdentifierKey {
  readonly idType: string;
  readonly idValue: string;
}

/** One normalised identifier and the profile a resolver put it in. */
export interface PredictedIdentifier extends IdentifierKey {
  readonly profileId: string;
}

/** One row of `identity_truth` at the normalised level. `linkGroup` null means: the whole person. */
export interface TruthIdentifier {
  readonly idType: string;
  readonly idValueNorm: string;
  readonly personId: string | null;
  readonly kind: TruthKind;
  readonly linkGroup: string | null;
}

export interface IdentityScore {
  /** truePairs / predictedPairs (1 when nothing was merged). */
  readonly precision: number;
  /** linkableFound / linkablePairs (1 when nothing is linkable). */
  readonly recall: number;
  /** truePairs / personPairs: against every same-person pair, linkable or not. */
  readonly recallAll: number;
  readonly f1: number;
  readonly pairs: {
    readonly predicted: number;
    readonly true: number;
    readonly linkable: number;
    readonly linkableFound: number;
    readonly person: number;
  };
  readonly identifiers: {
    /** Person identifiers found in the prediction. */
    readonly scored: number;
    /** Predicted identifiers the truth does not know (e.g. normalised differently). */
    readonly unknown: number;
    /** Truth person identifiers the prediction lacks (scored as singletons). */
    readonly missing: number;
    /** Predicted junk/shared identifiers, not scored. */
    readonly excluded: number;
    /** Identifiers predicted in more than one profile (the first profile is used). */
    readonly conflicting: number;
  };
  /** Profiles holding identifiers of more than one person. */
  readonly overMergedProfiles: number;
  /** Link groups spread over more than one profile. */
  readonly splitLinkGroups: number;
}

interface TruthEntry {
  readonly person: string | null;
  readonly group: string | null;
}

const pairs = (n: number): number => (n * (n - 1)) / 2;
const keyOf = (type: string, value: string): string => `${type}\u0000${value}`;

export function scoreIdentity(predicted: Iterable<PredictedIdentifier>, truth: Iterable<TruthIdentifier>): IdentityScore {
  const truthByKey = indexTruth(truth);
  const personSize = new Map<string, number>();
  const groupSize = new Map<string, number>();
  for (const t of truthByKey.values()) {
    if (t.person === null || t.group === null) continue;
    bump(personSize, t.person);
    bump(groupSize, t.group);
  }

  const seen = new Set<string>();
  const profileSize = new Map<string, number>();
  const profilePerson = new Map<string, number>();
  const profileGroup = new Map<string, number>();
  const personsInProfile = new Map<string, Set<string>>();
  const profilesOfGroup = new Map<string, Set<string>>();
  let unknown = 0;
  let excluded = 0;
  let conflicting = 0;
  for (const p of predicted) {
    const key = keyOf(p.idType, p.idValue);
    if (seen.has(key)) {
      conflicting++;
      continue;
    }
    seen.add(key);
    const t = truthByKey.get(key);
    if (t === undefined) unknown++;
    else if (t.person === null || t.group === null) excluded++;
    else {
      bump(profileSize, p.profileId);
      bump(profilePerson, `${p.profileId}\u0000${t.person}`);
      bump(profileGroup, `${p.profileId}\u0000${t.group}`);
      addTo(personsInProfile, p.profileId, t.person);
      addTo(profilesOfGroup, t.group, p.profileId);
    }
  }

  const predictedPairs = sumPairs(profileSize);
  const truePairs = sumPairs(profilePerson);
  const linkable = sumPairs(groupSize);
  const linkableFound = sumPairs(profileGroup);
  const personPairs = sumPairs(personSize);
  let scored = 0;
  for (const n of profileSize.values()) scored += n;
  const precision = predictedPairs === 0 ? 1 : truePairs / predictedPairs;
  const recall = linkable === 0 ? 1 : linkableFound / linkable;
  return {
    precision,
    recall,
    recallAll: personPairs === 0 ? 1 : truePairs / personPairs,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    pairs: { predicted: predictedPairs, true: truePairs, linkable, linkableFound, person: personPairs },
    identifiers: { scored, unknown, missing: countPersonIds(truthByKey) - scored, excluded, conflicting },
    overMergedProfiles: countWhere(personsInProfile, (s) => s.size > 1),
    splitLinkGroups: countWhere(profilesOfGroup, (s) => s.size > 1),
  };
}

/**
 * Link groups computed from co-occurrence edges (two normalised identifiers on one row): a union-find
 * over edges between identifiers of the same person, ignoring junk and shared values. For callers whose
 * truth lacks `link_group`, or who want to check it.
 */
export function linkGroupsFromEdges(
  truth: readonly TruthIdentifier[],
  edges: Iterable<readonly [IdentifierKey, IdentifierKey]>,
): readonly TruthIdentifier[] {
  const index = new Map<string, number>();
  truth.forEach((t, k) => index.set(keyOf(t.idType, t.idValueNorm), k));
  const uf = new UnionFind(truth.length);
  for (const [a, b] of edges) {
    const ia = index.get(keyOf(a.idType, a.idValue));
    const ib = index.get(keyOf(b.idType, b.idValue));
    if (ia === undefined || ib === undefined) continue;
    const ta = truth[ia];
    const tb = truth[ib];
    if (ta.kind === 'person' && tb.kind === 'person' && ta.personId === tb.personId) uf.union(ia, ib);
  }
  return truth.map((t, k) => ({ ...t, linkGroup: t.kind === 'person' ? `${t.personId ?? ''}#${uf.find(k)}` : null }));
}

function indexTruth(truth: Iterable<TruthIdentifier>): Map<string, TruthEntry> {
  const byKey = new Map<string, TruthEntry>();
  for (const t of truth) {
    const key = keyOf(t.idType, t.idValueNorm);
    const entry: TruthEntry = t.kind === 'person' && t.personId !== null ? { person: t.personId, group: t.linkGroup ?? t.personId } : { person: null, group: null };
    const before = byKey.get(key);
    // Raw spellings of one value repeat it; a value claimed by two people is shared, not anyone's.
    if (before === undefined) byKey.set(key, entry);
    else if (before.person !== entry.person) byKey.set(key, { person: null, group: null });
  }
  return byKey;
}

function countPersonIds(truthByKey: ReadonlyMap<string, TruthEntry>): number {
  let n = 0;
  for (const t of truthByKey.values()) if (t.person !== null) n++;
  return n;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([value]));
  else set.add(value);
}

function sumPairs(map: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const n of map.values()) total += pairs(n);
  return total;
}

function countWhere<T>(map: ReadonlyMap<string, T>, test: (value: T) => boolean): number {
  let n = 0;
  for (const v of map.values()) if (test(v)) n++;
  return n;
}
