/**
 * Salesforce record ids: 15 case-sensitive characters (3-character key prefix, then 12 more) plus a
 * 3-character case-safe suffix computed from where the upper-case letters are. The API always answers
 * with 18 characters and accepts either form.
 */
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The case-safe 3-character suffix of a 15-character id. */
export function idSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15[chunk * 5 + i];
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX_CHARS[bits];
  }
  return suffix;
}

/** A 15- or 18-character id in its 18-character form, or undefined when it is not a well-formed id. */
export function normalizeId(value: string): string | undefined {
  if (!/^[a-zA-Z0-9]{15}(?:[A-Z0-5]{3})?$/.test(value)) return undefined;
  const id15 = value.slice(0, 15);
  const full = id15 + idSuffix(id15);
  return value.length === 18 && value !== full ? undefined : full;
}

export const KEY_PREFIXES = {
  Account: '001',
  Contact: '003',
  User: '005',
  Lead: '00Q',
  Organization: '00D',
  Campaign: '701',
  CampaignMember: '00v',
  CampaignMemberStatus: '01Y',
  QueryLocator: '01g',
  IngestJob: '750',
} as const;

/** Deterministic ids: one counter per key prefix, so a run reproduces the same ids. */
export class IdFactory {
  private readonly counters = new Map<string, number>();

  next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return fixedId(prefix, n);
  }

  reset(): void {
    this.counters.clear();
  }
}

/** The id numbered `n` under `prefix` (pod `8d`, then a base-62 counter). */
export function fixedId(prefix: string, n: number): string {
  let digits = '';
  let rest = n;
  do {
    digits = BASE62[rest % 62] + digits;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  const id15 = `${prefix}8d0${digits.padStart(9, '0')}`;
  return id15 + idSuffix(id15);
}
