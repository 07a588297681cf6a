import { FaultConfigError } from '../http/fault-injector.js';
import { jsonReply, type HttpReply } from '../http/http-reply.js';
import { parseJsonText } from '../http/request-body.js';
import type { IngestJobs } from './bulk2-jobs.js';
import type { SalesforceFaults } from './salesforce-faults.js';
import type { SalesforceSandboxStats } from './salesforce-stats.js';
import type { SalesforceStore } from './salesforce-store.js';
import type { SessionRegistry } from './sessions.js';

export interface ControlParts {
  readonly store: SalesforceStore;
  readonly faults: SalesforceFaults;
  readonly jobs: IngestJobs;
  readonly sessions: SessionRegistry;
  readonly stats: () => SalesforceSandboxStats;
  readonly reset: () => void;
  readonly orgId: string;
}

/**
 * `/__sandbox/*`, no authentication (the server listens on 127.0.0.1 by default):
 *   GET /__sandbox/state · GET /__sandbox/stats · GET|POST|DELETE /__sandbox/faults (POST replaces) ·
 *   POST /__sandbox/reset · POST /__sandbox/invalidate-sessions
 */
export function handleControlRequest(parts: ControlParts, method: string, path: string, bodyText: string): HttpReply {
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  switch (route) {
    case 'GET /__sandbox/state':
      return jsonReply(200, {
        orgId: parts.orgId,
        records: parts.store.dump(),
        bulkJobs: parts.jobs.all().map((j) => ({ id: j.id, object: j.object, operation: j.operation, state: j.state, errorMessage: j.errorMessage ?? null })),
        activeSessions: parts.sessions.activeCount,
        faults: parts.faults.state(),
      });
    case 'GET /__sandbox/stats':
      return jsonReply(200, parts.stats());
    case 'GET /__sandbox/faults':
      return jsonReply(200, { faults: parts.faults.state() });
    case 'DELETE /__sandbox/faults':
      parts.faults.clear();
      return jsonReply(200, { faults: parts.faults.state() });
    case 'POST /__sandbox/faults': {
      const parsed = parseJsonText(bodyText);
      if (!parsed.ok) return jsonReply(400, { status: 'error', message: `Invalid JSON: ${parsed.message}`, issues: [] });
      try {
        return jsonReply(200, { faults: parts.faults.setFromJson(parsed.value) });
      } catch (error) {
        if (error instanceof FaultConfigError) return jsonReply(400, { status: 'error', message: error.message, issues: error.issues });
        throw error;
      }
    }
    case 'POST /__sandbox/invalidate-sessions':
      parts.faults.invalidateSessions();
      return jsonReply(200, { status: 'sessions invalidated' });
    case 'POST /__sandbox/reset':
      parts.reset();
      return jsonReply(200, { status: 'reset' });
    default:
      return jsonReply(404, { status: 'error', message: `Unknown sandbox control endpoint: ${route}` });
  }
}
