import { setTimeout as sleep } from 'node:timers/promises';
import Bottleneck from 'bottleneck';
import type { BatchFailure, RateLimit, Transport } from '../destinations/destination.js';
import { DestinationStopped } from '../destinations/destination-stopped.js';
import { backoffMs, type RetryPolicy } from './retry-policy.js';

/** Pace a little under the configured limit, so clock skew and network jitter never cross it. */
export const PACING_HEADROOM = 0.95;

export interface TransportStats {
  readonly requests: number;
  readonly retries: number;
  readonly rateLimited: number;
  /** When the first and the last request were sent (ms since epoch), for throughput figures. */
  readonly firstSentAt?: number;
  readonly lastSentAt?: number;
}

/**
 * Every request to one destination goes through here: spaced evenly (Bottleneck `minTime`) so that
 * no rolling window of `perMs` holds more than `requests`, at most `maxConcurrent` in flight, and
 * paused for everyone after a 429 (the window is shared by the whole account).
 */
export class PacedTransport implements Transport {
  private readonly limiter: Bottleneck;
  private pausedUntil = 0;
  private counters = { requests: 0, retries: 0, rateLimited: 0 };
  private firstSentAt: number | undefined;
  private lastSentAt: number | undefined;

  constructor(
    readonly destination: string,
    limit: RateLimit,
    readonly policy: RetryPolicy,
  ) {
    const minTime = Math.ceil(limit.perMs / (limit.requests * PACING_HEADROOM));
    this.limiter = new Bottleneck({ maxConcurrent: limit.maxConcurrent, minTime });
  }

  get stats(): TransportStats {
    return { ...this.counters, ...(this.firstSentAt !== undefined ? { firstSentAt: this.firstSentAt, lastSentAt: this.lastSentAt } : {}) };
  }

  send<T>(request: () => Promise<T>): Promise<T> {
    return this.limiter.schedule(async () => {
      for (let wait = this.pausedUntil - Date.now(); wait > 0; wait = this.pausedUntil - Date.now()) await sleep(wait);
      const now = Date.now();
      this.firstSentAt ??= now;
      this.lastSentAt = now;
      this.counters.requests++;
      return request();
    });
  }

  /** Holds every request back for `ms` (a 429 means the shared window is full). */
  pause(ms: number): void {
    this.counters.rateLimited++;
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms * this.policy.scale);
  }

  /** Waits before a retry, and counts it. */
  async backoff(attempt: number): Promise<void> {
    this.counters.retries++;
    await sleep(backoffMs(this.policy, attempt));
  }

  async call<T>(request: () => Promise<T>, classify: (error: unknown) => BatchFailure): Promise<T> {
    let attempt = 0;
    let rateLimitWaits = 0;
    for (;;) {
      try {
        return await this.send(request);
      } catch (error) {
        const failure = classify(error);
        if (failure.retryAfterMs !== undefined) rateLimitWaits++;
        else attempt++;
        await this.afterFailure(failure, attempt, rateLimitWaits);
      }
    }
  }

  /**
   * Waits as a failed request asks (pause for a 429, backoff otherwise), or throws DestinationStopped
   * when the failure is final or the retries are used up.
   */
  async afterFailure(failure: BatchFailure, attempt: number, rateLimitWaits: number): Promise<void> {
    if (failure.kind !== 'retry') throw new DestinationStopped(this.destination, failure);
    if (failure.retryAfterMs !== undefined) {
      if (rateLimitWaits > this.policy.maxRateLimitWaits) throw this.gaveUp(failure, rateLimitWaits);
      this.pause(failure.retryAfterMs);
      return;
    }
    if (attempt >= this.policy.maxAttempts) throw this.gaveUp(failure, attempt);
    await this.backoff(attempt);
  }

  private gaveUp(failure: BatchFailure, attempts: number): DestinationStopped {
    return new DestinationStopped(this.destination, {
      kind: 'stop',
      code: failure.code,
      message: `gave up after ${attempts} attempts: ${failure.message}`,
      hint: 'the destination seems unavailable; the next run sends exactly what is still unconfirmed',
    });
  }
}
