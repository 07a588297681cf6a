import type { ObjectTypeId } from './hubspot-object-types.js';

/** One association type between two object types (GET /crm/v4/associations/{from}/{to}/labels). */
export interface AssociationType {
  readonly category: 'HUBSPOT_DEFINED' | 'USER_DEFINED';
  readonly typeId: number;
  readonly label: string | null;
}

/**
 * HubSpot-defined types between contacts (0-1) and companies (0-2): 279/280 unlabeled, 1/2 "Primary".
 * UNCONFIRMED: 1, 2 and 280 come from memory; 279 from many clients (docs/crm/hubspot.md#associations).
 */
const TYPES: Readonly<Record<string, readonly AssociationType[]>> = {
  '0-1>0-2': [
    { category: 'HUBSPOT_DEFINED', typeId: 279, label: null },
    { category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' },
  ],
  '0-2>0-1': [
    { category: 'HUBSPOT_DEFINED', typeId: 280, label: null },
    { category: 'HUBSPOT_DEFINED', typeId: 2, label: 'Primary' },
  ],
};

/** The type of the other direction: 279 <-> 280, 1 <-> 2. */
const REVERSE: Readonly<Record<number, number>> = { 279: 280, 280: 279, 1: 2, 2: 1 };

export function associationTypes(from: ObjectTypeId, to: ObjectTypeId): readonly AssociationType[] {
  return TYPES[`${from}>${to}`] ?? [];
}

/**
 * Associations between records, stored in both directions (an association is one fact: reading it from
 * either side gives the matching type). Knows nothing of HTTP or of whether the records exist.
 */
export class HubSpotAssociationStore {
  /** `from:fromId>to` -> toId -> type ids. */
  private edges = new Map<string, Map<string, Set<number>>>();

  reset(): void {
    this.edges = new Map();
  }

  /** Adds the types (and their reverse); true when something was new. */
  associate(from: ObjectTypeId, fromId: string, to: ObjectTypeId, toId: string, typeIds: readonly number[]): boolean {
    let added = false;
    for (const typeId of typeIds) {
      added = this.add(from, fromId, to, toId, typeId) || added;
      const reverse = REVERSE[typeId];
      if (reverse !== undefined) this.add(to, toId, from, fromId, reverse);
    }
    return added;
  }

  /** Removes every type between the two records, both directions (batch/archive). */
  archive(from: ObjectTypeId, fromId: string, to: ObjectTypeId, toId: string): void {
    this.edges.get(`${from}:${fromId}>${to}`)?.delete(toId);
    this.edges.get(`${to}:${toId}>${from}`)?.delete(fromId);
  }

  /** The records of type `to` associated with one record, each with its type ids (ordered by id). */
  read(from: ObjectTypeId, fromId: string, to: ObjectTypeId): readonly { readonly toId: string; readonly typeIds: readonly number[] }[] {
    const targets = this.edges.get(`${from}:${fromId}>${to}`) ?? new Map<string, Set<number>>();
    return [...targets.entries()]
      .filter(([, types]) => types.size > 0)
      .map(([toId, types]) => ({ toId, typeIds: [...types].sort((a, b) => a - b) }))
      .sort((a, b) => Number(a.toId) - Number(b.toId));
  }

  /** Forgets every association of a record (archived or merged away). */
  forget(type: ObjectTypeId, id: string): void {
    for (const [key, targets] of this.edges) {
      if (key.startsWith(`${type}:${id}>`)) {
        const to = key.slice(key.indexOf('>') + 1) as ObjectTypeId;
        for (const toId of targets.keys()) this.edges.get(`${to}:${toId}>${type}`)?.delete(id);
        this.edges.delete(key);
      }
    }
  }

  private add(from: ObjectTypeId, fromId: string, to: ObjectTypeId, toId: string, typeId: number): boolean {
    const key = `${from}:${fromId}>${to}`;
    let targets = this.edges.get(key);
    if (!targets) this.edges.set(key, (targets = new Map()));
    let types = targets.get(toId);
    if (!types) targets.set(toId, (types = new Set()));
    if (types.has(typeId)) return false;
    types.add(typeId);
    return true;
  }
}
