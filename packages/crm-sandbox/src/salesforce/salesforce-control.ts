import { FaultConfigError } from '../http/fault-injector.js';
import { jsonReply, type HttpReply } from '../http/http-reply.js';
import { parseJsonText } from '../http/request-body.js';
import type { IngestJobs } from './bulk2-jobs.js';
import type { DuplicateRules } from './duplicate-rules.js';
import { mergeRecords } from './merge-records.js';
import type { SalesforceFaults } from './salesforce-faults.js';
import type { SalesforceSandboxStats } from './salesforce-stats.js';
import type { SalesforceStore } from './salesforce-store.js';
import type { SessionRegistry } from './sessions.js';

export interface ControlParts {
  readonly store: SalesforceStore;
  readonly faults: SalesforceFaults;
  readonly jobs: IngestJobs;
  readonly sessions: SessionRegistry;
  readonly duplicates: DuplicateRules;
  readonly stats: () => SalesforceSandboxStats;
  readonly reset: () => void;
  readonly orgId: string;
}

/**
 * `/__sandbox/*`, no authentication (the server listens on 127.0.0.1 by default):
 *   GET /__sandbox/state · GET /__sandbox/stats · GET|POST|DELETE /__sandbox/faults (POST replaces) ·
 *   POST /__sandbox/reset · POST /__sandbox/invalidate-sessions ·
 *   POST /__sandbox/duplicate-rules `{object, fields}` (switch a rule on) · DELETE /__sandbox/duplicate-rules ·
 *   POST /__sandbox/merge `{masterId, mergeIds}` (a merge as a person does it in the UI)
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
    case 'POST /__sandbox/duplicate-rules': {
      const parsed = parseJsonText(bodyText);
      const body = parsed.ok ? parsed.value : undefined;
      if (!isObject(body) || typeof body.object !== 'string' || !Array.isArray(body.fields) || !body.fields.every((f) => typeof f === 'string') || body.fields.length === 0) {
        return jsonReply(400, { status: 'error', message: 'expected {"object": "Contact", "fields": ["Email"]}' });
      }
      parts.duplicates.set({ object: body.object, fields: body.fields.map(String) });
      return jsonReply(200, { rules: parts.duplicates.all() });
    }
    case 'DELETE /__sandbox/duplicate-rules':
      parts.duplicates.clear();
      return jsonReply(200, { rules: [] });
    case 'POST /__sandbox/merge': {
      const parsed = parseJsonText(bodyText);
      const body = parsed.ok ? parsed.value : undefined;
      if (!isObject(body) || typeof body.masterId !== 'string' || !Array.isArray(body.mergeIds) || !body.mergeIds.every((f) => typeof f === 'string')) {
        return jsonReply(400, { status: 'error', message: 'expected {"masterId": "003…", "mergeIds": ["003…"]}' });
      }
      const outcome = mergeRecords(parts.store, body.masterId, body.mergeIds.map(String), new Date());
      return outcome.ok ? jsonReply(200, { id: outcome.masterId }) : jsonReply(400, { status: 'error', message: outcome.message });
    }
    case 'POST /__sandbox/reset':
      parts.reset();
      return jsonReply(200, { status: 'reset' });
    default:
      return jsonReply(404, { status: 'error', message: `Unknown sandbox control endpoint: ${route}` });
  }
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
