import type { QueryRecord } from './soql-executor.js';

interface Cursor {
  readonly id: string;
  readonly userId: string;
  readonly records: readonly QueryRecord[];
  readonly pageSize: number;
  lastUsed: number;
}

/** Salesforce keeps at most 10 open query cursors per user (the oldest is released) for 15 idle minutes. */
const MAX_PER_USER = 10;
const IDLE_MS = 15 * 60 * 1000;

/** Result sets of queries that did not fit in one page, snapshotted when the query ran. */
export class QueryCursors {
  private readonly cursors = new Map<string, Cursor>();

  open(id: string, userId: string, records: readonly QueryRecord[], pageSize: number, now = Date.now()): void {
    this.expire(now);
    const mine = [...this.cursors.values()].filter((c) => c.userId === userId).sort((a, b) => a.lastUsed - b.lastUsed);
    for (const old of mine.slice(0, Math.max(0, mine.length - MAX_PER_USER + 1))) this.cursors.delete(old.id);
    this.cursors.set(id, { id, userId, records, pageSize, lastUsed: now });
  }

  get(id: string, now = Date.now()): { readonly records: readonly QueryRecord[]; readonly pageSize: number } | undefined {
    this.expire(now);
    const cursor = this.cursors.get(id);
    if (cursor) cursor.lastUsed = now;
    return cursor;
  }

  get size(): number {
    return this.cursors.size;
  }

  clear(): void {
    this.cursors.clear();
  }

  private expire(now: number): void {
    for (const [id, c] of this.cursors) if (now - c.lastUsed > IDLE_MS) this.cursors.delete(id);
  }
}
