import { ModifiedLog } from '../modified-log.js';
import { HubSpotAssociationStore } from './hubspot-association-store.js';
import { defaultProperties, defaultPropertyGroups } from './hubspot-default-properties.js';
import { HubSpotListStore } from './hubspot-list-store.js';
import { OBJECT_TYPES, objectTypeById, type HubSpotObjectType, type ObjectTypeId } from './hubspot-object-types.js';
import type { PropertyDefinition, PropertyGroup } from './hubspot-property-definition.js';

export interface HistoryEntry {
  readonly value: string;
  readonly timestamp: string;
  readonly sourceType: string;
}

/** A CRM record. All property values are strings; an unset property is absent. */
export interface StoredRecord {
  readonly id: string;
  readonly type: HubSpotObjectType;
  readonly properties: ReadonlyMap<string, string>;
  /** Newest last. */
  readonly history: ReadonlyMap<string, readonly HistoryEntry[]>;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly archived: boolean;
  readonly archivedAt?: string;
}

interface MutableRecord {
  readonly id: string;
  readonly type: HubSpotObjectType;
  readonly properties: Map<string, string>;
  readonly history: Map<string, HistoryEntry[]>;
  readonly createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

/**
 * The sandbox portal's state: records, property definitions and groups, (in `lists`) lists and (in
 * `associations`) v4 associations.
 * Knows nothing of HTTP; validation lives in the routes. Email and unique-property lookups are indexed.
 */
export class HubSpotStore {
  private records = new Map<ObjectTypeId, Map<string, MutableRecord>>();
  /** Per type, every write of the modified date, in time order (`modifiedSince`). */
  private modifiedLogs = new Map<ObjectTypeId, ModifiedLog>();
  private properties = new Map<ObjectTypeId, Map<string, PropertyDefinition>>();
  private groups = new Map<ObjectTypeId, Map<string, PropertyGroup>>();
  /** Lists and memberships. */
  readonly lists: HubSpotListStore = new HubSpotListStore((typeId, id) => this.recordsOf(objectTypeById(typeId)).get(id)?.archived === false, () => this.timestamp());
  /** Associations between records (v4 API). */
  readonly associations = new HubSpotAssociationStore();
  private uniqueIndexes = new Map<string, Map<string, string>>();
  /** Merged-away record id -> the record that absorbed it (per object type). */
  private aliases = new Map<string, string>();
  private nextRecordId = 101;
  private lastTimestamp = 0;

  constructor() {
    this.reset();
  }

  reset(): void {
    const created = new Date(Date.UTC(2024, 0, 1)).toISOString();
    this.records = new Map(OBJECT_TYPES.map((t) => [t.id, new Map()]));
    this.modifiedLogs = new Map(OBJECT_TYPES.map((t) => [t.id, new ModifiedLog()]));
    this.properties = new Map(OBJECT_TYPES.map((t) => [t.id, new Map(defaultProperties(t, created).map((p) => [p.name, p]))]));
    this.groups = new Map(OBJECT_TYPES.map((t) => [t.id, new Map(defaultPropertyGroups(t).map((g) => [g.name, g]))]));
    this.lists.reset();
    this.associations.reset();
    this.uniqueIndexes = new Map();
    this.aliases = new Map();
    this.nextRecordId = 101;
  }

  /** A strictly increasing ISO timestamp, so every write moves `updatedAt`. */
  timestamp(): string {
    this.lastTimestamp = Math.max(Date.now(), this.lastTimestamp + 1);
    return new Date(this.lastTimestamp).toISOString();
  }

  // ---- records -------------------------------------------------------------------------------

  /**
   * A record's next modified time: the wall clock, but always after the record's previous one. Per
   * record, not store-wide, so that a burst of writes does not push the portal's clock ahead of real
   * time (which would make modified-since searches read them again).
   */
  private recordTimestamp(previous?: string): string {
    const ms = Math.max(Date.now(), previous === undefined ? 0 : Date.parse(previous) + 1);
    return new Date(ms).toISOString();
  }

  /** Creates a record without validation. `""` values are ignored; createdate may be given. */
  createRecord(type: HubSpotObjectType, values: ReadonlyMap<string, string> | Readonly<Record<string, string>>): StoredRecord {
    const now = this.recordTimestamp();
    const id = String(this.nextRecordId++);
    const record: MutableRecord = {
      id,
      type,
      properties: new Map(),
      history: new Map(),
      createdAt: now,
      updatedAt: now,
      archived: false,
    };
    const entries = values instanceof Map ? [...values.entries()] : Object.entries(values);
    const createdate = entries.find(([k]) => k === 'createdate')?.[1];
    this.setValue(record, 'createdate', createdate || now, now);
    for (const [name, value] of entries) if (name !== 'createdate' && value !== '') this.setValue(record, name, value, now);
    this.setValue(record, type.modifiedProperty, now, now);
    this.setValue(record, 'hs_object_id', id, now);
    this.recordsOf(type).set(id, record);
    return record;
  }

  /** Applies values; `""` clears a property. Always moves the modified date. */
  updateRecord(target: StoredRecord, values: ReadonlyMap<string, string>): StoredRecord {
    const record = this.mutable(target);
    const now = this.recordTimestamp(record.updatedAt);
    for (const [name, value] of values) this.setValue(record, name, value, now);
    this.setValue(record, record.type.modifiedProperty, now, now);
    record.updatedAt = now;
    return record;
  }

  /** A merged-away id answers with the record that absorbed it, under that record's id (spec: merges). */
  getRecord(type: HubSpotObjectType, id: string, archived = false): StoredRecord | undefined {
    const record = this.recordsOf(type).get(this.aliases.get(`${type.id}:${id}`) ?? id);
    return record && record.archived === archived ? record : undefined;
  }

  /**
   * Merges `mergeId` into `primaryId` as HubSpot does today: a NEW record with a new id holds the
   * primary's values (blanks filled from the other), `hs_merged_object_ids` lists both old ids (and what
   * they had absorbed), the other's email becomes an additional email that still matches upserts by
   * email (UNCONFIRMED), both old ids resolve to the new record, and list memberships are the union
   * (UNCONFIRMED). The old records disappear without being archived.
   */
  mergeRecords(type: HubSpotObjectType, primaryId: string, mergeId: string): StoredRecord | undefined {
    const primary = this.getRecord(type, primaryId);
    const other = this.getRecord(type, mergeId);
    if (!primary || !other || primary.id === other.id) return undefined;
    const values = new Map(other.properties);
    for (const [k, v] of primary.properties) values.set(k, v);
    const absorbed = [primary, other].flatMap((r) => [r.id, ...(r.properties.get('hs_merged_object_ids') ?? '').split(';').filter((s) => s !== '')]);
    const otherEmail = other.properties.get('email');
    const extra = [primary.properties.get('hs_additional_emails'), other.properties.get('hs_additional_emails'), otherEmail !== primary.properties.get('email') ? otherEmail : undefined];
    values.set('hs_additional_emails', extra.filter((e): e is string => e !== undefined && e !== '').join(';'));
    values.set('hs_merged_object_ids', absorbed.join(';'));
    for (const name of ['hs_object_id', 'createdate', type.modifiedProperty]) values.delete(name);
    const memberships = [primary, other].flatMap((r) => this.lists.listsOfRecord(type.id, r.id).map((m) => m.list));
    for (const old of [primary, other]) {
      for (const [name, value] of old.properties) {
        const index = this.uniqueIndexes.get(`${type.id}:${name}`);
        if (index?.get(normalizeKey(name, value)) === old.id) index.delete(normalizeKey(name, value));
      }
      this.lists.dropRecord(type.id, old.id);
      this.recordsOf(type).delete(old.id);
    }
    const merged = this.createRecord(type, values);
    for (const old of absorbed) this.aliases.set(`${type.id}:${old}`, merged.id);
    for (const [key, target] of this.aliases) if (absorbed.includes(target) && key.startsWith(`${type.id}:`)) this.aliases.set(key, merged.id);
    if (otherEmail !== undefined) this.uniqueIndex(type, 'email').set(normalizeKey('email', otherEmail), merged.id);
    for (const list of memberships) this.lists.addMembers(list, [merged.id]);
    return merged;
  }

  /** The live record whose `property` equals `value` (emails compare case-insensitively). */
  findByProperty(type: HubSpotObjectType, property: string, value: string): StoredRecord | undefined {
    const id = this.uniqueIndex(type, property).get(normalizeKey(property, value));
    return id === undefined ? undefined : this.getRecord(type, id);
  }

  /** Archives a live record and drops its list memberships. Unknown ids are ignored. */
  archiveRecord(type: HubSpotObjectType, id: string): boolean {
    const record = this.recordsOf(type).get(id);
    if (!record || record.archived) return false;
    const now = this.recordTimestamp(record.updatedAt);
    record.archived = true;
    record.archivedAt = now;
    record.updatedAt = now;
    for (const [name, value] of record.properties) {
      const index = this.uniqueIndexes.get(`${type.id}:${name}`);
      if (index?.get(normalizeKey(name, value)) === id) index.delete(normalizeKey(name, value));
    }
    this.lists.dropRecord(type.id, id);
    this.associations.forget(type.id, id);
    return true;
  }

  /** Records in id order. */
  allRecords(type: HubSpotObjectType, archived = false): readonly StoredRecord[] {
    return [...this.recordsOf(type).values()].filter((r) => r.archived === archived);
  }

  /**
   * The records (live or archived, in id order) whose modified date was written at or after `ms`: every record
   * modified since then, and perhaps some modified since and again later. A search filtering on the modified date
   * starts from these instead of every record, and still tests each (hubspot-routes-search.ts). Undefined when a
   * modified date was ever written that is not a time (only a scan is right), or when writes since then outnumber a
   * quarter of the records (a scan is cheaper).
   */
  modifiedSince(type: HubSpotObjectType, ms: number): readonly StoredRecord[] | undefined {
    const records = this.recordsOf(type);
    const ids = this.modifiedLog(type).since(ms, records.size / 4);
    if (!ids) return undefined;
    return [...ids].flatMap((id) => records.get(id) ?? []).sort((a, b) => Number(a.id) - Number(b.id));
  }

  // ---- properties & groups -------------------------------------------------------------------

  property(type: HubSpotObjectType, name: string): PropertyDefinition | undefined {
    return this.propertiesOf(type).get(name);
  }

  /** Live (or archived) properties. */
  allProperties(type: HubSpotObjectType, archived = false): readonly PropertyDefinition[] {
    return [...this.propertiesOf(type).values()].filter((p) => p.archived === archived);
  }

  putProperty(type: HubSpotObjectType, definition: PropertyDefinition): void {
    this.propertiesOf(type).set(definition.name, definition);
    this.uniqueIndexes.delete(`${type.id}:${definition.name}`);
  }

  group(type: HubSpotObjectType, name: string): PropertyGroup | undefined {
    return this.groupsOf(type).get(name);
  }

  allGroups(type: HubSpotObjectType, archived = false): readonly PropertyGroup[] {
    return [...this.groupsOf(type).values()].filter((g) => g.archived === archived);
  }

  putGroup(type: HubSpotObjectType, group: PropertyGroup): void {
    this.groupsOf(type).set(group.name, group);
  }

  // ---- internals -----------------------------------------------------------------------------

  private setValue(record: MutableRecord, name: string, value: string, now: string): void {
    const before = record.properties.get(name);
    if (value === '') record.properties.delete(name);
    else record.properties.set(name, value);
    const history = record.history.get(name) ?? [];
    history.push({ value, timestamp: now, sourceType: 'API' });
    record.history.set(name, history);
    const index = this.uniqueIndexes.get(`${record.type.id}:${name}`);
    if (index) {
      if (before !== undefined && index.get(normalizeKey(name, before)) === record.id) index.delete(normalizeKey(name, before));
      if (value !== '' && !record.archived) index.set(normalizeKey(name, value), record.id);
    }
    if (name === record.type.modifiedProperty) this.logModified(record, value);
  }

  private uniqueIndex(type: HubSpotObjectType, property: string): Map<string, string> {
    const key = `${type.id}:${property}`;
    let index = this.uniqueIndexes.get(key);
    if (!index) {
      index = new Map();
      for (const record of this.recordsOf(type).values()) {
        const value = record.properties.get(property);
        if (!record.archived && value !== undefined && !index.has(normalizeKey(property, value))) index.set(normalizeKey(property, value), record.id);
        // Additional emails (from merges) still find their record (UNCONFIRMED at HubSpot).
        if (property === 'email' && !record.archived) {
          for (const extra of (record.properties.get('hs_additional_emails') ?? '').split(';')) if (extra !== '' && !index.has(normalizeKey(property, extra))) index.set(normalizeKey(property, extra), record.id);
        }
      }
      this.uniqueIndexes.set(key, index);
    }
    return index;
  }

  private mutable(record: StoredRecord): MutableRecord {
    const own = this.recordsOf(record.type).get(record.id);
    if (!own) throw new Error(`record ${record.id} is not in this store`);
    return own;
  }

  /** Logs a write of the modified date (`modifiedSince`); a record being created is not in the map yet. */
  private logModified(record: MutableRecord, value: string): void {
    const records = this.recordsOf(record.type);
    const all = () => [...records.values(), ...(records.has(record.id) ? [] : [record])].map((r) => [r.id, r.properties.get(r.type.modifiedProperty)] as const);
    this.modifiedLog(record.type).add(record.id, value, records.size, all);
  }

  private modifiedLog(type: HubSpotObjectType): ModifiedLog {
    const log = this.modifiedLogs.get(type.id);
    if (!log) throw new Error(`unknown object type ${type.id}`);
    return log;
  }

  private recordsOf(type: HubSpotObjectType): Map<string, MutableRecord> {
    return this.records.get(type.id) ?? new Map();
  }

  private propertiesOf(type: HubSpotObjectType): Map<string, PropertyDefinition> {
    return this.properties.get(type.id) ?? new Map();
  }

  private groupsOf(type: HubSpotObjectType): Map<string, PropertyGroup> {
    return this.groups.get(type.id) ?? new Map();
  }
}

function normalizeKey(property: string, value: string): string {
  return property === 'email' ? value.toLowerCase() : value;
}
