import { csvBytes } from './row-buffer.js';

/** One person's identifiers while they are generated, and which of them the data links together. */

export type SampleIdType =
  | 'anonymous_id'
  | 'user_id'
  | 'email'
  | 'phone'
  | 'device_id'
  | 'hubspot_id'
  | 'salesforce_id';

/**
 * One identifier of one person: its normalised value and the raw spellings it may be written in. Writing a
 * spelling marks it used, so the ground truth lists exactly the values that appear in the data.
 */
export class IdSlot {
  used = 0;
  private readonly encoded: (Buffer | undefined)[] = [];

  constructor(
    readonly type: SampleIdType,
    readonly norm: string,
    readonly forms: readonly string[],
    readonly node: number,
  ) {}

  /** The raw spelling `form` (0 = canonical), marked as appearing in the data. */
  use(form = 0): string {
    this.used |= 1 << form;
    return this.forms[form];
  }

  /** The raw spelling `form` as CSV bytes, marked as appearing in the data. */
  csv(form = 0): Buffer {
    this.used |= 1 << form;
    return (this.encoded[form] ??= csvBytes(this.forms[form]));
  }

  /** The CSV bytes of spelling `form` without marking it used (for the truth table). */
  bytes(form: number): Buffer {
    return (this.encoded[form] ??= csvBytes(this.forms[form]));
  }
}

/**
 * A person's identifier slots with a tiny union-find over them: `link` records that a row holds both
 * identifiers, so the truth can say which of the person's identifiers the data can deterministically join.
 */
export class PersonGraph {
  readonly slots: IdSlot[] = [];
  private readonly parent: number[] = [];

  add(type: SampleIdType, norm: string, forms: readonly string[]): IdSlot {
    const slot = new IdSlot(type, norm, forms, this.slots.length);
    this.slots.push(slot);
    this.parent.push(slot.node);
    return slot;
  }

  link(a: IdSlot | null, b: IdSlot | null): void {
    if (a === null || b === null) return;
    const ra = this.root(a.node);
    const rb = this.root(b.node);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }

  root(node: number): number {
    let x = node;
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]];
      x = this.parent[x];
    }
    return x;
  }
}
