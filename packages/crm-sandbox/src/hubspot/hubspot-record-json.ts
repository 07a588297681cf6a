import type { HubSpotStore, StoredRecord } from './hubspot-store.js';

export interface ReadShape {
  /** Requested properties; empty means the type's default set. Unknown names are left out silently. */
  readonly properties: readonly string[];
  readonly propertiesWithHistory?: readonly string[];
}

/** A record as reads and search return it: requested properties, `null` where unset. */
export function recordReadJson(store: HubSpotStore, record: StoredRecord, shape: ReadShape): Record<string, unknown> {
  const names = shape.properties.length > 0 ? shape.properties : record.type.defaultProperties;
  const properties: Record<string, string | null> = {};
  for (const name of names) {
    if (store.property(record.type, name)) properties[name] = record.properties.get(name) ?? null;
  }
  const withHistory = shape.propertiesWithHistory ?? [];
  const history: Record<string, unknown[]> = {};
  for (const name of withHistory) {
    if (!store.property(record.type, name)) continue;
    history[name] = [...(record.history.get(name) ?? [])].reverse().map((h) => ({ value: h.value, timestamp: h.timestamp, sourceType: h.sourceType }));
  }
  return envelope(record, properties, withHistory.length > 0 ? history : undefined);
}

/**
 * A record as writes echo it: the written values (`""` for a cleared one) plus createdate, the
 * modified date and hs_object_id (docs/crm/hubspot.md#batch-writes).
 */
export function recordWriteJson(record: StoredRecord, written: ReadonlyMap<string, string>, extra: { readonly objectWriteTraceId?: string; readonly isNew?: boolean } = {}): Record<string, unknown> {
  const properties: Record<string, string | null> = {};
  for (const [name, value] of written) properties[name] = value === '' ? '' : record.properties.get(name) ?? value;
  for (const name of ['createdate', record.type.modifiedProperty, 'hs_object_id']) properties[name] = record.properties.get(name) ?? null;
  return {
    ...envelope(record, properties, undefined),
    ...(extra.objectWriteTraceId !== undefined ? { objectWriteTraceId: extra.objectWriteTraceId } : {}),
    ...(extra.isNew !== undefined ? { new: extra.isNew } : {}),
  };
}

function envelope(record: StoredRecord, properties: Record<string, string | null>, history: Record<string, unknown[]> | undefined): Record<string, unknown> {
  return {
    id: record.id,
    properties,
    ...(history ? { propertiesWithHistory: history } : {}),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: record.archived,
    ...(record.archivedAt !== undefined ? { archivedAt: record.archivedAt } : {}),
  };
}
