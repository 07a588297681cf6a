import type { ObjectTypeId } from './hubspot-object-types.js';

export type ProcessingType = 'MANUAL' | 'DYNAMIC' | 'SNAPSHOT';

export interface Membership {
  readonly recordId: string;
  readonly firstAddedAt: string;
  readonly lastAddedAt: string;
}

export interface ListInput {
  readonly name: string;
  readonly objectTypeId: ObjectTypeId;
  readonly processingType: ProcessingType;
  readonly filterBranch?: unknown;
  readonly membershipSettings?: unknown;
  readonly listPermissions?: unknown;
  readonly customProperties?: Readonly<Record<string, string>>;
  readonly listFolderId?: number;
}

export interface StoredList extends ListInput {
  readonly listId: string;
  readonly listVersion: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly filtersUpdatedAt: string;
  readonly deletedAt?: string;
  /** By record id, in the order they were added. */
  readonly members: ReadonlyMap<string, Membership>;
}

interface MutableList extends Omit<ListInput, 'name'> {
  name: string;
  readonly listId: string;
  listVersion: number;
  readonly createdAt: string;
  updatedAt: string;
  filtersUpdatedAt: string;
  deletedAt?: string;
  readonly members: Map<string, Membership>;
  readonly firstAdded: Map<string, string>;
}

export interface MembershipChange {
  readonly changed: readonly string[];
  readonly missing: readonly string[];
}

export const SANDBOX_USER_ID = '1';

/** Lists (docs/crm/hubspot.md#lists) and their memberships; records are looked up through the owning store. */
export class HubSpotListStore {
  private lists = new Map<string, MutableList>();
  private nextListId = 1;

  constructor(
    private readonly isLiveRecord: (objectTypeId: ObjectTypeId, recordId: string) => boolean,
    private readonly timestamp: () => string,
  ) {}

  reset(): void {
    this.lists = new Map();
    this.nextListId = 1;
  }

  /** Forgets a record's memberships (it was archived). */
  dropRecord(objectTypeId: ObjectTypeId, recordId: string): void {
    for (const list of this.lists.values()) if (list.objectTypeId === objectTypeId) list.members.delete(recordId);
  }

  create(input: ListInput): StoredList {
    const now = this.timestamp();
    const list: MutableList = {
      ...input,
      listId: String(this.nextListId++),
      listVersion: 1,
      createdAt: now,
      updatedAt: now,
      filtersUpdatedAt: now,
      members: new Map(),
      firstAdded: new Map(),
    };
    this.lists.set(list.listId, list);
    return list;
  }

  get(listId: string, includeDeleted = false): StoredList | undefined {
    const list = this.lists.get(listId);
    return list && (includeDeleted || list.deletedAt === undefined) ? list : undefined;
  }

  byName(name: string, objectTypeId?: ObjectTypeId): StoredList | undefined {
    return this.all().find((l) => l.name === name && (objectTypeId === undefined || l.objectTypeId === objectTypeId));
  }

  /** Live lists in id order. */
  all(): readonly StoredList[] {
    return [...this.lists.values()].filter((l) => l.deletedAt === undefined);
  }

  rename(target: StoredList, name: string): StoredList {
    const list = this.mutableList(target);
    list.name = name;
    list.updatedAt = this.timestamp();
    return list;
  }

  delete(listId: string): boolean {
    const list = this.lists.get(listId);
    if (!list || list.deletedAt !== undefined) return false;
    list.deletedAt = this.timestamp();
    return true;
  }

  restore(listId: string): boolean {
    const list = this.lists.get(listId);
    if (!list || list.deletedAt === undefined) return false;
    delete list.deletedAt;
    list.updatedAt = this.timestamp();
    return true;
  }

  /** Adds live records of the list's type; existing members are left alone (neither added nor missing). */
  addMembers(target: StoredList, recordIds: readonly string[]): MembershipChange {
    const list = this.mutableList(target);
        const now = this.timestamp();
    const changed: string[] = [];
    const missing: string[] = [];
    for (const id of new Set(recordIds)) {
      if (!this.isLiveRecord(list.objectTypeId, id)) missing.push(id);
      else if (!list.members.has(id)) {
        const firstAddedAt = list.firstAdded.get(id) ?? now;
        list.firstAdded.set(id, firstAddedAt);
        list.members.set(id, { recordId: id, firstAddedAt, lastAddedAt: now });
        changed.push(id);
      }
    }
    if (changed.length > 0) list.updatedAt = now;
    return { changed, missing };
  }

  /** Removes members; live non-members are ignored, unknown records are missing. */
  removeMembers(target: StoredList, recordIds: readonly string[]): MembershipChange {
    const list = this.mutableList(target);
        const changed: string[] = [];
    const missing: string[] = [];
    for (const id of new Set(recordIds)) {
      if (list.members.delete(id)) changed.push(id);
      else if (!this.isLiveRecord(list.objectTypeId, id)) missing.push(id);
    }
    if (changed.length > 0) list.updatedAt = this.timestamp();
    return { changed, missing };
  }

  clearMembers(target: StoredList): void {
    const list = this.mutableList(target);
    if (list.members.size > 0) list.updatedAt = this.timestamp();
    list.members.clear();
  }

  listsOfRecord(objectTypeId: ObjectTypeId, recordId: string): readonly { readonly list: StoredList; readonly membership: Membership }[] {
    return this.all().flatMap((list) => {
      const membership = list.objectTypeId === objectTypeId ? list.members.get(recordId) : undefined;
      return membership ? [{ list, membership }] : [];
    });
  }

  private mutableList(list: StoredList): MutableList {
    const own = this.lists.get(list.listId);
    if (!own) throw new Error(`list ${list.listId} is not in this store`);
    return own;
  }
}
