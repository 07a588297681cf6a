import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultConfig, FaultConfigInput } from '../http/fault-config.js';
import { FaultInjector } from '../http/fault-injector.js';
import { jsonReply, writeReply } from '../http/http-reply.js';
import { startHttpServer } from '../http/http-server.js';
import { readRequestBody } from '../http/request-body.js';
import { handleControlRequest, isControlPath } from '../http/control-routes.js';
import { hubSpotControl } from './hubspot-control-routes.js';
import { dispatchApiRequest, type DispatcherParts } from './hubspot-dispatcher.js';
import { isRateLimitPolicy, RATE_LIMIT_POLICIES } from './hubspot-errors.js';
import { HubSpotRateLimits } from './hubspot-rate-limits.js';
import { hubSpotRouter } from './hubspot-routes.js';
import { SandboxStatsRecorder, type HubSpotSandboxStats } from './hubspot-sandbox-stats.js';
import { HubSpotStore } from './hubspot-store.js';

/** An obviously fake private-app token, accepted when no `accessTokens` are given. */
export const DEFAULT_SANDBOX_TOKEN = 'pat-na1-00000000-0000-0000-0000-000000000000';
export const DEFAULT_PORTAL_ID = 1234567;

export interface HubSpotSandboxOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Accepted Bearer tokens; default [DEFAULT_SANDBOX_TOKEN]. */
  readonly accessTokens?: readonly string[];
  /** Rolling 10-second limit per token; default 100 (Free/Starter private app); 0 disables. */
  readonly requestsPer10s?: number;
  /** Requests per token per UTC day; default 250,000; 0 disables. */
  readonly dailyLimit?: number;
  /** Object searches per token per second; default 5; 0 disables. */
  readonly searchPerSecond?: number;
  /** Shown in "… in portal ID N" messages; default 1234567. */
  readonly portalId?: number;
  /** Faults active from the start (e.g. with a `seed`). */
  readonly faults?: FaultConfigInput;
  /** Largest accepted request body; default 20 MB. */
  readonly maxBodyBytes?: number;
}

export interface HubSpotSandbox {
  /** `http://127.0.0.1:PORT`, no trailing slash: use as the SDK's `basePath`. */
  readonly url: string;
  readonly port: number;
  readonly portalId: number;
  readonly accessTokens: readonly string[];
  /** The in-memory portal; tests may read it or seed records directly. */
  readonly store: HubSpotStore;
  /** A snapshot of the counters at the time of reading. */
  readonly stats: HubSpotSandboxStats;
  /** Fault injection from code: `faults.set({...})`, `faults.clear()`, `faults.state()`. */
  readonly faults: FaultInjector;
  /** Empties the store and clears stats, rate-limit windows and faults. */
  reset(): void;
  resetStats(): void;
  close(): Promise<void>;
}

/** Starts a local HubSpot-compatible API server (docs/crm/hubspot.md) for `cdp sandbox` and tests. */
export async function startHubSpotSandbox(options: HubSpotSandboxOptions = {}): Promise<HubSpotSandbox> {
  const portalId = options.portalId ?? DEFAULT_PORTAL_ID;
  const accessTokens = [...(options.accessTokens ?? [DEFAULT_SANDBOX_TOKEN])];
  const maxBodyBytes = options.maxBodyBytes ?? 20 * 1024 * 1024;
  const store = new HubSpotStore();
  const stats = new SandboxStatsRecorder();
  const faults = new FaultInjector({ validate: validateHubSpotFaults, ...(options.faults ? { initial: options.faults } : {}) });
  const limits = new HubSpotRateLimits({
    requestsPer10s: options.requestsPer10s ?? 100,
    dailyLimit: options.dailyLimit ?? 250_000,
    searchPerSecond: options.searchPerSecond ?? 5,
  });
  const reset = (): void => {
    store.reset();
    stats.reset();
    limits.reset();
    faults.clear();
  };
  let baseUrl = '';
  const api: DispatcherParts = { router: hubSpotRouter(), store, faults, limits, stats, tokens: new Set(accessTokens), portalId, baseUrl: () => baseUrl, maxBodyBytes };
  const control = hubSpotControl({ store, faults, stats: () => stats.snapshot(), reset, portalId });

  const listener = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const body = await readRequestBody(req, maxBodyBytes);
    if (!body.ok && body.reason === 'aborted') return;
    const text = body.ok ? body.text : undefined;
    if (isControlPath(url.pathname)) {
      writeReply(res, handleControlRequest(control, (req.method ?? 'GET').toUpperCase(), url.pathname, text));
      return;
    }
    await dispatchApiRequest(api, req, res, url, text);
  };

  const server = await startHttpServer(listener, { port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  baseUrl = server.url;
  return {
    url: server.url,
    port: server.port,
    portalId,
    accessTokens,
    store,
    get stats() {
      return stats.snapshot();
    },
    faults,
    reset,
    resetStats: () => stats.reset(),
    close: () => server.close(),
  };
}

/** Injected 429s must use a policy HubSpot has. */
function validateHubSpotFaults(config: FaultConfig): readonly string[] {
  return config.rules.flatMap((rule, i) =>
    rule.kind === 'rateLimit' && rule.policy !== undefined && !isRateLimitPolicy(rule.policy)
      ? [`rules.${i}.policy: must be one of ${RATE_LIMIT_POLICIES.join(', ')}`]
      : [],
  );
}
