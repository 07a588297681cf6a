import type { Transport } from './destination.js';

/**
 * What a destination can tell the sync engine about changes made in the CRM since cdp last looked:
 * records modified since a time, records deleted (or merged away) since then, and how many live
 * records the object holds. The engine (src/sync/drift/) decides what to do about them; see
 * docs/drift.md.
 */

/** What a drift read is about: one synced object, its match field and the fields cdp writes. */
export interface DriftQuery {
  readonly object: string;
  readonly matchField: string;
  readonly fields: readonly string[];
  /** Records modified at or after this time (the caller adds its own safety overlap). */
  readonly since: Date;
}

/** A live record as the CRM holds it now. Values are the CRM's text of each field; null = blank. */
export interface CrmRecord {
  readonly id: string;
  readonly key: string | null;
  readonly values: Readonly<Record<string, string | null>>;
  /** Ids this record absorbed by merges (HubSpot `hs_merged_object_ids`). */
  readonly mergedIds: readonly string[];
}

/** A record that is gone: deleted, or merged into `mergedInto` (Salesforce `MasterRecordId`). */
export interface GoneRecord {
  readonly id: string;
  readonly mergedInto?: string;
}

export interface DriftRead {
  readonly changed: readonly CrmRecord[];
  readonly gone: readonly GoneRecord[];
  /** Live records of the object in the CRM (a cheap count), to notice wholesale loss (an emptied sandbox, a purge). */
  readonly liveTotal: number;
}

/** Implemented by destinations that can read drift (HubSpot, Salesforce). */
export interface DriftReader {
  read(query: DriftQuery, transport: Transport): Promise<DriftRead>;
  /** Of these ids, the ones that are not live records any more (merged ones resolve to their survivor). */
  missing(object: string, ids: readonly string[], transport: Transport): Promise<{ readonly missing: readonly string[]; readonly survivors: ReadonlyMap<string, string> }>;
}
