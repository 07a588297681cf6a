import type { BatchOutcome, RecordRef, SyncTarget, WriteRecord } from '../destination.js';
import { runBulkJob } from './salesforce-bulk.js';
import type { PreparedCampaign } from './salesforce-campaigns.js';
import { COLLECTION_LIMIT, mergeResults, resolveIds, updateCollection, upsertCollection, type IdentifiedRecord } from './salesforce-collections.js';
import type { TargetContext } from './salesforce-context.js';
import { addCampaignMembers, MEMBERSHIP_BATCH_SIZE, removeCampaignMembers } from './salesforce-members.js';
import { csvCells, fieldsBody, upsertBody } from './salesforce-records.js';
import { RECORD_GONE } from './salesforce-save-results.js';

/** Records per Bulk API 2.0 job: ~10 calls per job, so a job this size costs about 0.001 calls per record. */
export const BULK_JOB_RECORDS = 10_000;

export interface SalesforceTargetParts {
  readonly context: TargetContext;
  /** Whether this run's diff is large enough for Bulk API 2.0 (more pending writes than `bulkThreshold`). */
  readonly bulk: boolean;
  readonly campaigns: ReadonlyMap<string, PreparedCampaign>;
}

/**
 * One sync's object on Salesforce. Small diffs: batches of 200 through sObject Collections (upsert
 * by external id or Email; update by id). Diffs above `bulkThreshold`: batches of up to 10,000 as
 * Bulk API 2.0 ingest jobs (campaign members too); a batch of 200 or fewer (the tail, or records
 * the engine retries) still goes through Collections, which costs one call instead of a job's ten.
 * Both paths answer per record, in input order, so state, sync_log and retries work the same.
 */
export class SalesforceTarget implements SyncTarget {
  readonly batchSize: number;
  readonly membershipBatchSize: number;

  constructor(private readonly parts: SalesforceTargetParts) {
    this.batchSize = parts.bulk ? BULK_JOB_RECORDS : COLLECTION_LIMIT;
    this.membershipBatchSize = parts.bulk ? BULK_JOB_RECORDS : MEMBERSHIP_BATCH_SIZE;
  }

  async upsert(records: readonly WriteRecord[]): Promise<BatchOutcome> {
    const ctx = this.parts.context;
    if (records.length <= COLLECTION_LIMIT) return upsertCollection(ctx, records);
    const { plan } = ctx;
    return runBulkJob(ctx, {
      object: plan.object,
      operation: 'upsert',
      externalIdFieldName: plan.key.name,
      matchColumn: plan.key.name,
      matchBy: 'key',
      rows: records.map((r) => ({ match: r.key, cells: csvCells(upsertBody(plan, r, 'csv')) })),
    });
  }

  async update(records: readonly WriteRecord[]): Promise<BatchOutcome> {
    const ctx = this.parts.context;
    const resolution = await resolveIds(ctx, records);
    if (!resolution.ok) return resolution.outcome;
    const { identified, unresolved } = resolution;
    if (identified.length === 0) return { ok: true, results: mergeResults(records.length, [], [], unresolved) };
    const written = await this.updateIdentified(identified);
    if (!written.ok) return written;
    return { ok: true, results: mergeResults(records.length, identified, written.results, unresolved) };
  }

  async addMembers(segment: string, records: readonly RecordRef[]): Promise<BatchOutcome> {
    const campaign = this.campaign(segment);
    return campaign.ok ? addCampaignMembers(this.parts.context, campaign.campaign, records) : campaign.outcome;
  }

  async removeMembers(segment: string, records: readonly RecordRef[]): Promise<BatchOutcome> {
    const campaign = this.campaign(segment);
    return campaign.ok ? removeCampaignMembers(this.parts.context, campaign.campaign, records) : campaign.outcome;
  }

  private async updateIdentified(identified: readonly IdentifiedRecord[]): Promise<BatchOutcome> {
    const ctx = this.parts.context;
    if (identified.length <= COLLECTION_LIMIT) return updateCollection(ctx, identified);
    return runBulkJob(ctx, {
      object: ctx.plan.object,
      operation: 'update',
      matchColumn: 'Id',
      matchBy: 'id',
      notFoundCodes: RECORD_GONE,
      rows: identified.map((r) => ({ match: r.id, cells: { Id: r.id, ...csvCells(fieldsBody(ctx.plan, r.record, 'csv')) } })),
    });
  }

  private campaign(segment: string): { readonly ok: true; readonly campaign: PreparedCampaign } | { readonly ok: false; readonly outcome: BatchOutcome } {
    const campaign = this.parts.campaigns.get(segment);
    if (campaign) return { ok: true, campaign };
    return { ok: false, outcome: { ok: false, failure: { kind: 'stop', code: 'unknown-campaign', message: `no Salesforce campaign was prepared for segment '${segment}'` } } };
  }
}
