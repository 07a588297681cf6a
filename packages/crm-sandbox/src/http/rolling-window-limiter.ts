export interface RollingWindowOptions {
  /** Requests allowed per key within any window of `windowMs`; 0 disables the limiter. */
  readonly limit: number;
  readonly windowMs: number;
}

export interface RollingWindowState {
  readonly allowed: boolean;
  /** Requests still allowed in the current window after this check (and take, if taken). */
  readonly remaining: number;
  /** When the oldest request counted leaves the window (ms from now); 0 when allowed. */
  readonly retryAfterMs: number;
}

/** Counts requests per key over a sliding window of time: a request is allowed when fewer than `limit` were admitted in the last `windowMs`. */
export class RollingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(readonly options: RollingWindowOptions) {}

  get enabled(): boolean {
    return this.options.limit > 0;
  }

  /** Looks without counting. */
  check(key: string, now: number): RollingWindowState {
    if (!this.enabled) return { allowed: true, remaining: Number.POSITIVE_INFINITY, retryAfterMs: 0 };
    const list = this.prune(key, now);
    const allowed = list.length < this.options.limit;
    const retryAfterMs = allowed ? 0 : Math.max(0, list[0] + this.options.windowMs - now);
    return { allowed, remaining: Math.max(0, this.options.limit - list.length), retryAfterMs };
  }

  /** Counts one request (call after `check` allowed it). */
  take(key: string, now: number): RollingWindowState {
    if (!this.enabled) return { allowed: true, remaining: Number.POSITIVE_INFINITY, retryAfterMs: 0 };
    const list = this.prune(key, now);
    list.push(now);
    this.hits.set(key, list);
    return { allowed: true, remaining: Math.max(0, this.options.limit - list.length), retryAfterMs: 0 };
  }

  reset(): void {
    this.hits.clear();
  }

  private prune(key: string, now: number): number[] {
    const list = this.hits.get(key) ?? [];
    const cutoff = now - this.options.windowMs;
    let drop = 0;
    while (drop < list.length && list[drop] <= cutoff) drop++;
    if (drop > 0) list.splice(0, drop);
    return list;
  }
}
