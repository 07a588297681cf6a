import { RollingWindowLimiter } from '../http/rolling-window-limiter.js';
import type { RateLimitPolicy } from './hubspot-errors.js';

export interface RateLimitSettings {
  /** Per token, rolling 10 s; 0 disables. */
  readonly requestsPer10s: number;
  /** Per token per UTC day; 0 disables. */
  readonly dailyLimit: number;
  /** Object search requests per token per second; 0 disables. */
  readonly searchPerSecond: number;
}

export type Admission =
  | { readonly ok: true; readonly headers: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly policy: RateLimitPolicy; readonly headers: Readonly<Record<string, string>> };

const TEN_SECONDS = 10_000;

/**
 * HubSpot's limits (docs/crm/hubspot.md#rate-limits): a rolling 10-second window, a daily count that resets at midnight
 * (UTC here; HubSpot uses the account's time zone) and 5 searches per second. A refused request does
 * not count against any window (UNCONFIRMED), so a client that backs off recovers.
 */
export class HubSpotRateLimits {
  private readonly tenSecondly: RollingWindowLimiter;
  private readonly secondly: RollingWindowLimiter;
  private daily = new Map<string, { day: string; count: number }>();

  constructor(private readonly settings: RateLimitSettings) {
    this.tenSecondly = new RollingWindowLimiter({ limit: settings.requestsPer10s, windowMs: TEN_SECONDS });
    this.secondly = new RollingWindowLimiter({ limit: settings.searchPerSecond, windowMs: 1_000 });
  }

  admit(token: string, isSearch: boolean, now: number): Admission {
    const day = new Date(now).toISOString().slice(0, 10);
    const usedToday = this.daily.get(token)?.day === day ? (this.daily.get(token)?.count ?? 0) : 0;
    const ten = this.tenSecondly.check(token, now);
    const refuse = (policy: RateLimitPolicy): Admission => ({ ok: false, policy, headers: this.headers(ten.remaining, usedToday, true) });
    if (this.settings.dailyLimit > 0 && usedToday >= this.settings.dailyLimit) return refuse('DAILY');
    if (!ten.allowed) return refuse('TEN_SECONDLY_ROLLING');
    if (isSearch && !this.secondly.check(token, now).allowed) return refuse('SECONDLY');
    const taken = this.tenSecondly.take(token, now);
    if (isSearch) this.secondly.take(token, now);
    this.daily.set(token, { day, count: usedToday + 1 });
    return { ok: true, headers: this.headers(taken.remaining, usedToday + 1, false) };
  }

  reset(): void {
    this.tenSecondly.reset();
    this.secondly.reset();
    this.daily = new Map();
  }

  /** `X-HubSpot-RateLimit-*` headers; a disabled limit sends none of its headers. */
  private headers(remaining: number, usedToday: number, refused: boolean): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.settings.requestsPer10s > 0) {
      headers['X-HubSpot-RateLimit-Max'] = String(this.settings.requestsPer10s);
      headers['X-HubSpot-RateLimit-Remaining'] = String(refused ? 0 : remaining);
      headers['X-HubSpot-RateLimit-Interval-Milliseconds'] = String(TEN_SECONDS);
    }
    if (this.settings.dailyLimit > 0) {
      headers['X-HubSpot-RateLimit-Daily'] = String(this.settings.dailyLimit);
      headers['X-HubSpot-RateLimit-Daily-Remaining'] = String(Math.max(0, this.settings.dailyLimit - usedToday));
    }
    return headers;
  }
}
