/** How the engine retries transient failures. `scale` shortens every wait (tests, benchmarks). */
export interface RetryPolicy {
  /** Attempts per batch for transient failures (5xx, timeouts, dropped connections). */
  readonly maxAttempts: number;
  readonly baseMs: number;
  readonly capMs: number;
  /** 429 waits per batch before the sync gives up (the account's limit is taken by something else). */
  readonly maxRateLimitWaits: number;
  readonly scale: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseMs: 500, capMs: 30_000, maxRateLimitWaits: 12, scale: 1 };

/** Exponential backoff with jitter: base × 2^(attempt-1), capped, between half and all of it. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const full = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(full * (0.5 + random() / 2) * policy.scale);
}
