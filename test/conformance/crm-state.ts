import { CONTACTS } from '@cdp-oss/crm-sandbox';
import type { FieldValue } from '@cdp-oss/crm-sandbox';
import type { Sandboxes } from '../../src/cli/start-sandboxes.js';

/** What cdp left in both CRMs, without ids or timestamps the sandboxes assign, in a stable order. */
export interface CrmState {
  readonly hubspot: {
    /** email, firstname, lastname and every `cdp_` property of each contact. */
    readonly contacts: readonly Readonly<Record<string, string>>[];
    /** List name -> member emails. */
    readonly lists: Readonly<Record<string, readonly string[]>>;
  };
  readonly salesforce: {
    /** Email, FirstName, LastName and every custom (`__c`) field of each contact. */
    readonly contacts: readonly Readonly<Record<string, FieldValue>>[];
    readonly campaignMembers: readonly { readonly campaign: string; readonly email: string; readonly status: FieldValue }[];
  };
}

export function crmState(sandboxes: Sandboxes): CrmState {
  const hsRecords = sandboxes.hubspot.store.allRecords(CONTACTS);
  const hsEmail = new Map(hsRecords.map((r) => [r.id, r.properties.get('email') ?? `#${r.id}`]));
  const contacts = hsRecords
    .map((r) => Object.fromEntries([...r.properties].filter(([k]) => ['email', 'firstname', 'lastname'].includes(k) || k.startsWith('cdp_')).sort()))
    .sort((a, b) => String(a.email).localeCompare(String(b.email)));
  const lists = Object.fromEntries(
    sandboxes.hubspot.store.lists
      .all()
      .filter((l) => l.deletedAt === undefined)
      .map((l) => [l.name, [...l.members.keys()].map((id) => hsEmail.get(id) ?? `#${id}`).sort()] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

  const sf = sandboxes.salesforce.store;
  const sfContacts = sf.list('Contact');
  const sfEmail = new Map(sfContacts.map((c) => [c.id, String(c.values.Email)]));
  const campaigns = new Map(sf.list('Campaign').map((c) => [c.id, String(c.values.Name)]));
  return {
    hubspot: { contacts, lists },
    salesforce: {
      contacts: sfContacts
        .map((c) => Object.fromEntries(Object.entries(c.values).filter(([k]) => ['Email', 'FirstName', 'LastName'].includes(k) || k.endsWith('__c')).sort()))
        .sort((a, b) => String(a.Email).localeCompare(String(b.Email))),
      campaignMembers: sf
        .list('CampaignMember')
        .map((m) => ({
          campaign: campaigns.get(String(m.values.CampaignId)) ?? String(m.values.CampaignId),
          email: sfEmail.get(String(m.values.ContactId)) ?? String(m.values.ContactId),
          status: m.values.Status ?? null,
        }))
        .sort((a, b) => `${a.campaign}|${a.email}`.localeCompare(`${b.campaign}|${b.email}`)),
    },
  };
}
