/**
 * Groups items into batches of at most `size`, never putting two items with the same key in one
 * batch (HubSpot fails a whole batch on a repeated id): a repeat waits for the next batch.
 */
export class KeyBatcher<T> {
  private current: T[] = [];
  private keys = new Set<string>();
  private deferred: T[] = [];

  constructor(
    private readonly size: number,
    private readonly keyOf: (item: T) => string,
  ) {}

  get pending(): number {
    return this.current.length + this.deferred.length;
  }

  /** Adds an item; returns the batches that became full. */
  add(item: T): T[][] {
    const full: T[][] = [];
    this.place(item, full);
    return full;
  }

  /** Every remaining item, in batches. */
  flush(): T[][] {
    const out: T[][] = [];
    while (this.current.length > 0 || this.deferred.length > 0) {
      if (this.current.length > 0) out.push(this.take());
      const waiting = this.deferred;
      this.deferred = [];
      for (const item of waiting) this.place(item, out);
    }
    return out;
  }

  private place(item: T, full: T[][]): void {
    const key = this.keyOf(item);
    if (this.keys.has(key)) {
      this.deferred.push(item);
      return;
    }
    this.current.push(item);
    this.keys.add(key);
    if (this.current.length < this.size) return;
    full.push(this.take());
    const waiting = this.deferred;
    this.deferred = [];
    for (const next of waiting) this.place(next, full);
  }

  private take(): T[] {
    const batch = this.current;
    this.current = [];
    this.keys = new Set();
    return batch;
  }
}
