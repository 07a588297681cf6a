import type { SandboxControl } from '../http/control-routes.js';
import { jsonReply } from '../http/http-reply.js';
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
 * The Salesforce sandbox's `/__sandbox/*`: the shared routes (http/control-routes.ts) plus
 *   POST /__sandbox/invalidate-sessions ·
 *   POST /__sandbox/duplicate-rules `{object, fields}` (switch a rule on) · DELETE /__sandbox/duplicate-rules ·
 *   POST /__sandbox/merge `{masterId, mergeIds}` (a merge as a person does it in the UI)
 */
export function salesforceControl(parts: ControlParts): SandboxControl {
  return {
    state: () => ({
      orgId: parts.orgId,
      records: parts.store.dump(),
      bulkJobs: parts.jobs.all().map((j) => ({ id: j.id, object: j.object, operation: j.operation, state: j.state, errorMessage: j.errorMessage ?? null })),
      activeSessions: parts.sessions.activeCount,
      faults: parts.faults.state(),
    }),
    stats: parts.stats,
    faults: parts.faults,
    reset: parts.reset,
    routes: {
      'POST /__sandbox/invalidate-sessions': () => {
        parts.faults.invalidateSessions();
        return jsonReply(200, { status: 'sessions invalidated' });
      },
      'POST /__sandbox/duplicate-rules': (bodyText) => {
        const parsed = parseJsonText(bodyText);
        const body = parsed.ok ? parsed.value : undefined;
        if (!isObject(body) || typeof body.object !== 'string' || !Array.isArray(body.fields) || !body.fields.every((f) => typeof f === 'string') || body.fields.length === 0) {
          return jsonReply(400, { status: 'error', message: 'expected {"object": "Contact", "fields": ["Email"]}' });
        }
        parts.duplicates.set({ object: body.object, fields: body.fields.map(String) });
        return jsonReply(200, { rules: parts.duplicates.all() });
      },
      'DELETE /__sandbox/duplicate-rules': () => {
        parts.duplicates.clear();
        return jsonReply(200, { rules: [] });
      },
      'POST /__sandbox/merge': (bodyText) => {
        const parsed = parseJsonText(bodyText);
        const body = parsed.ok ? parsed.value : undefined;
        if (!isObject(body) || typeof body.masterId !== 'string' || !Array.isArray(body.mergeIds) || !body.mergeIds.every((f) => typeof f === 'string')) {
          return jsonReply(400, { status: 'error', message: 'expected {"masterId": "003…", "mergeIds": ["003…"]}' });
        }
        const outcome = mergeRecords(parts.store, body.masterId, body.mergeIds.map(String), new Date());
        return outcome.ok ? jsonReply(200, { id: outcome.masterId }) : jsonReply(400, { status: 'error', message: outcome.message });
      },
    },
  };
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
