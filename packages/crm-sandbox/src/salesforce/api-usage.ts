import { RollingWindowLimiter } from '../http/rolling-window-limiter.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const KEY = 'org';

/**
 * The org's daily API request allocation over a rolling 24 hours (docs/crm/salesforce.md#limits): every REST / Bulk 2.0
 * call under /services/data counts; OAuth and SOAP login do not. Over the limit → 403
 * REQUEST_LIMIT_EXCEEDED, never 429, never Retry-After.
 */
export class ApiUsage {
  private readonly limiter: RollingWindowLimiter;
  private bulkBatches = 0;

  constructor(readonly max: number) {
    this.limiter = new RollingWindowLimiter({ limit: max, windowMs: DAY_MS });
  }

  used(now = Date.now()): number {
    return this.max - this.limiter.check(KEY, now).remaining;
  }

  /** Counts one call; false (nothing counted) when the allocation is used up. */
  take(now = Date.now()): boolean {
    if (!this.limiter.check(KEY, now).allowed) return false;
    this.limiter.take(KEY, now);
    return true;
  }

  /** Uses up `count` calls at once (tests: get near the limit quickly). */
  consume(count: number, now = Date.now()): void {
    for (let i = 0; i < count && this.take(now); i++);
  }

  noteBulkBatches(count: number): void {
    this.bulkBatches += count;
  }

  get bulkBatchesUsed(): number {
    return this.bulkBatches;
  }

  header(now = Date.now()): string {
    return `api-usage=${this.used(now)}/${this.max}`;
  }

  reset(): void {
    this.limiter.reset();
    this.bulkBatches = 0;
  }
}
