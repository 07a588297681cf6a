import type { Client } from '@hubspot/api-client';
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/associations/v4/index.js';
import type { SqlType } from '../../dialect/dialect.js';
import type { BatchFailure, BatchOutcome, RecordRef, RecordResult, SyncTarget, Transport, WriteRecord } from '../destination.js';
import type { Scrubber } from '../../diagnostics/secret-scrubber.js';
import { withTimeout } from '../with-timeout.js';
import { mapBatchResults, type BatchResponseParts, type SentInput } from './hubspot-batch-results.js';
import type { HubSpotObject } from './hubspot-object.js';
import { hubspotValue } from './hubspot-values.js';

export interface HubSpotTargetParts {
  readonly client: Client;
  readonly transport: Transport;
  readonly classify: (error: unknown) => BatchFailure;
  readonly scrub: Scrubber;
  readonly object: HubSpotObject;
  readonly matchField: string;
  readonly caseInsensitiveKey: boolean;
  readonly fieldTypes: ReadonlyMap<string, SqlType>;
  /** List id by segment. */
  readonly lists: ReadonlyMap<string, string>;
  readonly requestTimeoutMs: number;
}

/** HubSpot's batch limit for object writes (docs/crm/hubspot.md#batch-writes). */
export const HUBSPOT_BATCH_SIZE = 100;
/** Record ids per list membership call; HubSpot documents no lower cap (UNCONFIRMED), we stay modest. */
export const HUBSPOT_MEMBERSHIP_BATCH_SIZE = 1000;
/** The unlabeled contact -> company association type (docs/crm/hubspot.md#associations). */
export const CONTACT_TO_COMPANY = 279;

/**
 * One sync's object on HubSpot: batch upsert by email or a unique property (never a blind create),
 * batch update, and static-list memberships by record id. Every input carries its own
 * objectWriteTraceId so that HubSpot answers a partial failure with a 207 per record.
 */
export class HubSpotTarget implements SyncTarget {
  readonly batchSize = HUBSPOT_BATCH_SIZE;
  readonly membershipBatchSize = HUBSPOT_MEMBERSHIP_BATCH_SIZE;

  constructor(private readonly parts: HubSpotTargetParts) {}

  async upsert(records: readonly WriteRecord[]): Promise<BatchOutcome> {
    const { client, object, matchField } = this.parts;
    const sent = records.map((r, i): SentInput => ({ traceId: traceId(i), key: r.key }));
    const inputs = records.map((r, i) => {
      const properties = this.properties(r);
      // A record entering with no value yet still needs a property for HubSpot to create it.
      if (Object.keys(properties).length === 0) properties[matchField] = r.key;
      return { idProperty: matchField, id: r.key, properties, objectWriteTraceId: sent[i].traceId };
    });
    return this.associate(records, await this.write(sent, () => client.crm.objects.batchApi.upsert(object.path, { inputs })));
  }

  /** Updates by record id when cdp knows it, else by match key; the two kinds go in separate requests. */
  async update(records: readonly WriteRecord[]): Promise<BatchOutcome> {
    const byId = records.flatMap((r, i) => (r.id !== undefined ? [i] : []));
    if (byId.length === 0 || byId.length === records.length) return this.updateGroup(records);
    const byKey = records.flatMap((r, i) => (r.id === undefined ? [i] : []));
    const results: RecordResult[] = [];
    for (const group of [byId, byKey]) {
      const outcome = await this.updateGroup(group.map((i) => records[i]));
      if (!outcome.ok) return outcome;
      group.forEach((i, n) => (results[i] = outcome.results[n]));
    }
    return { ok: true, results };
  }

  private async updateGroup(records: readonly WriteRecord[]): Promise<BatchOutcome> {
    const { client, object, matchField } = this.parts;
    const sent = records.map((r, i): SentInput => ({ traceId: traceId(i), key: r.key, ...(r.id !== undefined ? { id: r.id } : {}) }));
    const inputs = records.map((r, i) =>
      r.id !== undefined
        ? { id: r.id, properties: this.properties(r), objectWriteTraceId: sent[i].traceId }
        : { id: r.key, idProperty: matchField, properties: this.properties(r), objectWriteTraceId: sent[i].traceId },
    );
    return this.associate(records, await this.write(sent, () => client.crm.objects.batchApi.update(object.path, { inputs })));
  }

  /**
   * The account changes of the records just written (`account: { sync }`, docs/accounts-sync.md): one
   * v4 batch archive of the old contact -> company associations, then one batch create of the new ones.
   * A record counts as written only once its association is; a refused request fails the whole batch
   * (the engine retries it: upserts, archives and creates are all idempotent).
   */
  private async associate(records: readonly WriteRecord[], outcome: BatchOutcome): Promise<BatchOutcome> {
    if (!outcome.ok) return outcome;
    const changes = records.flatMap((r, i) => {
      const result = outcome.results[i];
      return r.account && result?.ok ? [{ i, id: result.id, from: r.account.from, to: r.account.to }] : [];
    });
    if (changes.length === 0) return outcome;
    const { client, transport, classify, requestTimeoutMs, scrub } = this.parts;
    const archive = changes.flatMap((c) => (c.from !== null && c.from !== c.to ? [{ _from: { id: c.id }, to: [{ id: c.from }] }] : []));
    const create = changes.flatMap((c) => (c.to !== null ? [{ _from: { id: c.id }, to: { id: c.to }, types: [{ associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined, associationTypeId: CONTACT_TO_COMPANY }] }] : []));
    const results = [...outcome.results];
    try {
      if (archive.length > 0) await transport.send(() => withTimeout(client.crm.associations.v4.batchApi.archive('contacts', 'companies', { inputs: archive }), requestTimeoutMs));
      if (create.length === 0) return { ok: true, results };
      const created = await transport.send(() => withTimeout(client.crm.associations.v4.batchApi.create('contacts', 'companies', { inputs: create }), requestTimeoutMs));
      const errors = 'errors' in created && Array.isArray(created.errors) ? created.errors : [];
      for (const error of errors) {
        const ids = new Set(Object.values(error.context ?? {}).flat());
        for (const c of changes) {
          if (ids.has(c.id) || (c.to !== null && ids.has(c.to))) {
            results[c.i] = { ok: false, code: error.category ?? 'ASSOCIATION_FAILED', message: scrub(`association with company ${c.to ?? ''} refused: ${error.message}`), retryable: false };
          }
        }
      }
      return { ok: true, results };
    } catch (e) {
      return { ok: false, failure: classify(e) };
    }
  }

  async addMembers(segment: string, records: readonly RecordRef[]): Promise<BatchOutcome> {
    return this.membership(segment, records, (listId, ids) => this.parts.client.crm.lists.membershipsApi.add(listId, ids));
  }

  async removeMembers(segment: string, records: readonly RecordRef[]): Promise<BatchOutcome> {
    return this.membership(segment, records, (listId, ids) => this.parts.client.crm.lists.membershipsApi.remove(listId, ids));
  }

  private properties(record: WriteRecord): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(record.fields)) out[name] = hubspotValue(value, this.parts.fieldTypes.get(name) ?? 'string');
    return out;
  }

  private async write(sent: readonly SentInput[], request: () => Promise<BatchResponseParts>): Promise<BatchOutcome> {
    const { transport, classify, requestTimeoutMs, matchField, caseInsensitiveKey, scrub } = this.parts;
    try {
      const response = await transport.send(() => withTimeout(request(), requestTimeoutMs));
      return { ok: true, results: mapBatchResults(sent, response, { field: matchField, caseInsensitive: caseInsensitiveKey }, scrub) };
    } catch (e) {
      return { ok: false, failure: classify(e) };
    }
  }

  private async membership(
    segment: string,
    records: readonly RecordRef[],
    request: (listId: string, ids: string[]) => Promise<{ readonly recordIdsMissing?: readonly string[] }>,
  ): Promise<BatchOutcome> {
    const { transport, classify, requestTimeoutMs, lists, object } = this.parts;
    const listId = lists.get(segment);
    if (listId === undefined) return { ok: false, failure: { kind: 'stop', code: 'unknown-list', message: `no HubSpot list was prepared for segment '${segment}'` } };
    const ids = [...new Set(records.map((r) => r.id))];
    try {
      const response = await transport.send(() => withTimeout(request(listId, ids), requestTimeoutMs));
      const missing = new Set(response.recordIdsMissing ?? []);
      return {
        ok: true,
        results: records.map((r): RecordResult =>
          missing.has(r.id)
            ? { ok: false, code: 'OBJECT_NOT_FOUND', message: `HubSpot has no ${object.path} record ${r.id}`, retryable: false, notFound: true }
            : { ok: true, id: r.id },
        ),
      };
    } catch (e) {
      const failure = classify(e);
      return { ok: false, failure: failure.code === 'http-404' ? { ...failure, hint: `HubSpot list ${listId} may have been deleted; the next run finds or creates it again` } : failure };
    }
  }
}

function traceId(index: number): string {
  return `cdp-${index}`;
}
