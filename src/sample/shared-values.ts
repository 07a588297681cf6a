import type { SampleIdType } from './identifier-slot.js';
import type { Rng } from './rng.js';

/** Identifier values that belong to no single person: placeholders, the planted hub, shared devices. */

export type SharedKind = 'junk' | 'shared';

export interface SharedValue {
  readonly type: SampleIdType;
  readonly value: string;
  readonly norm: string;
  readonly kind: SharedKind;
  readonly reason: string;
}

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export const JUNK_EMAILS: readonly string[] = [
  'test@example.com',
  'TEST@EXAMPLE.COM',
  'noreply@acme.io',
  'no-reply@mailinator.com',
  'null',
  'undefined',
  'n/a',
  '',
];
export const JUNK_USER_IDS: readonly string[] = ['-1', '0', 'null', 'undefined', ''];
export const JUNK_ANONYMOUS_IDS: readonly string[] = ['undefined', 'null', '', 'anonymous'];
export const JUNK_PHONES: readonly string[] = ['0000000000', 'n/a', '+1 000 000 0000', ''];

/**
 * Records each shared value the first time it is written, for the identity truth. Writing goes through
 * `use`, so a value is listed only if it appears.
 */
export class SharedValues {
  private readonly seen = new Map<string, SharedValue>();

  use(type: SampleIdType, value: string, kind: SharedKind, reason: string): string {
    const key = `${type}\u0000${value}`;
    if (!this.seen.has(key)) this.seen.set(key, { type, value, norm: normalise(type, value), kind, reason });
    return value;
  }

  /** A placeholder value from `values`, or null (a missing identifier) one time in five. */
  junk(rng: Rng, type: SampleIdType, values: readonly string[]): string | null {
    if (rng.chance(0.2)) return null;
    return this.use(type, rng.pick(values), 'junk', 'placeholder');
  }

  /** Every shared value written so far, sorted (so registries of several workers merge deterministically). */
  values(): readonly SharedValue[] {
    return [...this.seen.values()].sort((a, b) =>
      a.type === b.type ? (a.value < b.value ? -1 : a.value > b.value ? 1 : 0) : a.type < b.type ? -1 : 1,
    );
  }
}

/** The normal form cdp's identity config would give a value: trimmed; emails lower case; phones E.164. */
export function normalise(type: SampleIdType, value: string): string {
  const trimmed = value.trim();
  if (type === 'email') return trimmed.toLowerCase();
  if (type === 'phone') {
    const digits = trimmed.replace(/\D/g, '');
    if (digits.length === 10) return `+1${digits}`;
    if (digits.length === 11 && digits.startsWith('1')) return `+${digits}`;
    return digits.length > 0 ? `+${digits}` : trimmed.toLowerCase();
  }
  return trimmed;
}
