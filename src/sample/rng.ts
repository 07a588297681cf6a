/**
 * A small, fast seeded PRNG (sfc32, public domain algorithm by Chris Doty-Humphrey) and seed mixing.
 * Every random choice in the sample generator comes from here, so output depends only on the seed.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A generator for one stream of a seed: e.g. stream = person index, salt = which table. */
  constructor(seed: number, stream: number, salt = 0) {
    this.a = mix32(seedLow(seed) ^ 0x9e3779b9);
    this.b = mix32(seedHigh(seed) + salt * 0x85ebca6b);
    this.c = mix32(stream >>> 0);
    this.d = mix32(Math.floor(stream / 4294967296) ^ (salt * 0xc2b2ae35)) | 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Exponential with mean 1 (a heavy-ish tail for activity levels). */
  exp(): number {
    return -Math.log(1 - this.next());
  }

  /** An integer whose expectation is exactly x (stochastic rounding). */
  round(x: number): number {
    const f = Math.floor(x);
    return this.next() < x - f ? f + 1 : f;
  }
}

/** murmur3's 32-bit finaliser: a bijective avalanche on 32-bit integers. */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A well-mixed 32-bit hash of (seed, a, b): for pure, per-index decisions. */
export function hash3(seed: number, a: number, b = 0): number {
  return mix32(mix32(mix32(seedLow(seed) ^ seedHigh(seed)) + (a >>> 0)) + Math.imul(b + 1, 0x27d4eb2f));
}

/** A hash as a number in [0, 1). */
export function unit(h: number): number {
  return h / 4294967296;
}

/**
 * A low-discrepancy (Weyl) sequence value for index i: frac(offset + i·alpha). Shares of a population
 * that fall under a threshold are then close to exact even for a few hundred people.
 */
export function weyl(i: number, alpha: number, offset: number): number {
  const x = offset + i * alpha;
  return x - Math.floor(x);
}

function seedLow(seed: number): number {
  return Math.floor(seed) >>> 0;
}

function seedHigh(seed: number): number {
  return Math.floor(Math.floor(seed) / 4294967296) >>> 0;
}
