import type { Client } from '@hubspot/api-client';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/index.js';
import type { BatchFailure, Transport } from '../destination.js';
import type { CrmRecord, DriftQuery, DriftRead, DriftReader, GoneRecord } from '../drift-reader.js';
import { withTimeout } from '../with-timeout.js';
import { hubspotObject, type HubSpotObject } from './hubspot-object.js';

/** The search API's page size and result cap (docs/drift.md). */
const SEARCH_PAGE = 200;
const SEARCH_CAP = 10_000;
const ARCHIVED_PAGE = 100;
const READ_BATCH = 100;

interface Parts {
  readonly client: Client;
  readonly classify: (error: unknown) => BatchFailure;
  readonly requestTimeoutMs: number;
}

/** Contacts filter on `lastmodifieddate`; every other object on `hs_lastmodifieddate` (contacts silently ignore that one). */
function modifiedProperty(object: HubSpotObject): string {
  return object.path === 'contacts' ? 'lastmodifieddate' : 'hs_lastmodifieddate';
}

/** `hs_merged_object_ids` is `;`-separated (the separator is UNCONFIRMED; commas are accepted too). */
function mergedIds(value: string | null | undefined): string[] {
  return (value ?? '').split(/[;,]/).map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * Drift through HubSpot's own read APIs: a search on the modified date (ascending, 200 per page;
 * past the 10,000-result cap the search restarts from the last date seen), the archived listing,
 * and one `limit: 1` search for the live total. Search is eventually consistent at HubSpot
 * (UNCONFIRMED lag): the engine re-reads an overlap window on every check.
 */
export class HubSpotDriftReader implements DriftReader {
  constructor(private readonly parts: Parts) {}

  /** The three reads are independent: they go out together (the transport still paces them). */
  async read(query: DriftQuery, transport: Transport): Promise<DriftRead> {
    const object = this.object(query.object);
    const [changed, gone, liveTotal] = await Promise.all([
      this.modified(object, query, transport),
      this.archived(object, query.since, transport),
      this.call(transport, (client) => client.crm.objects.searchApi.doSearch(object.path, { filterGroups: [], sorts: [], properties: ['hs_object_id'], limit: 1, after: '0' })).then((r) => r.total),
    ]);
    return { changed, gone, liveTotal };
  }

  private async modified(object: HubSpotObject, query: DriftQuery, transport: Transport): Promise<CrmRecord[]> {
    const properties = [...new Set([query.matchField, ...query.fields, 'hs_merged_object_ids', modifiedProperty(object)])];
    const changed = new Map<string, CrmRecord>();
    let since = query.since.getTime();
    for (let after = 0; ; ) {
      const page = await this.call(transport, (client) =>
        client.crm.objects.searchApi.doSearch(object.path, {
          filterGroups: [{ filters: [{ propertyName: modifiedProperty(object), operator: FilterOperatorEnum.Gte, value: String(since) }] }],
          sorts: [`${modifiedProperty(object)}`],
          properties,
          limit: SEARCH_PAGE,
          after: String(after),
        }),
      );
      for (const r of page.results) {
        const values = Object.fromEntries(query.fields.map((f) => [f, blank(r.properties[f])]));
        changed.set(r.id, { id: r.id, key: blank(r.properties[query.matchField]), values, mergedIds: mergedIds(r.properties.hs_merged_object_ids) });
      }
      const next = page.paging?.next?.after;
      if (next !== undefined && Number(next) + SEARCH_PAGE <= SEARCH_CAP) {
        after = Number(next);
        continue;
      }
      if (page.results.length === 0 || page.total <= after + page.results.length) break;
      // At the 10,000-result cap: restart from the newest modified date seen (records of that instant are read again, harmlessly).
      const last = Date.parse(page.results[page.results.length - 1].properties[modifiedProperty(object)] ?? '');
      if (!Number.isFinite(last) || last <= since) break;
      since = last;
      after = 0;
    }
    return [...changed.values()];
  }

  /** Archived records, archived at or after `since` (the listing has no date filter: it is read whole). */
  private async archived(object: HubSpotObject, since: Date, transport: Transport): Promise<GoneRecord[]> {
    const gone: GoneRecord[] = [];
    for (let after: string | undefined; ; ) {
      const page = await this.call(transport, (client) => client.crm.objects.basicApi.getPage(object.path, ARCHIVED_PAGE, after, ['hs_object_id'], undefined, undefined, true));
      for (const r of page.results) if ((r.archivedAt?.getTime() ?? Number.POSITIVE_INFINITY) >= since.getTime()) gone.push({ id: r.id });
      after = page.paging?.next?.after;
      if (after === undefined) return gone;
    }
  }

  async missing(objectName: string, ids: readonly string[], transport: Transport): Promise<{ readonly missing: readonly string[]; readonly survivors: ReadonlyMap<string, string> }> {
    const object = this.object(objectName);
    const missing: string[] = [];
    const survivors = new Map<string, string>();
    for (let i = 0; i < ids.length; i += READ_BATCH) {
      const chunk = ids.slice(i, i + READ_BATCH);
      const page = await this.call(transport, (client) =>
        client.crm.objects.batchApi.read(object.path, { inputs: chunk.map((id) => ({ id })), properties: ['hs_merged_object_ids'], propertiesWithHistory: [] }, false),
      );
      const found = new Set<string>();
      for (const r of page.results) {
        found.add(r.id);
        // A merged-away id is answered with the survivor under its own id (UNCONFIRMED in detail).
        for (const old of mergedIds(r.properties.hs_merged_object_ids)) if (chunk.includes(old)) survivors.set(old, r.id);
      }
      for (const id of chunk) if (!found.has(id) && !survivors.has(id)) missing.push(id);
    }
    return { missing, survivors };
  }

  private object(name: string): HubSpotObject {
    const object = hubspotObject(name);
    if (!object) throw new Error(`HubSpot object '${name}' is not supported by cdp`);
    return object;
  }

  private call<T>(transport: Transport, request: (client: Client) => Promise<T>): Promise<T> {
    return transport.call(() => withTimeout(request(this.parts.client), this.parts.requestTimeoutMs), this.parts.classify);
  }
}

function blank(value: string | null | undefined): string | null {
  return value === undefined || value === null || value === '' ? null : value;
}
