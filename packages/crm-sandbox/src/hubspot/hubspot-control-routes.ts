import type { SandboxControl } from '../http/control-routes.js';
import type { FaultInjector } from '../http/fault-injector.js';
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

/** The HubSpot sandbox's `/__sandbox/*` (http/control-routes.ts): the shared routes only, over its store. */
export function hubSpotControl(parts: ControlParts): SandboxControl {
  return { state: () => dumpState(parts.store, parts.portalId), stats: parts.stats, faults: parts.faults, reset: parts.reset };
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
