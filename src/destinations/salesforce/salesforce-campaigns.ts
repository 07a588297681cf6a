import { error, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { suggestion } from '../../diagnostics/did-you-mean.js';
import type { AudienceSpec, SyncSpec } from '../destination.js';
import type { SalesforceCall } from './salesforce-context.js';
import { saveOutcome } from './salesforce-save-results.js';
import { queryRecords, soqlString, text } from './salesforce-soql.js';

/** A segment's campaign: its id, the member lookup field (ContactId or LeadId), and the status to set. */
export interface PreparedCampaign {
  readonly id: string;
  readonly name: string;
  readonly memberField: 'ContactId' | 'LeadId';
  /** Absent: members get the campaign's default status. */
  readonly status?: string;
}

export interface CampaignContext {
  /** Idempotent calls (queries), retried by the engine's transport. */
  readonly read: SalesforceCall;
  readonly object: string;
}

export interface PreparedCampaigns {
  readonly campaigns: ReadonlyMap<string, PreparedCampaign>;
  readonly diagnostics: readonly Diagnostic[];
  readonly notes: readonly string[];
}

const MEMBER_FIELDS: Readonly<Record<string, 'ContactId' | 'LeadId'>> = { contact: 'ContactId', lead: 'LeadId' };

/**
 * Finds each segment's campaign by Name (the oldest when several share it), creating it on first
 * use, and checks the configured member status against the campaign's CampaignMemberStatus labels
 * (docs/crm/salesforce.md#campaigns). Problems are diagnostics at the segment's line in the connector file. Without
 * `create` (the sync has other problems) nothing is created; existing campaigns are still checked.
 */
export async function prepareCampaigns(ctx: CampaignContext, spec: SyncSpec, options: { readonly create: boolean }): Promise<PreparedCampaigns> {
  const campaigns = new Map<string, PreparedCampaign>();
  const diagnostics: Diagnostic[] = [];
  const notes: string[] = [];
  for (const audience of spec.audiences) {
    const target = audience.target;
    if (!('campaign' in target)) {
      diagnostics.push(error('invalid-target', `Salesforce has no lists; sync segment '${audience.segment}' as { campaign: "..." } or as a checkbox { field: ... }`, audience.at));
      continue;
    }
    const memberField = MEMBER_FIELDS[ctx.object.toLowerCase()];
    if (!memberField) {
      diagnostics.push(error('invalid-target', `campaign members are Contacts or Leads, but sync '${spec.sync}' writes ${ctx.object}`, audience.at, 'sync the segment as a checkbox { field: ... } instead'));
      continue;
    }
    const found = await findCampaign(ctx, target.campaign, options.create, notes);
    if (!found) continue;
    if ('refused' in found) {
      diagnostics.push(error('campaign-unavailable', `Salesforce refused to create campaign '${target.campaign}': ${found.refused}`, audience.at, 'create the campaign in Salesforce, or give the integration user permission to create campaigns (Marketing User)'));
      continue;
    }
    const status = await checkStatus(ctx, audience, found.id, target.status);
    if (!status.ok) {
      diagnostics.push(status.diagnostic);
      continue;
    }
    campaigns.set(audience.segment, { id: found.id, name: target.campaign, memberField, ...(status.label !== undefined ? { status: status.label } : {}) });
  }
  return { campaigns, diagnostics, notes };
}

/**
 * The campaign's id: looked up by Name, created when absent. Lookup and create run as one retried
 * step, so a create whose answer was lost is found by the next attempt's lookup instead of being
 * created twice.
 */
async function findCampaign(ctx: CampaignContext, name: string, create: boolean, notes: string[]): Promise<{ readonly id: string } | { readonly refused: string } | undefined> {
  const soql = `SELECT Id FROM Campaign WHERE Name = ${soqlString(name)} ORDER BY CreatedDate ASC LIMIT 2`;
  return ctx.read(async (conn) => {
    const rows = (await conn.query(soql)).records;
    if (rows.length > 1) notes.push(`several Salesforce campaigns are named '${name}'; using the oldest (${text(rows[0], 'Id') ?? '?'})`);
    const existing = rows.length > 0 ? text(rows[0], 'Id') : undefined;
    if (existing !== undefined || !create) return existing === undefined ? undefined : { id: existing };
    const created = await conn.sobject('Campaign').create({ Name: name, IsActive: true });
    if (!created.success) return { refused: saveOutcome(created).errors.map((e) => `${e.code}: ${e.message}`).join('; ') };
    notes.push(`created Salesforce campaign '${name}' (${created.id})`);
    return { id: created.id };
  });
}

type StatusCheck = { readonly ok: true; readonly label?: string } | { readonly ok: false; readonly diagnostic: Diagnostic };

async function checkStatus(ctx: CampaignContext, audience: AudienceSpec, campaignId: string, wanted: string | undefined): Promise<StatusCheck> {
  if (wanted === undefined) return { ok: true };
  const rows = await queryRecords(ctx.read, `SELECT Label, IsDefault FROM CampaignMemberStatus WHERE CampaignId = ${soqlString(campaignId)} ORDER BY SortOrder ASC`);
  const labels = rows.flatMap((r) => text(r, 'Label') ?? []);
  const label = labels.find((l) => l === wanted) ?? labels.find((l) => l.toLowerCase() === wanted.toLowerCase());
  if (label !== undefined) return { ok: true, label };
  const close = suggestion(wanted, labels);
  return {
    ok: false,
    diagnostic: error(
      'unknown-status',
      `Salesforce campaign '${'campaign' in audience.target ? audience.target.campaign : ''}' has no member status '${wanted}'`,
      audience.at,
      `${close ? `${close} ` : ''}its statuses are ${labels.map((l) => `'${l}'`).join(', ') || 'none'}; add the status to the campaign in Salesforce, or leave status out to use the default`,
    ),
  };
}
