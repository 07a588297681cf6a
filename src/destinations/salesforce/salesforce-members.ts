import type { BatchOutcome, RecordRef, RecordResult } from '../destination.js';
import { runBulkJob } from './salesforce-bulk.js';
import type { PreparedCampaign } from './salesforce-campaigns.js';
import { COLLECTION_LIMIT } from './salesforce-collections.js';
import type { TargetContext } from './salesforce-context.js';
import { resultsInOrder } from './salesforce-save-results.js';
import { inLists, queryRecords, soqlString, text } from './salesforce-soql.js';

/** Campaign member creates and deletes go through sObject Collections: 200 per call (docs/crm/salesforce.md#sobject-collections, #campaigns). */
export const MEMBERSHIP_BATCH_SIZE = COLLECTION_LIMIT;

/** The contact, lead or membership is gone: for an add the engine drops cdp's state (the next run recreates it). */
const MEMBER_GONE: ReadonlySet<string> = new Set(['ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY']);

/** An existing membership is what cdp wants (docs/crm/salesforce.md#campaigns: DUPLICATE_VALUE "Already a campaign member."). */
function added(ref: RecordRef, result: RecordResult): RecordResult {
  if (result.ok || (result.code === 'DUPLICATE_VALUE' && /already a campaign member/i.test(result.message))) return { ok: true, id: ref.id };
  return result;
}

/**
 * Adds records to a campaign: `CampaignMember` creates with `CampaignId`, `ContactId|LeadId` and
 * the configured `Status` (docs/crm/salesforce.md#campaigns), through Collections, or a Bulk API 2.0 insert job for more
 * than 200. "Already a campaign member." counts as success.
 */
export async function addCampaignMembers(ctx: TargetContext, campaign: PreparedCampaign, records: readonly RecordRef[]): Promise<BatchOutcome> {
  const bodies = records.map((r) => ({ CampaignId: campaign.id, [campaign.memberField]: r.id, ...(campaign.status !== undefined ? { Status: campaign.status } : {}) }));
  if (records.length > COLLECTION_LIMIT) {
    const outcome = await runBulkJob(ctx, {
      object: 'CampaignMember',
      operation: 'insert',
      matchColumn: campaign.memberField,
      matchBy: 'id',
      notFoundCodes: MEMBER_GONE,
      rows: records.map((r, i) => ({ match: r.id, cells: bodies[i] })),
    });
    return outcome.ok ? { ok: true, results: outcome.results.map((result, i) => added(records[i], result)) } : outcome;
  }
  try {
    const raw: unknown = await ctx.send((conn) => conn.sobject('CampaignMember').create(bodies, { allOrNone: false }));
    return { ok: true, results: resultsInOrder(raw, records.length, ctx.scrub, MEMBER_GONE).map((result, i) => added(records[i], result)) };
  } catch (e) {
    return { ok: false, failure: ctx.classify(e) };
  }
}

/**
 * Removes records from a campaign: their CampaignMember ids by SOQL
 * (`WHERE CampaignId = … AND ContactId IN (…)`), then one delete: Collections, or a Bulk API 2.0
 * delete job for more than 200 (docs/crm/salesforce.md#campaigns). Not being a member, or a membership already deleted, is fine.
 */
export async function removeCampaignMembers(ctx: TargetContext, campaign: PreparedCampaign, records: readonly RecordRef[]): Promise<BatchOutcome> {
  const field = campaign.memberField;
  const refByShortId = new Map(records.map((r) => [r.id.slice(0, 15), r]));
  const memberIds = new Map<string, string[]>();
  try {
    for (const list of inLists([...new Set(records.map((r) => r.id))])) {
      const soql = `SELECT Id, ${field} FROM CampaignMember WHERE CampaignId = ${soqlString(campaign.id)} AND ${field} IN (${list.map(soqlString).join(', ')})`;
      for (const row of await queryRecords(ctx.send, soql)) {
        const member = text(row, 'Id');
        const ref = refByShortId.get((text(row, field) ?? '').slice(0, 15));
        if (member !== undefined && ref) memberIds.set(ref.id, [...(memberIds.get(ref.id) ?? []), member]);
      }
    }
  } catch (e) {
    return { ok: false, failure: ctx.classify(e) };
  }
  const ids = [...memberIds.values()].flat();
  const deleted = await deleteMembers(ctx, ids);
  if (!deleted.ok) return deleted;
  const byMember = new Map(ids.map((id, i) => [id, deleted.results[i]]));
  return {
    ok: true,
    results: records.map((r): RecordResult => {
      const failure = (memberIds.get(r.id) ?? []).map((id) => byMember.get(id)).find((res) => res !== undefined && !res.ok && !res.notFound);
      return failure ?? { ok: true, id: r.id };
    }),
  };
}

async function deleteMembers(ctx: TargetContext, ids: readonly string[]): Promise<BatchOutcome> {
  if (ids.length === 0) return { ok: true, results: [] };
  if (ids.length > COLLECTION_LIMIT) {
    return runBulkJob(ctx, { object: 'CampaignMember', operation: 'delete', matchColumn: 'Id', matchBy: 'id', notFoundCodes: MEMBER_GONE, rows: ids.map((id) => ({ match: id, cells: { Id: id } })) });
  }
  try {
    const raw: unknown = await ctx.send((conn) => conn.sobject('CampaignMember').destroy([...ids], { allOrNone: false }));
    return { ok: true, results: resultsInOrder(raw, ids.length, ctx.scrub, MEMBER_GONE) };
  } catch (e) {
    return { ok: false, failure: ctx.classify(e) };
  }
}
