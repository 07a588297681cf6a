import { mix32, type Rng } from './rng.js';

/** Formatting of identifier values: unique by construction (bijections of indexes) or random (UUIDs). */

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX_UPPER: readonly string[] = HEX.map((h) => h.toUpperCase());
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SF_SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const MASK24 = 0xffffff;

/**
 * A keyed bijection on [0, 2^48): a 4-round Feistel network over two 24-bit halves. Distinct inputs give
 * distinct outputs, so ids built from (person, sequence) look random and never collide.
 */
export function permute48(x: number, key: number): number {
  let hi = Math.floor(x / 16777216) & MASK24;
  let lo = x & MASK24;
  for (let round = 0; round < 4; round++) {
    const f = mix32((lo ^ Math.imul(key + round, 0x9e3779b9)) >>> 0) & MASK24;
    const next = hi ^ f;
    hi = lo;
    lo = next;
  }
  return hi * 16777216 + lo;
}

/** Twelve lowercase hex digits of a 48-bit number. */
export function hex48(x: number): string {
  const hi = Math.floor(x / 16777216);
  const lo = x & MASK24;
  return HEX[hi >>> 16] + HEX[(hi >>> 8) & 255] + HEX[hi & 255] + HEX[lo >>> 16] + HEX[(lo >>> 8) & 255] + HEX[lo & 255];
}

function hex32(x: number, table: readonly string[]): string {
  return table[x >>> 24] + table[(x >>> 16) & 255] + table[(x >>> 8) & 255] + table[x & 255];
}

/** A random version-4 UUID (lowercase as web SDKs write anonymous ids; upper case as iOS writes IDFVs). */
export function uuid(rng: Rng, upper = false): string {
  const t = upper ? HEX_UPPER : HEX;
  const a = hex32(rng.u32(), t);
  const b = rng.u32();
  const c = rng.u32();
  const d = hex32(rng.u32(), t);
  const version = t[0x40 | ((b >>> 8) & 0x0f)] + t[b & 255];
  const variant = t[0x80 | ((c >>> 24) & 0x3f)] + t[(c >>> 16) & 255];
  return `${a}-${t[b >>> 24]}${t[(b >>> 16) & 255]}-${version}-${variant}-${t[(c >>> 8) & 255]}${t[c & 255]}${d}`;
}

/** A random Android ID: 16 lowercase hex digits. */
export function androidId(rng: Rng): string {
  return hex32(rng.u32(), HEX) + hex32(rng.u32(), HEX);
}

/** Base-62 digits of n, left-padded with '0' to width. */
export function base62(n: number, width: number): string {
  let s = '';
  let x = n;
  while (x > 0) {
    s = BASE62[x % 62] + s;
    x = Math.floor(x / 62);
  }
  return s.padStart(width, '0');
}

/** An 18-character Salesforce id for record number `record` of an object with key prefix `prefix`. */
export function salesforceId(prefix: string, record: number): string {
  return salesforceId18(`${prefix}Dn0${base62(record, 9)}`.slice(0, 15));
}

/**
 * The case-insensitive 18-character form of a 15-character Salesforce id: one suffix letter per
 * 5-character block, encoding which of its characters are upper case.
 */
export function salesforceId18(id15: string): string {
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let bits = 0;
    for (let j = 0; j < 5; j++) {
      const ch = id15.charCodeAt(block * 5 + j);
      if (ch >= 65 && ch <= 90) bits |= 1 << j;
    }
    suffix += SF_SUFFIX[bits];
  }
  return id15 + suffix;
}
