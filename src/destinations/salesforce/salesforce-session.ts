import jsforce, { type Connection, type HttpRequest, type HttpRequestOptions } from 'jsforce';
import { Transport } from 'jsforce/lib/transport.js';
import type { SalesforceDestinationConfig } from '../../config/schema.js';
import { withTimeout } from '../with-timeout.js';
import { oauth2Options, tokenParams } from './salesforce-auth.js';
import { SessionRejected } from './salesforce-failure.js';

/**
 * jsforce's HTTP transport without its own retries: jsforce retries GET/PUT/DELETE on 5xx, 429 and
 * network errors up to 5 times with growing waits (docs/crm/salesforce.md#client-library), which would hide failures from cdp's
 * engine and outlast its request timeout. cdp's engine owns retries, so they are off here.
 */
class NoRetryTransport extends Transport {
  constructor(private readonly timeoutMs: number) {
    super();
  }

  override httpRequest(req: HttpRequest, options: HttpRequestOptions = {}): ReturnType<Transport['httpRequest']> {
    return super.httpRequest(req, { ...options, timeout: this.timeoutMs, retry: { maxRetries: 0, methods: [], statusCodes: [], errorCodes: [] } });
  }
}

export interface SessionOptions {
  readonly config: SalesforceDestinationConfig;
  readonly projectDir?: string;
  readonly requestTimeoutMs: number;
}

/**
 * One authenticated jsforce Connection, always created with the configured `loginUrl` and an
 * explicit API `version` (jsforce defaults to 50.0, too old for collection upserts; docs/crm/salesforce.md#client-library).
 *
 * Every flow authenticates through `conn.authorize(params)` (the OAuth token endpoint), so the
 * password flow never falls back to SOAP login. On INVALID_SESSION_ID jsforce calls our refresh
 * function, which re-authenticates with the same flow (JWT and client-credentials sessions have no
 * refresh token); if the session is rejected again before any call succeeded, it fails with
 * SessionRejected instead of letting jsforce loop (docs/crm/salesforce.md#client-library: an org that 401s new tokens).
 */
export class SalesforceSession {
  readonly connection: Connection;
  private ready: Promise<void> | undefined;
  /** Re-authenticated after an INVALID_SESSION_ID, and no call has succeeded since. */
  private reauthenticated = false;

  constructor(private readonly options: SessionOptions) {
    const { config, requestTimeoutMs } = options;
    this.connection = new jsforce.Connection({
      loginUrl: oauth2Options(config).loginUrl,
      version: config.apiVersion,
      oauth2: oauth2Options(config),
      refreshFn: (_conn, callback) => {
        this.reauthenticate().then(
          (token) => callback(null, token),
          (e: unknown) => callback(e instanceof SessionRejected ? e : new Error(e instanceof Error ? `${e.name}: ${e.message}` : String(e))),
        );
      },
    });
    this.connection._transport = new NoRetryTransport(requestTimeoutMs * 2);
  }

  /** Authenticates once (concurrent callers share the attempt; a failed attempt is tried again next time). */
  connect(): Promise<void> {
    this.ready ??= this.authenticate().catch((e: unknown) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }

  /** Runs one API call on the authenticated connection, failing with RequestTimeout when it does not answer in time. */
  async run<T>(request: (conn: Connection) => PromiseLike<T>): Promise<T> {
    await this.connect();
    const result = await withTimeout(Promise.resolve(request(this.connection)), this.options.requestTimeoutMs);
    this.reauthenticated = false;
    return result;
  }

  private async authenticate(): Promise<void> {
    const params = await tokenParams(this.options.config, this.options.projectDir);
    await withTimeout(Promise.resolve(this.connection.authorize({ ...params })), this.options.requestTimeoutMs);
  }

  private async reauthenticate(): Promise<string> {
    if (this.reauthenticated) throw new SessionRejected();
    await this.authenticate();
    this.reauthenticated = true;
    return this.connection.accessToken ?? '';
  }
}
