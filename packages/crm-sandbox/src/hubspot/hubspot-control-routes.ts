import { FaultConfigError, type FaultInjector } from '../http/fault-injector.js';
import { jsonReply, type HttpReply } from '../http/http-reply.js';
import { parseJsonText } from '../http/request-body.js';
import { OBJECT_TYPES } from './hubspot-object-types.js';
import { listJson } from './hubspot-routes-lists.js';
import type { HubSpotSandboxStats } from './hubspot-sandbox-stats.js';
import type { HubSpotStore } from './hubspot-store.js';

export interface ControlParts {
  readonly store: HubSpotStore;
  readonly faults: FaultInjector;
  readonly stats: () => HubSpotSandboxStats;
  readonly reset: () => void;
  readonly portalId: number;
}

/**
 * `/__sandbox/*`: lets another process (a CLI-spawned sandbox and a test, say) drive the sandbox.
 * No authentication; the server listens on 127.0.0.1 by default.
 *   GET  /__sandbox/state    store dump          GET    /__sandbox/stats
 *   GET  /__sandbox/faults   current faults      POST   /__sandbox/faults  (replace; JSON body)
 *   DELETE /__sandbox/faults clear faults        POST   /__sandbox/reset   (store, stats, limits, faults)
 */
export function handleControlRequest(parts: ControlParts, method: string, path: string, bodyText: string): HttpReply {
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  switch (route) {
    case 'GET /__sandbox/state':
      return jsonReply(200, dumpState(parts.store, parts.portalId));
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
    case 'POST /__sandbox/reset':
      parts.reset();
      return jsonReply(200, { status: 'reset' });
    default:
      return jsonReply(404, { status: 'error', message: `Unknown sandbox control endpoint: ${route}` });
  }
}

/** Everything in the store, as plain JSON (records include archived ones; properties only custom ones). */
export function dumpState(store: HubSpotStore, portalId: number): Record<string, unknown> {
  return {
    portalId,
    objects: Object.fromEntries(
      OBJECT_TYPES.map((type) => [
        type.path,
        [...store.allRecords(type), ...store.allRecords(type, true)].map((r) => ({
          id: r.id,
          properties: Object.fromEntries(r.properties),
          createdAt: r.createdAt,
          updatedAt: r.updatedAt,
          archived: r.archived,
        })),
      ]),
    ),
    customProperties: Object.fromEntries(OBJECT_TYPES.map((type) => [type.path, store.allProperties(type).filter((p) => !p.hubspotDefined)])),
    lists: store.lists.all().map((l) => ({ ...listJson(l, true), memberIds: [...l.members.keys()] })),
  };
}
