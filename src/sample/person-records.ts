import { typedEmailForm } from './behaviour-events.js';
import { permute48, salesforceId } from './ids.js';
import type { IdSlot } from './identifier-slot.js';
import type { Person } from './person.js';
import { Rng } from './rng.js';
import { DAY, Salt, stratified, type SampleContext } from './sample-context.js';
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

/** Writes a person's orders, CRM contacts, email campaign events and consent history. */
export function writeRecords(ctx: SampleContext, p: Person, shared: SharedValues, out: SampleBuffers): void {
  const rng = new Rng(ctx.seed, p.index, Salt.Records);
  writeOrders(ctx, p, rng, out);
  const inSalesforceBase = p.company !== null && rng.next() < IN_SALESFORCE[p.persona];
  const inHubspot = rng.next() < IN_HUBSPOT[p.persona] || (p.persona === 'crm_only' && !inSalesforceBase);
  const inSalesforce = inSalesforceBase || (p.persona === 'crm_only' && p.company !== null && !inHubspot);
  const crmEmailForm = typedEmailForm(rng, p);
  if (inHubspot) writeHubspot(ctx, p, rng, shared, out, crmEmailForm);
  if (inSalesforce) writeSalesforce(ctx, p, rng, shared, out);
  const known = p.userId !== null || inHubspot;
  if (!known) return;
  const consentAt = p.signupAt !== Infinity ? p.signupAt : p.firstSeen;
  const consented = rng.chance(0.85);
  const unsubscribedAt = inHubspot && consented ? writeEmailEvents(ctx, p, out, crmEmailForm === 2 ? 1 : crmEmailForm) : Infinity;
  writeConsents(ctx, p, rng, out, consentAt, consented, unsubscribedAt);
}

function writeOrders(ctx: SampleContext, p: Person, rng: Rng, out: SampleBuffers): void {
  if (p.orders.length === 0) return;
  const currency = rng.next() < 0.75 ? 'USD' : rng.chance(0.6) ? 'EUR' : 'GBP';
  const plan = rng.pick(PRICES);
  p.orders.forEach((order, k) => {
    const cents = Math.round((plan + rng.int(4) * 1000 + (rng.chance(0.1) ? rng.int(100) * 50 : 0)) * (currency === 'USD' ? 1 : currency === 'EUR' ? 0.92 : 0.79));
    const u = rng.next();
    const last = k === p.orders.length - 1;
    const status =
      p.persona === 'churned' && last && rng.chance(0.4) ? 'refunded' : u < 0.88 ? 'completed' : u < 0.92 ? 'refunded' : u < 0.95 ? 'pending' : u < 0.98 ? 'cancelled' : 'failed';
    const user = order.guest || p.userId === null ? null : p.userId;
    const emailSlot = user === null || rng.chance(0.6) ? p.email : null;
    const email = emailSlot === null ? null : emailSlot.use(user === null ? typedEmailForm(rng, p) : 0);
    if (user !== null) user.use();
    p.graph.link(user, emailSlot);
    const id = permute48(p.index * 64 + k, ctx.seed ^ 0x0de7).toString(36).toUpperCase().padStart(10, '0');
    const row = out.orders.begin().raw('ORD-').col(id);
    ctx.time.write(row, order.at);
    row.field(user === null ? null : user.forms[0]).field(email).raw(String(Math.floor(cents / 100))).char(46).two(cents % 100);
    row.char(44).col(currency).raw(status).end();
  });
}

function crmPhone(ctx: SampleContext, p: Person, rng: Rng, shared: SharedValues): { slot: IdSlot | null; value: string | null } {
  if (rng.next() < ctx.rates.junkPhone) return { slot: null, value: shared.junk(rng, 'phone', JUNK_PHONES) };
  if (p.phone === null || rng.chance(0.3)) return { slot: null, value: null };
  return { slot: p.phone, value: p.phone.use(rng.int(p.phone.forms.length)) };
}

function updatedAt(ctx: SampleContext, p: Person, rng: Rng): number {
  return p.firstSeen + rng.int(Math.max(1, ctx.asOf - p.firstSeen));
}

function writeHubspot(ctx: SampleContext, p: Person, rng: Rng, shared: SharedValues, out: SampleBuffers, emailForm: number): void {
  const contact = (k: number, email: IdSlot | null, form: number, first: string | null, phone: { slot: IdSlot | null; value: string | null }, stage: string): void => {
    const value = String(permute48(p.index * 8 + k, ctx.seed ^ 0x4b5));
    const id = p.graph.add('hubspot_id', value, [value]);
    const emailValue = email === null ? null : email.use(form);
    p.graph.link(id, email);
    p.graph.link(id, phone.slot);
    p.graph.link(email, phone.slot);
    const row = out.hubspot_contacts.begin().col(id.use()).field(emailValue).field(first).field(p.last).field(phone.value).col(stage);
    ctx.time.write(row, updatedAt(ctx, p, rng), true);
    row.end();
  };
  const withEmail = rng.next() >= 0.02 || p.phone === null;
  contact(0, withEmail ? p.email : null, emailForm, rng.chance(0.95) ? p.first : null, crmPhone(ctx, p, rng, shared), rng.pick(STAGES[p.persona]));
  if (stratified(ctx, p.index, ctx.rates.hubspotDuplicate, ALPHA_HS_DUP)) {
    const secondary = p.secondaryEmail !== null && rng.chance(0.5);
    const form = secondary ? 0 : emailForm === 0 ? 1 + rng.int(2) : 0;
    contact(1, secondary ? p.secondaryEmail : p.email, form, rng.chance(0.7) ? p.first : null, { slot: null, value: null }, rng.chance(0.5) ? 'subscriber' : 'lead');
  }
}

function writeSalesforce(ctx: SampleContext, p: Person, rng: Rng, shared: SharedValues, out: SampleBuffers): void {
  const contact = (k: number, email: IdSlot, form: number, phone: { slot: IdSlot | null; value: string | null }): void => {
    const value = salesforceId('003', permute48(p.index * 4 + k, ctx.seed ^ 0x5f));
    const id = p.graph.add('salesforce_id', value, [value]);
    p.graph.link(id, email);
    p.graph.link(id, phone.slot);
    p.graph.link(email, phone.slot);
    const row = out.salesforce_contacts.begin().col(id.use()).field(email.use(form)).field(phone.value);
    row.field(p.first).field(p.last).field(p.company);
    ctx.time.write(row, updatedAt(ctx, p, rng), true);
    row.end();
  };
  contact(0, p.email, typedEmailForm(rng, p), crmPhone(ctx, p, rng, shared));
  if (stratified(ctx, p.index, ctx.rates.salesforceDuplicate, ALPHA_SF_DUP)) {
    const secondary = p.secondaryEmail ?? p.email;
    contact(1, secondary, secondary === p.email ? 1 : 0, { slot: null, value: null });
  }
}

/** Campaign events for a subscriber; returns when they unsubscribed (Infinity if never). */
function writeEmailEvents(ctx: SampleContext, p: Person, out: SampleBuffers, form: number): number {
  const rng = new Rng(ctx.seed, p.index, Salt.Email);
  const email = p.email.forms[form];
  for (const campaign of ctx.campaigns) {
    if (campaign.at < p.firstSeen - 30 * DAY || rng.next() >= 0.7) continue;
    p.email.use(form);
    const sent = campaign.at + rng.int(7200);
    const row = (t: number, event: string): void => {
      const r = out.email_events.begin();
      ctx.time.write(r, t);
      r.field(email).col(campaign.name).raw(event).end();
    };
    row(sent, 'delivered');
    if (rng.next() < 0.35) {
      const opened = sent + 60 + Math.floor(rng.exp() * 3 * 3600);
      row(opened, 'open');
      if (rng.next() < 0.3) row(opened + 5 + rng.int(600), 'click');
    }
    if (rng.next() < 0.01) {
      const at = sent + 120 + rng.int(DAY);
      row(at, 'unsubscribe');
      return at;
    }
  }
  return Infinity;
}

function writeConsents(ctx: SampleContext, p: Person, rng: Rng, out: SampleBuffers, at: number, consented: boolean, unsubscribedAt: number): void {
  const row = (t: number, marketing: boolean, doNotSync: boolean): void => {
    const r = out.consents.begin();
    if (p.userId !== null) r.col(p.userId.use()).nil();
    else r.nil().field(p.email.use(typedEmailForm(rng, p)));
    r.col(marketing ? 'true' : 'false').col(doNotSync ? 'true' : 'false');
    ctx.time.write(r, t, true);
    r.end();
  };
  row(at, consented, false);
  const later = (): number => at + 3600 + rng.int(Math.max(3600, ctx.asOf - at - 3600));
  if (unsubscribedAt !== Infinity) row(unsubscribedAt, false, false);
  else if (consented && stratified(ctx, p.index, ctx.rates.consentWithdrawn, ALPHA_WITHDRAW)) row(later(), false, false);
  if (stratified(ctx, p.index, ctx.rates.erasureRequest, ALPHA_ERASURE)) row(later(), false, true);
}
