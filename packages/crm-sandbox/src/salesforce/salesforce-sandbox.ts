import type { IncomingMessage, ServerResponse } from 'node:http';
import { jsonReply, writeReply } from '../http/http-reply.js';
import { startHttpServer } from '../http/http-server.js';
import { readRequestBody } from '../http/request-body.js';
import { ApiUsage } from './api-usage.js';
import { MAX_UPLOAD_BYTES } from './bulk2.js';
import { IngestJobs } from './bulk2-jobs.js';
import type { FieldSpec } from './field-spec.js';
import { isValidEmail } from './field-values.js';
import { handleLoginRequest, loginRouteKey } from './login-routes.js';
import type { AuthEnv, SandboxClient } from './oauth.js';
import { QueryCursors } from './query-cursors.js';
import type { SalesforceEnv } from './route-context.js';
import { handleControlRequest, isControlPath } from '../http/control-routes.js';
import { salesforceControl } from './salesforce-control.js';
import { dispatchDataRequest } from './salesforce-dispatcher.js';
import { DuplicateRules } from './duplicate-rules.js';
import { SalesforceDml } from './salesforce-dml.js';
import { NOT_FOUND_MESSAGE, type SaveError } from './salesforce-errors.js';
import { SalesforceFaults, type SalesforceFaultInput } from './salesforce-faults.js';
import { fixedId, IdFactory, KEY_PREFIXES, normalizeId } from './salesforce-ids.js';
import { salesforceRouter } from './salesforce-routes.js';
import { SalesforceStats, type SalesforceSandboxStats } from './salesforce-stats.js';
import { SalesforceStore } from './salesforce-store.js';
import { SchemaRegistry } from './schema-registry.js';
import { SessionRegistry, type SandboxUser } from './sessions.js';

export { generateJwtKeyPair } from './jwt-bearer.js';
export type { FieldSpec } from './field-spec.js';
export type { SalesforceFaultInput } from './salesforce-faults.js';
export type { SalesforceSandboxStats } from './salesforce-stats.js';

/** Obviously fake defaults that work out of the box. */
export const DEFAULT_CLIENT_ID = 'cdp-sandbox-client';
export const DEFAULT_CLIENT_SECRET = 'sandbox-secret';
export const DEFAULT_USERNAME = 'sandbox@example.invalid';
export const DEFAULT_PASSWORD = 'sandbox-password';

export interface SalesforceSandboxOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /**
   * Connected apps. A client with `publicKeyPem` verifies JWT bearer assertions with it; a client
   * without one accepts any well-formed RS256 assertion whose `iss` is its id (sandbox convenience).
   * Default: one client `cdp-sandbox-client` / `sandbox-secret`.
   */
  readonly clients?: readonly { readonly clientId: string; readonly clientSecret?: string; readonly publicKeyPem?: string }[];
  /** Users; the first one is the client-credentials run-as user. Default `sandbox@example.invalid` / `sandbox-password`. */
  readonly users?: readonly { readonly username: string; readonly password?: string }[];
  /** Custom fields per sObject, e.g. `{Contact: [{name: 'Ext_Id__c', type: 'string', externalId: true}]}`. */
  readonly customFields?: Readonly<Record<string, readonly FieldSpec[]>>;
  /** Daily API request allocation (rolling 24 h). Default 15,000 (Developer Edition). */
  readonly dailyApiLimit?: number;
  /** 15- or 18-character `00D…` id. */
  readonly orgId?: string;
  /** How long a closed Bulk 2.0 job stays InProgress. Default 200 ms. */
  readonly bulkProcessingMs?: number;
  /** Faults active from the start. */
  readonly faults?: SalesforceFaultInput;
  /** Idle time after which an access token expires. Default 2 hours (Salesforce's default). */
  readonly sessionIdleTimeoutMs?: number;
}

export interface SalesforceSandbox {
  /** `http://127.0.0.1:PORT`, no trailing slash: use as jsforce's `loginUrl` (and it is the `instance_url`). */
  readonly url: string;
  readonly port: number;
  readonly orgId: string;
  /** Users with their `005…` ids. */
  readonly users: readonly SandboxUser[];
  readonly clients: readonly SandboxClient[];
  /** The org's records; read them, or seed through `seed()`. */
  readonly store: SalesforceStore;
  /** A snapshot of the counters at the time of reading. */
  readonly stats: SalesforceSandboxStats;
  /** `faults.set({...})`, `.clear()`, `.state()`, `.invalidateSessions()`. */
  readonly faults: SalesforceFaults;
  /** The daily API allocation (`usage.consume(n)` gets close to the limit quickly). */
  readonly usage: ApiUsage;
  readonly sessions: SessionRegistry;
  /** Creates records with full validation (no faults); throws SeedError when one is rejected (nothing kept). */
  seed(sobject: string, records: readonly Readonly<Record<string, unknown>>[]): readonly string[];
  /** Empties data, jobs, cursors, stats, API usage and faults; sessions stay valid. */
  reset(): void;
  resetStats(): void;
  close(): Promise<void>;
}

export class SeedError extends Error {
  constructor(
    readonly index: number,
    readonly errors: readonly SaveError[],
  ) {
    super(`record ${index} rejected: ${errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ')}`);
    this.name = 'SeedError';
  }
}

const NO_FAULTS = { rejection: () => undefined, lockRow: () => false } as const;

/** Starts a local Salesforce-compatible API server (docs/crm/salesforce.md) for `cdp sandbox` and tests. */
export async function startSalesforceSandbox(options: SalesforceSandboxOptions = {}): Promise<SalesforceSandbox> {
  const orgId = options.orgId === undefined ? fixedId(KEY_PREFIXES.Organization, 1) : normalizeId(options.orgId);
  if (!orgId || !orgId.startsWith(KEY_PREFIXES.Organization)) throw new Error(`orgId must be a 15- or 18-character 00D… id, got ${options.orgId}`);
  const userSpecs = options.users ?? [{ username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD }];
  if (userSpecs.length === 0) throw new Error('the Salesforce sandbox needs at least one user');
  const users: readonly SandboxUser[] = userSpecs.map((u, i) => ({ id: fixedId(KEY_PREFIXES.User, i + 1), username: u.username, ...(u.password !== undefined ? { password: u.password } : {}) }));
  const clients: readonly SandboxClient[] = options.clients ?? [{ clientId: DEFAULT_CLIENT_ID, clientSecret: DEFAULT_CLIENT_SECRET }];
  const dailyApiLimit = options.dailyApiLimit ?? 15_000;

  const registry = new SchemaRegistry(options.customFields ?? {});
  const store = new SalesforceStore(registry);
  const ids = new IdFactory();
  const sessions = new SessionRegistry(orgId, options.sessionIdleTimeoutMs ?? 2 * 60 * 60 * 1000);
  const faults = new SalesforceFaults(() => sessions.invalidateAll());
  if (options.faults) faults.set(options.faults);
  const dml = new SalesforceDml(store, registry, ids, faults);
  const seedDml = new SalesforceDml(store, registry, ids, NO_FAULTS);
  const stats = new SalesforceStats();
  const usage = new ApiUsage(dailyApiLimit);
  const jobs = new IngestJobs({
    registry, store, dml, faults, ids,
    processingMs: options.bulkProcessingMs ?? 200,
    onFinished: (job) => stats.bulkJob(job.state === 'JobComplete' ? 'completed' : 'failed'),
  });
  const cursors = new QueryCursors();
  let baseUrl = '';
  const url = (): string => baseUrl;
  const duplicates = new DuplicateRules();
  const env: SalesforceEnv = { registry, store, dml, duplicates, ids, faults, cursors, jobs, stats, usage, orgId, url };
  const auth: AuthEnv = { clients, users, orgId, sessions, url, onTokenIssued: (grant) => stats.tokenIssued(grant) };

  const seedUsers = (): void => {
    for (const user of users) {
      const stamp = seedDml.systemFields(user.id, new Date());
      const email = isValidEmail(user.username) ? user.username : DEFAULT_USERNAME;
      store.put({ id: user.id, sobject: 'User', deleted: false, values: { Id: user.id, Username: user.username, FirstName: 'Sandbox', LastName: 'User', Name: 'Sandbox User', Email: email, IsActive: true, ...stamp } });
    }
  };
  seedUsers();
  const snapshot = (): SalesforceSandboxStats => stats.snapshot(usage.used(), dailyApiLimit);
  const reset = (): void => {
    jobs.clear();
    cursors.clear();
    store.clear();
    ids.reset();
    stats.reset();
    usage.reset();
    faults.clear();
    duplicates.clear();
    seedUsers();
  };
  const router = salesforceRouter();
  const control = salesforceControl({ store, faults, jobs, sessions, duplicates, stats: snapshot, reset, orgId });

  const listener = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestUrl = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const path = requestUrl.pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readRequestBody(req, MAX_UPLOAD_BYTES + 1024 * 1024);
    if (!body.ok && body.reason === 'aborted') return;
    const text = body.ok ? body.text : undefined;
    if (isControlPath(path)) {
      writeReply(res, handleControlRequest(control, method, path, text));
      return;
    }
    if (path === '/services/data' || path.startsWith('/services/data/')) {
      await dispatchDataRequest({ router, env, sessions }, req, res, requestUrl, text);
      return;
    }
    const key = loginRouteKey(method, path);
    if (key) {
      stats.request(key, false);
      const reply = text === undefined ? jsonReply(413, { error: 'invalid_request', error_description: 'request too large' }) : await handleLoginRequest(auth, { method, path, query: requestUrl.searchParams, headers: req.headers, bodyText: text });
      writeReply(res, reply);
      return;
    }
    stats.request(`${method} (unmatched)`, false);
    writeReply(res, jsonReply(404, [{ errorCode: 'NOT_FOUND', message: NOT_FOUND_MESSAGE }]));
  };

  const server = await startHttpServer(listener, { port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  baseUrl = server.url;
  return {
    url: server.url,
    port: server.port,
    orgId,
    users,
    clients,
    store,
    get stats() {
      return snapshot();
    },
    faults,
    usage,
    sessions,
    seed: (sobject, records) => {
      const schema = registry.get(sobject);
      if (!schema) throw new Error(`unknown sObject ${sobject}`);
      const tx = store.begin();
      const created: string[] = [];
      try {
        for (const [i, record] of records.entries()) {
          const outcome = seedDml.create(schema, record, { batchSize: 0, userId: users[0].id });
          if (!outcome.ok) throw new SeedError(i, outcome.errors);
          created.push(outcome.id);
        }
      } catch (error) {
        tx.rollback();
        throw error;
      }
      tx.commit();
      return created;
    },
    reset,
    resetStats: () => stats.reset(),
    close: async () => {
      jobs.clear();
      await server.close();
    },
  };
}
