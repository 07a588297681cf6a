import { ModifiedLog } from '../modified-log.js';
import type { FieldValue, SObjectField } from './field-spec.js';
import type { SchemaRegistry, SObjectSchema } from './schema-registry.js';

export interface StoredRecord {
  readonly id: string;
  readonly sobject: string;
  /** In the recycle bin: only `queryAll` sees it. */
  readonly deleted: boolean;
  /** Field values by API name, `Id` and system fields included. */
  readonly values: Readonly<Record<string, FieldValue>>;
}

interface JournalEntry {
  readonly id: string;
  readonly before: StoredRecord | undefined;
}

/** A unit of work that can be undone (allOrNone rollback). */
export interface StoreTransaction {
  commit(): void;
  rollback(): void;
}

/** Index key of a value: text compares case-insensitively unless the field is case-sensitive. */
export function indexKey(field: SObjectField, value: FieldValue): string | undefined {
  if (value === null || value === '') return undefined;
  const s = String(value);
  return field.caseSensitive || field.type === 'id' || field.type === 'reference' ? s : s.toLowerCase();
}

function indexed(field: SObjectField): boolean {
  return field.idLookup || field.externalId || field.unique || field.type === 'reference';
}

/**
 * The org's data, in memory. Records are immutable snapshots replaced on each write, which keeps
 * the undo journal trivial. Lookup fields (external ids, idLookup, unique, references) are indexed.
 */
export class SalesforceStore {
  private readonly records = new Map<string, StoredRecord>();
  private readonly bySObject = new Map<string, Map<string, StoredRecord>>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private journal: JournalEntry[] | undefined;
  private readonly indexedFieldCache = new Map<string, readonly SObjectField[]>();
  /** Per sObject, every written `SystemModstamp` in time order (`modifiedSince`). */
  private readonly modstamps = new Map<string, ModifiedLog>();
  /** Each record's place in `list` order: set when its id enters its sObject's records, as a Map's insertion order. */
  private readonly places = new Map<string, number>();
  private nextPlace = 0;

  constructor(private readonly registry: SchemaRegistry) {}

  get(id: string): StoredRecord | undefined {
    return this.records.get(id);
  }

  /** Records of one sObject in creation order; deleted ones only when asked. */
  list(sobject: string, includeDeleted = false): readonly StoredRecord[] {
    const all = [...(this.bySObject.get(sobject)?.values() ?? [])];
    return includeDeleted ? all : all.filter((r) => !r.deleted);
  }

  /**
   * The records of one sObject (in `list` order; deleted ones only when asked) whose `SystemModstamp` was written at or
   * after `ms`: every record stamped since then, and perhaps some stamped since and again. A query bounded below on
   * `SystemModstamp` starts from these and still tests each (soql-executor.ts). Undefined when a stamp was ever
   * written that is not a time (only a scan is right), or when stamps since then outnumber a quarter of the records
   * (a scan is cheaper).
   */
  modifiedSince(sobject: string, ms: number, includeDeleted = false): readonly StoredRecord[] | undefined {
    const log = this.modstamps.get(sobject);
    if (!log) return [];
    const list = this.bySObject.get(sobject);
    const ids = log.since(ms, (list?.size ?? 0) / 4);
    if (!ids) return undefined;
    return [...ids]
      .flatMap((id) => list?.get(id) ?? [])
      .filter((r) => includeDeleted || !r.deleted)
      .sort((a, b) => (this.places.get(a.id) ?? 0) - (this.places.get(b.id) ?? 0));
  }

  count(sobject: string): number {
    return this.list(sobject).length;
  }

  /** Live records whose `field` equals `value` (index semantics: text case-insensitive). */
  findBy(schema: SObjectSchema, field: SObjectField, value: FieldValue): readonly StoredRecord[] {
    const key = indexKey(field, value);
    if (key === undefined) return [];
    if (field.type === 'id') {
      const r = this.records.get(String(value));
      return r && !r.deleted && r.sobject === schema.name ? [r] : [];
    }
    if (indexed(field)) {
      const ids = this.indexes.get(`${schema.name}.${field.name}`)?.get(key) ?? new Set<string>();
      return [...ids].map((id) => this.records.get(id)).filter((r): r is StoredRecord => r !== undefined);
    }
    return this.list(schema.name).filter((r) => indexKey(field, r.values[field.name] ?? null) === key);
  }

  /** Inserts or replaces a record (journalled inside a transaction). */
  put(record: StoredRecord): void {
    const before = this.records.get(record.id);
    this.journal?.push({ id: record.id, before });
    this.write(record.id, before, record);
  }

  begin(): StoreTransaction {
    if (this.journal) throw new Error('nested Salesforce store transaction');
    const journal: JournalEntry[] = [];
    this.journal = journal;
    return {
      commit: () => {
        this.journal = undefined;
      },
      rollback: () => {
        this.journal = undefined;
        for (let i = journal.length - 1; i >= 0; i--) {
          const { id, before } = journal[i];
          this.write(id, this.records.get(id), before);
        }
      },
    };
  }

  clear(): void {
    this.records.clear();
    this.bySObject.clear();
    this.indexes.clear();
    this.modstamps.clear();
    this.places.clear();
    this.journal = undefined;
  }

  /** Plain JSON of every record, for `GET /__sandbox/state`. */
  dump(): Record<string, readonly Record<string, FieldValue>[]> {
    return Object.fromEntries([...this.bySObject].map(([name, recs]) => [name, [...recs.values()].map((r) => ({ ...r.values }))]));
  }

  private write(id: string, current: StoredRecord | undefined, next: StoredRecord | undefined): void {
    if (current) this.unindex(current);
    if (next) {
      this.records.set(id, next);
      let list = this.bySObject.get(next.sobject);
      if (!list) {
        list = new Map();
        this.bySObject.set(next.sobject, list);
      }
      if (!list.has(id)) this.places.set(id, this.nextPlace++);
      list.set(id, next);
      this.reindex(next);
      this.logModstamp(next, list);
    } else if (current) {
      this.records.delete(id);
      this.bySObject.get(current.sobject)?.delete(id);
      this.places.delete(id);
    }
  }

  /** Logs a written `SystemModstamp` (`modifiedSince`). */
  private logModstamp(record: StoredRecord, list: ReadonlyMap<string, StoredRecord>): void {
    let log = this.modstamps.get(record.sobject);
    if (!log) {
      log = new ModifiedLog();
      this.modstamps.set(record.sobject, log);
    }
    const stamp = (r: StoredRecord) => (r.values.SystemModstamp === null || r.values.SystemModstamp === undefined ? undefined : String(r.values.SystemModstamp));
    log.add(record.id, stamp(record), list.size, () => [...list.values()].map((r) => [r.id, stamp(r)] as const));
  }

  private reindex(record: StoredRecord): void {
    if (record.deleted) return;
    for (const field of this.indexedFields(record.sobject)) {
      const key = indexKey(field, record.values[field.name] ?? null);
      if (key === undefined) continue;
      const name = `${record.sobject}.${field.name}`;
      let index = this.indexes.get(name);
      if (!index) {
        index = new Map();
        this.indexes.set(name, index);
      }
      let ids = index.get(key);
      if (!ids) {
        ids = new Set();
        index.set(key, ids);
      }
      ids.add(record.id);
    }
  }

  private unindex(record: StoredRecord): void {
    for (const field of this.indexedFields(record.sobject)) {
      const key = indexKey(field, record.values[field.name] ?? null);
      if (key === undefined) continue;
      const ids = this.indexes.get(`${record.sobject}.${field.name}`)?.get(key);
      ids?.delete(record.id);
    }
  }

  private indexedFields(sobject: string): readonly SObjectField[] {
    let fields = this.indexedFieldCache.get(sobject);
    if (!fields) {
      fields = (this.registry.get(sobject)?.fields ?? []).filter((f) => indexed(f) && f.type !== 'id');
      this.indexedFieldCache.set(sobject, fields);
    }
    return fields;
  }
}
