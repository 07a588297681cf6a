import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';

/** Knobs of the engine that are not project configuration. */
export interface SyncTuning {
  readonly retry: RetryPolicy;
  readonly requestTimeoutMs: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * Defaults, overridable from the environment for tests, demos and benchmarks:
 * `CDP_SYNC_BACKOFF_SCALE` (multiplies every retry and rate-limit wait, e.g. 0.01) and
 * `CDP_SYNC_REQUEST_TIMEOUT_MS`.
 */
export function syncTuning(env: Readonly<Record<string, string | undefined>>): SyncTuning {
  const number = (name: string): number | undefined => {
    const raw = env[name];
    const value = raw === undefined || raw.trim() === '' ? Number.NaN : Number(raw);
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  };
  return {
    retry: { ...DEFAULT_RETRY_POLICY, scale: number('CDP_SYNC_BACKOFF_SCALE') ?? DEFAULT_RETRY_POLICY.scale },
    requestTimeoutMs: number('CDP_SYNC_REQUEST_TIMEOUT_MS') ?? DEFAULT_REQUEST_TIMEOUT_MS,
  };
}
