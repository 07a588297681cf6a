import type { Person } from './person.js';
import { constantBytes, csvBytes } from './row-buffer.js';
import { DAY, type SampleContext } from './sample-context.js';
import { companyCount, companyRecords } from './sample-companies.js';
import { company } from './sample-vocabulary.js';
import type { SampleBuffers } from './sample-buffers.js';
import type { SharedValue } from './shared-values.js';

/**
 * Ground truth for one person: every raw spelling of their identifiers that appears in the data, with
 * its normal form and `link_group` — identifiers in one group are joined by rows of the data (through
 * the person's own identifiers only), so a deterministic resolver can and should put them together.
 */
export function writePersonTruth(ctx: SampleContext, p: Person, out: SampleBuffers): void {
  const { graph } = p;
  const id = csvBytes(p.id);
  for (const slot of graph.slots) {
    if (slot.used === 0) continue;
    const root = graph.root(slot.node);
    const type = constantBytes(slot.type);
    for (let form = 0; form < slot.forms.length; form++) {
      if ((slot.used & (1 << form)) === 0) continue;
      const row = out.identity_truth.begin().enc(type).enc(slot.bytes(form));
      if (slot.norm === slot.forms[form]) row.enc(slot.bytes(form));
      else row.field(slot.norm);
      row.enc(id).col('person').nil().enc(id, true).char(45).raw(String(root)).end();
    }
  }
  const seen = p.orders.length > 0 || p.activity > 0;
  const row = out.people_truth.begin().col(p.id).col(p.persona).col(p.company !== null ? 'true' : 'false').col(String(p.orders.length));
  if (seen) {
    ctx.time.write(row, p.firstSeen);
    ctx.time.write(row, p.lastSeen);
  } else row.nil().nil();
  // The account the person belongs to (docs/accounts.md): their company's domain; none for a consumer.
  row.field(p.companyIndex >= 0 ? company(p.companyIndex).domain : null, true).end();
}

/** The account-level exports: each company's HubSpot company, Salesforce Account and billing account, where it has one. */
export function writeCompanies(ctx: SampleContext, out: SampleBuffers): void {
  for (let k = 0; k < companyCount(ctx.people); k++) {
    const c = companyRecords(ctx.seed, k);
    if (c.hubspotId !== null) out.hubspot_companies.begin().col(c.hubspotId).field(c.name).field(c.domain, true).end();
    if (c.salesforceId !== null) out.salesforce_accounts.begin().col(c.salesforceId).field(c.name).field(c.website, true).end();
    if (c.billingId !== null) {
      const row = out.subscriptions.begin().col(c.billingId).field(c.domain).col(String(c.mrr));
      ctx.time.write(row, ctx.asOf - c.startedAtDay * DAY, true);
      row.end();
    }
  }
}

/** Ground truth for values that belong to no one person: person_id and link_group are NULL. */
export function writeSharedTruth(values: readonly SharedValue[], out: SampleBuffers): void {
  for (const v of values) {
    out.identity_truth.begin().col(v.type).field(v.value).field(v.norm).nil().col(v.kind).col(v.reason).end();
  }
}
