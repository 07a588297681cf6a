import type { FieldValue } from './field-spec.js';
import { formatDate } from './field-values.js';
import { recordErrors, type SaveError } from './salesforce-errors.js';
import { KEY_PREFIXES, type IdFactory } from './salesforce-ids.js';
import type { SalesforceStore, StoredRecord } from './salesforce-store.js';
import type { SchemaRegistry } from './schema-registry.js';

export interface RuleContext {
  readonly store: SalesforceStore;
  readonly registry: SchemaRegistry;
  readonly ids: IdFactory;
  readonly now: Date;
  readonly userId: string;
  /** System fields of a new record. */
  readonly system: (userId: string, now: Date) => Record<string, FieldValue>;
}

/** Default member statuses of a new campaign (docs/crm/salesforce.md#campaigns; UNCONFIRMED: "Sent" default, "Responded" responded). */
export const DEFAULT_MEMBER_STATUSES = [
  { Label: 'Sent', IsDefault: true, HasResponded: false, SortOrder: 1 },
  { Label: 'Responded', IsDefault: false, HasResponded: true, SortOrder: 2 },
] as const;

type Values = Record<string, FieldValue>;

/**
 * Object-specific behaviour on top of field checks: derived fields (Name, HasResponded, Type),
 * campaign membership rules. Mutates `merged` (the record's values after the write) and returns errors.
 */
export function applyObjectRules(sobject: string, current: StoredRecord | undefined, merged: Values, ctx: RuleContext): readonly SaveError[] {
  switch (sobject) {
    case 'Contact':
    case 'Lead':
    case 'User':
      merged.Name = [merged.FirstName, merged.LastName].filter((v) => typeof v === 'string' && v !== '').join(' ') || null;
      return [];
    case 'CampaignMember':
      return campaignMemberRules(current, merged, ctx);
    case 'CampaignMemberStatus':
      return memberStatusRules(current, merged, ctx);
    default:
      return [];
  }
}

/** Live records of `sobject` whose lookup `field` points at `id` (uses the store's index). */
export function referencing(store: SalesforceStore, registry: SchemaRegistry, sobject: string, field: string, id: string): readonly StoredRecord[] {
  const schema = registry.get(sobject);
  const f = schema?.field(field);
  return schema && f ? store.findBy(schema, f, id) : [];
}

export function memberStatuses(store: SalesforceStore, registry: SchemaRegistry, campaignId: string): readonly StoredRecord[] {
  return [...referencing(store, registry, 'CampaignMemberStatus', 'CampaignId', campaignId)].sort((a, b) => Number(a.values.SortOrder ?? 0) - Number(b.values.SortOrder ?? 0));
}

function campaignMemberRules(current: StoredRecord | undefined, merged: Values, ctx: RuleContext): readonly SaveError[] {
  const campaignId = merged.CampaignId;
  if (typeof campaignId !== 'string') return [];
  if (!current && merged.ContactId == null && merged.LeadId == null) {
    // UNCONFIRMED wording: Salesforce requires one of the two.
    return [recordErrors.requiredMissing(['ContactId', 'LeadId'])];
  }
  const statuses = memberStatuses(ctx.store, ctx.registry, campaignId);
  const requested = merged.Status;
  let status: StoredRecord | undefined;
  if (typeof requested === 'string') {
    status = statuses.find((s) => String(s.values.Label).toLowerCase() === requested.toLowerCase());
    // UNCONFIRMED: the error for a label the campaign does not have.
    if (!status) return [recordErrors.badPicklist('Status', 'Status', requested)];
  } else {
    status = statuses.find((s) => s.values.IsDefault === true) ?? statuses[0];
  }
  merged.Status = status?.values.Label ?? null;
  const responded = status?.values.HasResponded === true;
  merged.HasResponded = responded;
  if (responded && merged.FirstRespondedDate == null) merged.FirstRespondedDate = formatDate(ctx.now);
  merged.Type = merged.ContactId != null ? 'Contact' : 'Lead';

  if (!current) {
    const sameCampaign = (m: StoredRecord): boolean => m.values.CampaignId === campaignId;
    const duplicate =
      (typeof merged.ContactId === 'string' && referencing(ctx.store, ctx.registry, 'CampaignMember', 'ContactId', merged.ContactId).some(sameCampaign)) ||
      (typeof merged.LeadId === 'string' && referencing(ctx.store, ctx.registry, 'CampaignMember', 'LeadId', merged.LeadId).some(sameCampaign));
    if (duplicate) return [recordErrors.alreadyMember()];
  }
  return [];
}

function memberStatusRules(current: StoredRecord | undefined, merged: Values, ctx: RuleContext): readonly SaveError[] {
  const campaignId = merged.CampaignId;
  if (typeof campaignId !== 'string' || typeof merged.Label !== 'string') return [];
  const siblings = memberStatuses(ctx.store, ctx.registry, campaignId).filter((s) => s.id !== current?.id);
  const clash = siblings.find((s) => String(s.values.Label).toLowerCase() === String(merged.Label).toLowerCase());
  if (clash) return [recordErrors.duplicateValue('Label', clash.id)];
  if (merged.SortOrder == null) merged.SortOrder = siblings.reduce((max, s) => Math.max(max, Number(s.values.SortOrder ?? 0)), 0) + 1;
  return [];
}

/** Writes that follow a successful insert/update (inside the same transaction). */
export function afterWrite(record: StoredRecord, created: boolean, ctx: RuleContext): void {
  if (record.sobject === 'Campaign' && created) {
    for (const status of DEFAULT_MEMBER_STATUSES) {
      const id = ctx.ids.next(KEY_PREFIXES.CampaignMemberStatus);
      ctx.store.put({ id, sobject: 'CampaignMemberStatus', deleted: false, values: { Id: id, CampaignId: record.id, ...status, ...ctx.system(ctx.userId, ctx.now) } });
    }
  }
  if (record.sobject === 'CampaignMemberStatus' && record.values.IsDefault === true) {
    for (const other of memberStatuses(ctx.store, ctx.registry, String(record.values.CampaignId))) {
      if (other.id !== record.id && other.values.IsDefault === true) {
        ctx.store.put({ ...other, values: { ...other.values, IsDefault: false } });
      }
    }
  }
}

/** Records that go to the recycle bin with this one (members of a deleted campaign, contact or lead). */
export function cascadeDelete(record: StoredRecord, ctx: RuleContext): void {
  const dependants: StoredRecord[] = [];
  if (record.sobject === 'Campaign') {
    dependants.push(...referencing(ctx.store, ctx.registry, 'CampaignMember', 'CampaignId', record.id));
    dependants.push(...memberStatuses(ctx.store, ctx.registry, record.id));
  }
  if (record.sobject === 'Contact') dependants.push(...referencing(ctx.store, ctx.registry, 'CampaignMember', 'ContactId', record.id));
  if (record.sobject === 'Lead') dependants.push(...referencing(ctx.store, ctx.registry, 'CampaignMember', 'LeadId', record.id));
  for (const d of dependants) ctx.store.put({ ...d, deleted: true, values: { ...d.values, IsDeleted: true } });
}
