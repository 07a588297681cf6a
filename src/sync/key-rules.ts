import type { Declared, LoadedProject } from '../config/load-project.js';
import { matchField, type SyncConfig } from '../config/schema.js';
import { destinationFactory } from '../destinations/destinations.js';
import type { KeyRules } from './sync-shape.js';

/**
 * How the sync's destination compares and accepts match keys (DestinationFactory.keyCaseInsensitive and
 * keyPattern). For a destination this cdp cannot sync to yet, emails ignore case and nothing is filtered.
 */
export function keyRules(project: LoadedProject, sync: Declared<SyncConfig>): KeyRules {
  const field = matchField(sync.match);
  const config = project.config.destinations[sync.destination];
  const factory = config ? destinationFactory(config.type) : undefined;
  if (!factory) return { caseInsensitive: /email/i.test(field) };
  const pattern = factory.keyPattern?.(sync.object, field);
  return { caseInsensitive: factory.keyCaseInsensitive(sync.object, field), ...(pattern !== undefined ? { pattern } : {}) };
}
