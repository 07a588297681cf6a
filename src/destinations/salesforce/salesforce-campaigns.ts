import { error, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { suggestion } from '../../diagnostics/did-you-mean.js';
import type { AudienceSpec, SyncSpec } from '../destination.js';
import type { SalesforceCall } from './salesforce-context.js';
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
  /** A call sent once (creating a campaign must not be repeated blindly). */
  readonly send: SalesforceCall;
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
 * (spec B9). Problems are diagnostics at the segment's line in the connector file. Without
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
    if (!found && !options.create) continue;
    if (!found) {
      diagnostics.push(error('campaign-unavailable', `Salesforce campaign '${target.campaign}' could neither be found nor created`, audience.at));
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

async function findCampaign(ctx: CampaignContext, name: string, create: boolean, notes: string[]): Promise<{ readonly id: string } | undefined> {
  const lookup = async (): Promise<string | undefined> => {
    const rows = await queryRecords(ctx.read, `SELECT Id FROM Campaign WHERE Name = ${soqlString(name)} ORDER BY CreatedDate ASC LIMIT 2`);
    if (rows.length > 1) notes.push(`several Salesforce campaigns are named '${name}'; using the oldest (${text(rows[0], 'Id') ?? '?'})`);
    return rows.length > 0 ? text(rows[0], 'Id') : undefined;
  };
  const existing = await lookup();
  if (existing !== undefined || !create) return existing === undefined ? undefined : { id: existing };
  try {
    const created: unknown = await ctx.send((conn) => conn.sobject('Campaign').create({ Name: name, IsActive: true }));
    const id = typeof created === 'object' && created !== null && 'id' in created && typeof created.id === 'string' ? created.id : undefined;
    if (id !== undefined) {
      notes.push(`created Salesforce campaign '${name}' (${id})`);
      return { id };
    }
  } catch {
    // The answer may have been lost after the campaign was created: look again before giving up.
  }
  const again = await lookup();
  return again === undefined ? undefined : { id: again };
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
