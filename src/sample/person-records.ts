import { typedEmailForm } from './behaviour-events.js';
import { permute48, salesforceId } from './ids.js';
import { constantBytes } from './row-buffer.js';
import type { IdSlot } from './identifier-slot.js';
import type { Person } from './person.js';
import { Rng, hash3, unit } from './rng.js';
import { DAY, Salt, stratified, type SampleContext } from './sample-context.js';
import { companyRecords } from './sample-companies.js';
import type { SampleBuffers } from './sample-buffers.js';
import type { Persona } from './sample-rates.js';
import { LIFECYCLE_STAGES } from './sample-vocabulary.js';
import { JUNK_PHONES, type SharedValues } from './shared-values.js';

const IN_HUBSPOT: Readonly<Record<Persona, number>> = {
  anonymous: 0,
  lead: 1,
  registered: 0.7,
  high_intent: 0.9,
  customer: 0.9,
  churned: 0.9,
  crm_only: 0.75,
};
const IN_SALESFORCE: Readonly<Record<Persona, number>> = {
  anonymous: 0,
  lead: 0.5,
  registered: 0.3,
  high_intent: 0.7,
  customer: 0.8,
  churned: 0.8,
  crm_only: 0.7,
};
const STAGES: Readonly<Record<Persona, readonly string[]>> = {
  anonymous: ['other'],
  lead: ['subscriber', 'lead', 'marketingqualifiedlead'],
  registered: ['subscriber', 'lead'],
  high_intent: ['salesqualifiedlead', 'opportunity'],
  customer: ['customer', 'customer', 'evangelist'],
  churned: ['customer', 'other'],
  crm_only: LIFECYCLE_STAGES,
};
const PRICES: readonly number[] = [2900, 4900, 9900, 19900, 29900];
const ALPHA_HS_DUP = 0.2360679774997898;
const ALPHA_SF_DUP = 0.3166247903554;
const ALPHA_WITHDRAW = 0.6457513110645907;
const ALPHA_ERASURE = 0.1622776601683795;

interface Phone {
  readonly slot: IdSlot | null;
  readonly value: string | null;
}
const NO_PHONE: Phone = { slot: null, value: null };

/** Writes a person's orders, CRM contacts, email campaign events and consent history. */
export function writeRecords(ctx: SampleContext, p: Person, shared: SharedValues, out: SampleBuffers): void {
  new RecordWriter(ctx, p, shared, out).write();
}

class RecordWriter {
  private readonly rng: Rng;

  constructor(
    private readonly ctx: SampleContext,
    private readonly p: Person,
    private readonly shared: SharedValues,
    private readonly out: SampleBuffers,
  ) {
    this.rng = new Rng(ctx.seed, p.index, Salt.Records);
  }

  write(): void {
    const { p, rng } = this;
    this.orders();
    const inSalesforceBase = p.company !== null && rng.next() < IN_SALESFORCE[p.persona];
    const inHubspot = rng.next() < IN_HUBSPOT[p.persona] || (p.persona === 'crm_only' && !inSalesforceBase);
    const inSalesforce = inSalesforceBase || (p.persona === 'crm_only' && p.company !== null && !inHubspot);
    const crmEmailForm = typedEmailForm(rng, p);
    if (inHubspot) this.hubspot(crmEmailForm);
    if (inSalesforce) this.salesforce();
    if (p.userId === null && !inHubspot) return;
    const consentAt = p.signupAt !== Infinity ? p.signupAt : p.firstSeen;
    const consented = rng.chance(0.85);
    // The email tool keeps the address as HubSpot has it, trimmed.
    const unsubscribedAt = inHubspot && consented ? this.emailEvents(crmEmailForm === 2 ? 1 : crmEmailForm) : Infinity;
    this.consents(consentAt, consented, unsubscribedAt);
  }

  private orders(): void {
    const { ctx, p, rng } = this;
    if (p.orders.length === 0) return;
    const currency = rng.next() < 0.75 ? 'USD' : rng.chance(0.6) ? 'EUR' : 'GBP';
    const fx = currency === 'USD' ? 1 : currency === 'EUR' ? 0.92 : 0.79;
    const plan = rng.pick(PRICES);
    for (let k = 0; k < p.orders.length; k++) {
      const order = p.orders[k];
      const cents = Math.round((plan + rng.int(4) * 1000 + (rng.chance(0.1) ? rng.int(100) * 50 : 0)) * fx);
      const u = rng.next();
      const churnRefund = p.persona === 'churned' && k === p.orders.length - 1 && rng.chance(0.4);
      const status = churnRefund ? 'refunded' : u < 0.88 ? 'completed' : u < 0.92 ? 'refunded' : u < 0.95 ? 'pending' : u < 0.98 ? 'cancelled' : 'failed';
      const user = order.guest || p.userId === null ? null : p.userId;
      const emailSlot = user === null || rng.chance(0.6) ? p.email : null;
      const email = emailSlot === null ? null : emailSlot.use(user === null ? typedEmailForm(rng, p) : 0);
      p.graph.link(user, emailSlot);
      const id = permute48(p.index * 64 + k, ctx.seed ^ 0x0de7).toString(36).toUpperCase().padStart(10, '0');
      const row = this.out.orders.begin().raw('ORD-').col(id);
      ctx.time.write(row, order.at);
      row.field(user === null ? null : user.use()).field(email).raw(String(Math.floor(cents / 100))).char(46).two(cents % 100);
      row.char(44).col(currency).raw(status).end();
    }
  }

  private crmPhone(): Phone {
    const { ctx, p, rng } = this;
    if (rng.next() < ctx.rates.junkPhone) return { slot: null, value: this.shared.junk(rng, 'phone', JUNK_PHONES) };
    if (p.phone === null || rng.chance(0.3)) return NO_PHONE;
    return { slot: p.phone, value: p.phone.use(rng.int(p.phone.forms.length)) };
  }

  private updatedAt(): number {
    const { ctx, p, rng } = this;
    return p.firstSeen + rng.int(Math.max(1, ctx.asOf - p.firstSeen));
  }

  private hubspot(emailForm: number): void {
    const { ctx, p, rng } = this;
    const withEmail = rng.next() >= 0.02 || p.phone === null;
    this.hubspotContact(0, withEmail ? p.email : null, emailForm, rng.chance(0.95) ? p.first : null, this.crmPhone(), rng.pick(STAGES[p.persona]));
    if (stratified(ctx, p.index, ctx.rates.hubspotDuplicate, ALPHA_HS_DUP)) {
      // A duplicate: the same person under their secondary email, or their email spelt another way.
      const secondary = p.secondaryEmail !== null && rng.chance(0.5);
      const form = secondary ? 0 : emailForm === 0 ? 1 + rng.int(2) : 0;
      this.hubspotContact(1, secondary ? p.secondaryEmail : p.email, form, rng.chance(0.7) ? p.first : null, NO_PHONE, rng.chance(0.5) ? 'subscriber' : 'lead');
    }
  }

  private hubspotContact(k: number, email: IdSlot | null, form: number, first: string | null, phone: Phone, stage: string): void {
    const { ctx, p } = this;
    const value = String(permute48(p.index * 8 + k, ctx.seed ^ 0x4b5));
    const id = p.graph.add('hubspot_id', value, [value]);
    const emailValue = email === null ? null : email.use(form);
    p.graph.link(id, email);
    p.graph.link(id, phone.slot);
    p.graph.link(email, phone.slot);
    const row = this.out.hubspot_contacts.begin().col(id.use()).field(emailValue).field(first).field(p.last).field(phone.value).col(stage);
    ctx.time.write(row, this.updatedAt());
    row.field(this.companyLink(k, 'hubspot'), true).end();
  }

  private salesforce(): void {
    const { ctx, p, rng } = this;
    this.salesforceContact(0, p.email, typedEmailForm(rng, p), this.crmPhone());
    if (stratified(ctx, p.index, ctx.rates.salesforceDuplicate, ALPHA_SF_DUP)) {
      const secondary = p.secondaryEmail ?? p.email;
      this.salesforceContact(1, secondary, secondary === p.email ? 1 : 0, NO_PHONE);
    }
  }

  private salesforceContact(k: number, email: IdSlot, form: number, phone: Phone): void {
    const { ctx, p } = this;
    const value = salesforceId('003', permute48(p.index * 4 + k, ctx.seed ^ 0x5f));
    const id = p.graph.add('salesforce_id', value, [value]);
    p.graph.link(id, email);
    p.graph.link(id, phone.slot);
    p.graph.link(email, phone.slot);
    const row = this.out.salesforce_contacts.begin().col(id.use()).field(email.use(form)).field(phone.value);
    row.field(p.first).field(p.last).field(p.company);
    ctx.time.write(row, this.updatedAt());
    row.field(this.companyLink(k, 'salesforce'), true).end();
  }

  /**
   * The CRM's company/Account id on a contact record: most contacts of a company the CRM has carry it (from
   * its own hash, so the person's other rows are unchanged). docs/accounts.md.
   */
  private companyLink(k: number, crm: 'hubspot' | 'salesforce'): string | null {
    const { ctx, p } = this;
    if (p.companyIndex < 0 || unit(hash3(ctx.seed, p.index * 8 + k, crm === 'hubspot' ? 0xc0 : 0xc1)) >= 0.85) return null;
    const c = companyRecords(ctx.seed, p.companyIndex);
    return crm === 'hubspot' ? c.hubspotId : c.salesforceId;
  }

  /** Campaign events for a subscriber; returns when they unsubscribed (Infinity if never). */
  private emailEvents(form: number): number {
    const { ctx, p } = this;
    const rng = new Rng(ctx.seed, p.index, Salt.Email);
    for (const campaign of ctx.campaigns) {
      if (campaign.at < p.firstSeen - 30 * DAY || rng.next() >= 0.7) continue;
      const email = p.email.csv(form);
      const name = constantBytes(campaign.name);
      const sent = campaign.at + rng.int(7200);
      this.emailEvent(sent, email, name, 'delivered');
      if (rng.next() < 0.35) {
        const opened = sent + 60 + Math.floor(rng.exp() * 3 * 3600);
        this.emailEvent(opened, email, name, 'open');
        if (rng.next() < 0.3) this.emailEvent(opened + 5 + rng.int(600), email, name, 'click');
      }
      if (rng.next() < 0.01) {
        const at = sent + 120 + rng.int(DAY);
        this.emailEvent(at, email, name, 'unsubscribe');
        return at;
      }
    }
    return Infinity;
  }

  private emailEvent(t: number, email: Uint8Array, campaign: Uint8Array, event: string): void {
    const row = this.out.email_events.begin();
    this.ctx.time.write(row, t);
    row.enc(email).enc(campaign).raw(event).end();
  }

  /** The consent history: the initial choice, a withdrawal (unsubscribe or otherwise), an erasure request. */
  private consents(at: number, consented: boolean, unsubscribedAt: number): void {
    const { ctx, p, rng } = this;
    this.consent(at, consented, false);
    if (unsubscribedAt !== Infinity) this.consent(unsubscribedAt, false, false);
    else if (consented && stratified(ctx, p.index, ctx.rates.consentWithdrawn, ALPHA_WITHDRAW)) this.consent(this.laterThan(at), false, false);
    if (stratified(ctx, p.index, ctx.rates.erasureRequest, ALPHA_ERASURE)) this.consent(this.laterThan(at), false, true);
  }

  private laterThan(at: number): number {
    return at + 3600 + this.rng.int(Math.max(3600, this.ctx.asOf - at - 3600));
  }

  private consent(t: number, marketing: boolean, doNotSync: boolean): void {
    const { p } = this;
    const row = this.out.consents.begin();
    if (p.userId !== null) row.col(p.userId.use()).nil();
    else row.nil().field(p.email.use(typedEmailForm(this.rng, p)));
    row.col(marketing ? 'true' : 'false').col(doNotSync ? 'true' : 'false');
    this.ctx.time.write(row, t, true);
    row.end();
  }
}
