import type { Edge } from './graph-oracle.js';

/** Seeded graph families for connected-components tests (docs/identity.md#how-it-is-tested). */

/** Mulberry32: small, seeded, good enough for test graphs. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const r = rng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Node ids 1..n relabelled by a random permutation (shuffled), or kept (sorted). */
function ids(n: number, seed: number | undefined): number[] {
  const base = Array.from({ length: n }, (_, k) => k + 1);
  return seed === undefined ? base : shuffled(base, seed);
}

export function chain(n: number, seed?: number): Edge[] {
  const v = ids(n, seed);
  return Array.from({ length: n - 1 }, (_, k) => [v[k], v[k + 1]] as const);
}

export function star(n: number, centre: 'min' | 'max'): Edge[] {
  const c = centre === 'min' ? 1 : n;
  return Array.from({ length: n }, (_, k) => k + 1)
    .filter((v) => v !== c)
    .map((v) => [c, v] as const);
}

/** Pairs, triangles and a few isolated nodes (isolated ones only appear via self-loops). */
export function tiny(count: number, offset = 0): Edge[] {
  const out: Edge[] = [];
  for (let k = 0; k < count; k++) {
    const b = offset + k * 5;
    if (k % 3 === 0) out.push([b + 1, b + 2]);
    else if (k % 3 === 1) out.push([b + 1, b + 2], [b + 2, b + 3], [b + 3, b + 1]);
    else out.push([b + 1, b + 1]);
  }
  return out;
}

export function grid(side: number, seed?: number): Edge[] {
  const v = ids(side * side, seed);
  const at = (r: number, c: number) => v[r * side + c];
  const out: Edge[] = [];
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      if (c + 1 < side) out.push([at(r, c), at(r, c + 1)]);
      if (r + 1 < side) out.push([at(r, c), at(r + 1, c)]);
    }
  }
  return out;
}

/** A random graph with m edges on n nodes (above percolation when m > n/2: one giant component). */
export function random(n: number, m: number, seed: number): Edge[] {
  const r = rng(seed);
  return Array.from({ length: m }, () => [1 + Math.floor(r() * n), 1 + Math.floor(r() * n)] as const);
}

/** A path with a hub at its end. */
export function broom(path: number, bristles: number, seed?: number): Edge[] {
  const v = ids(path + bristles, seed);
  const out: Edge[] = [];
  for (let k = 0; k + 1 < path; k++) out.push([v[k], v[k + 1]]);
  for (let k = 0; k < bristles; k++) out.push([v[path - 1], v[path + k]]);
  return out;
}

/** Every edge twice, once reversed, plus self-loops on every tenth node. */
export function noisy(edges: readonly Edge[]): Edge[] {
  const out: Edge[] = [];
  edges.forEach(([a, b], k) => {
    out.push([a, b], [b, a]);
    if (k % 10 === 0) out.push([a, a]);
  });
  return out;
}

/** Shifts node ids so several families can be unioned without touching. */
export function shift(edges: readonly Edge[], by: number): Edge[] {
  return edges.map(([a, b]) => [a + by, b + by] as const);
}

export function maxNode(edges: readonly Edge[]): number {
  let m = 0;
  for (const [a, b] of edges) m = Math.max(m, a, b);
  return m;
}

/** The disjoint union of all families above, at a given scale. */
export function everything(scale: number, seed: number): Edge[] {
  const parts = [
    chain(scale),
    chain(scale, seed),
    star(scale, 'min'),
    star(scale, 'max'),
    tiny(Math.ceil(scale / 5)),
    grid(Math.max(2, Math.round(Math.sqrt(scale)))),
    random(scale, scale, seed),
    broom(Math.ceil(scale / 2), Math.ceil(scale / 2), seed),
  ];
  const out: Edge[] = [];
  let offset = 0;
  for (const p of parts) {
    out.push(...shift(p, offset));
    offset += maxNode(p) + 1;
  }
  return out;
}
