import { formatDateTime } from './field-values.js';
import type { SalesforceStore, StoredRecord } from './salesforce-store.js';

export type MergeOutcome = { readonly ok: true; readonly masterId: string } | { readonly ok: false; readonly message: string };

const CHILD_LINKS: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  Contact: [['CampaignMember', 'ContactId']],
  Lead: [['CampaignMember', 'LeadId']],
  Account: [['Contact', 'AccountId']],
};

/**
 * A merge as a person does it in the Salesforce UI (up to three records of one object): the master
 * keeps its id and values (blank master fields take the first loser's value), related records move to
 * the master (a campaign membership the master already has is dropped), and every loser goes to the
 * recycle bin with `IsDeleted = true` and `MasterRecordId` = the master, where only `queryAll` sees it.
 */
export function mergeRecords(store: SalesforceStore, masterId: string, loserIds: readonly string[], now: Date): MergeOutcome {
  const master = store.get(masterId);
  if (!master || master.deleted) return { ok: false, message: `no live record ${masterId}` };
  const losers = loserIds.map((id) => store.get(id));
  if (losers.length === 0 || losers.length > 2) return { ok: false, message: 'merge takes one master and one or two other records' };
  if (losers.some((l) => !l || l.deleted || l.sobject !== master.sobject || l.id === master.id)) return { ok: false, message: `every merged record must be a live ${master.sobject} other than the master` };
  const stamp = formatDateTime(now);
  const values = { ...master.values };
  for (const loser of losers as StoredRecord[]) {
    for (const [name, value] of Object.entries(loser.values)) if ((values[name] === null || values[name] === undefined || values[name] === '') && value !== null) values[name] = value;
  }
  store.put({ ...master, values: { ...values, Id: master.id, LastModifiedDate: stamp, SystemModstamp: stamp } });
  for (const loser of losers as StoredRecord[]) {
    for (const [child, field] of CHILD_LINKS[master.sobject] ?? []) {
      for (const r of store.list(child).filter((c) => c.values[field] === loser.id)) {
        const clash = child === 'CampaignMember' && store.list(child).some((c) => c.values[field] === master.id && c.values.CampaignId === r.values.CampaignId);
        store.put(clash ? { ...r, deleted: true, values: { ...r.values, IsDeleted: true, SystemModstamp: stamp } } : { ...r, values: { ...r.values, [field]: master.id, SystemModstamp: stamp } });
      }
    }
    store.put({ ...loser, deleted: true, values: { ...loser.values, IsDeleted: true, MasterRecordId: master.id, LastModifiedDate: stamp, SystemModstamp: stamp } });
  }
  return { ok: true, masterId: master.id };
}
