import { androidId, permute48, uuid } from './ids.js';
import type { IdSlot } from './identifier-slot.js';
import type { Person } from './person.js';
import { Rng } from './rng.js';
import { DAY, Salt, type SampleContext } from './sample-context.js';
import type { SampleBuffers } from './sample-buffers.js';
import { constantBytes } from './row-buffer.js';
import { HUB_EMAIL } from './sample-rates.js';
import { APP_EVENT_NAMES, BLOG_PATHS, DOC_PATHS, OTHER_PATHS, UTM_SOURCES } from './sample-vocabulary.js';
import { JUNK_ANONYMOUS_IDS, JUNK_EMAILS, JUNK_USER_IDS, ZERO_UUID, type SharedValues } from './shared-values.js';

const TRACK_NAMES: readonly string[] = ['Button Clicked', 'CTA Clicked', 'Video Played', 'Docs Searched'];
const FORM_PATHS: readonly string[] = ['/contact', '/pricing', '/blog/gdpr-checklist', '/demo', '/newsletter'];

/** Which spelling of a person's email a hand-typed field gets (0 canonical, 1 mixed case, 2 padded). */
export function typedEmailForm(rng: Rng, p: Person): number {
  if (p.messyEmail === 0) return 0;
  const u = rng.next();
  if (p.messyEmail === 2) return u < 0.3 ? 2 : u < 0.55 ? 1 : 0;
  return u < 0.4 ? 1 : 0;
}

/** Writes a person's web and app events: page views, sign-up, form fills, checkouts and app usage. */
export function writeBehaviour(ctx: SampleContext, p: Person, shared: SharedValues, out: SampleBuffers): void {
  if (p.cookies.length === 0) return;
  new BehaviourWriter(ctx, p, shared, out).write();
}

class BehaviourWriter {
  private readonly rng: Rng;
  private readonly key: number;
  private seq = 0;
  private readonly pricingShare: number;
  private readonly lateRate: number;

  constructor(
    private readonly ctx: SampleContext,
    private readonly p: Person,
    private readonly shared: SharedValues,
    private readonly out: SampleBuffers,
  ) {
    this.rng = new Rng(ctx.seed, p.index, Salt.Web);
    this.key = (ctx.seed ^ 0x3e7) >>> 0;
    this.lateRate = p.lastSeen >= ctx.asOf - 2 * DAY ? ctx.rates.lateEvent * 4 : 0;
    this.pricingShare = p.persona === 'high_intent' ? 0.12 : p.persona === 'customer' ? 0.05 : 0.025;
  }

  write(): void {
    const { p, rng, ctx } = this;
    if (p.signupAt !== Infinity) {
      this.web(p.signupAt - 90, false, null, 'page', null, '/signup');
      this.web(p.signupAt, true, p.email, 'track', 'Signed Up', '/signup', typedEmailForm(rng, p));
    }
    const formFills = p.persona === 'lead' ? 1 + rng.int(2) : p.persona === 'anonymous' ? (rng.chance(0.05) ? 1 : 0) : rng.chance(0.2) ? 1 : 0;
    // Anonymous people who fill in a form type a fake address: that is why they stay anonymous.
    for (let k = 0; k < formFills; k++) this.formFill(p.persona === 'anonymous' ? 1 : ctx.rates.junkFormEmail);
    if (p.hubMember) {
      const t = p.signupAt === Infinity ? this.anyTime() : p.signupAt + rng.int(Math.max(1, p.lastSeen - p.signupAt));
      this.web(t, t >= p.signupAt, null, 'track', 'Form Submitted', rng.pick(FORM_PATHS), 0, this.shared.use('email', HUB_EMAIL, 'junk', 'planted_hub'));
    }
    for (const order of p.orders) {
      this.web(order.at - 200, !order.guest, null, 'page', null, '/checkout');
      if (order.guest) this.web(order.at, false, p.email, 'track', 'Order Completed', '/checkout', typedEmailForm(rng, p));
      else this.web(order.at, true, null, 'track', 'Order Completed', '/checkout');
    }
    if (p.persona === 'high_intent') {
      const views = 3 + rng.int(4);
      for (let k = 0; k < views; k++) this.web(ctx.asOf - 60 - rng.int(7 * DAY - 120), true, null, 'page', null, '/pricing');
    }
    const remaining = Math.max(0, p.activity - this.seq);
    const appEvents = p.devices.length > 0 ? rng.round(remaining * 0.6) : 0;
    for (let k = remaining - appEvents; k > 0; k--) this.pageOrTrack(this.eventTime());
    if (p.devices.length > 0) this.writeApp(appEvents);
  }

  private anyTime(): number {
    const { p, rng } = this;
    return p.firstSeen + rng.int(Math.max(1, p.lastSeen - p.firstSeen));
  }

  /** A time in the person's active span, or (rarely, for people active until asOf) one after asOf. */
  private eventTime(): number {
    const { rng, ctx } = this;
    if (rng.next() < this.lateRate) return ctx.asOf + 1 + rng.int(36 * 3600);
    return this.anyTime();
  }

  private formFill(junkRate: number): void {
    const { p, rng } = this;
    const t = this.anyTime();
    const path = rng.pick(FORM_PATHS);
    if (rng.next() < junkRate) {
      const junk = this.shared.junk(rng, 'email', JUNK_EMAILS);
      this.web(t, t >= p.signupAt, null, 'track', 'Form Submitted', path, 0, junk);
    } else {
      const slot = p.secondaryEmail !== null && rng.chance(0.2) ? p.secondaryEmail : p.email;
      this.web(t, t >= p.signupAt, slot, 'track', 'Form Submitted', path, slot === p.email ? typedEmailForm(rng, p) : 0);
    }
  }

  private pageOrTrack(t: number): void {
    const { rng } = this;
    const u = rng.next();
    const path =
      u < this.pricingShare ? '/pricing' : u < 0.25 ? '/' : u < 0.55 ? rng.pick(DOC_PATHS) : u < 0.8 ? rng.pick(BLOG_PATHS) : rng.pick(OTHER_PATHS);
    const loggedIn = t >= this.p.signupAt && rng.next() < 0.8;
    if (rng.next() < 0.15) this.web(t, loggedIn, null, 'track', rng.pick(TRACK_NAMES), path);
    else this.web(t, loggedIn, null, 'page', null, path);
  }

  /** Unique per (person, sequence): activity is capped at 3800 so a person's events stay below 4096. */
  private eventId(): number {
    return permute48(this.p.index * 4096 + (this.seq++ & 4095), this.key);
  }

  /** One web_events row. `emailValue` overrides the email (junk/hub values that are not the person's). */
  private web(
    t: number,
    loggedIn: boolean,
    emailSlot: IdSlot | null,
    type: 'page' | 'track',
    name: string | null,
    path: string,
    emailForm = 0,
    emailValue: string | null = null,
  ): void {
    const { p, rng, ctx } = this;
    const n = p.cookies.length;
    const c = t >= p.lastSeen ? n - 1 : Math.min(n - 1, Math.floor(((t - p.firstSeen) * n) / Math.max(1, p.lastSeen - p.firstSeen)));
    const cookie = rng.next() < ctx.rates.junkAnonymousId ? null : p.cookies[c < 0 ? 0 : c];
    const user = loggedIn ? this.userId() : null;
    p.graph.link(cookie, user);
    p.graph.link(cookie, emailSlot);
    p.graph.link(user, emailSlot);
    const row = this.out.web_events.begin().hex48(this.eventId());
    ctx.time.write(row, t);
    if (cookie !== null) row.enc(cookie.csv());
    else row.field(this.shared.junk(rng, 'anonymous_id', JUNK_ANONYMOUS_IDS));
    if (user !== null) row.enc(user.csv());
    else row.field(loggedIn && p.userId !== null ? this.junkUser() : null);
    if (emailSlot !== null) row.enc(emailSlot.csv(emailForm));
    else row.field(emailValue);
    row.col(type).enc(name === null ? null : constantBytes(name)).enc(constantBytes(path));
    row.enc(rng.next() < 0.2 ? constantBytes(rng.pick(UTM_SOURCES)) : null).raw(p.cookieDevices[c < 0 ? 0 : c]).end();
  }

  /** The person's user_id slot (marked used), or null when this row gets a junk user_id instead. */
  private userId(): IdSlot | null {
    const { p, rng, ctx } = this;
    if (p.userId === null || rng.next() < ctx.rates.junkUserId) return null;
    return p.userId;
  }

  private junkUser(): string | null {
    return this.shared.junk(this.rng, 'user_id', JUNK_USER_IDS);
  }

  private writeApp(count: number): void {
    const { p, rng, ctx } = this;
    const family = p.familyDevice >= 0 ? uuid(new Rng(ctx.seed, p.familyDevice, Salt.Family), true) : null;
    const kiosk = p.kiosk >= 0 ? androidId(new Rng(ctx.seed, p.kiosk, Salt.Kiosk)) : null;
    if (kiosk !== null) {
      // Kiosk visits: the device only ever sees the visit's anonymous id; the login carries the visit and the user.
      this.shared.use('device_id', kiosk, 'shared', 'store_kiosk');
      this.session(kiosk, 'android', true);
      this.session(kiosk, 'android', true);
      this.session(kiosk, 'android', false);
    }
    if (family !== null) {
      this.shared.use('device_id', family, 'shared', 'family_device');
      this.app(this.anyTime(), null, family, 'ios', true);
      this.session(family, 'ios', true);
    }
    for (let k = 0; k < count; k++) {
      const t = this.eventTime();
      if (family !== null && rng.next() < 0.2) this.app(t, null, family, 'ios', true);
      else {
        const device = p.devices.length > 1 && rng.next() < 0.25 ? p.devices[1] : p.devices[0];
        this.app(t, device, null, device.forms[0].length === 16 ? 'android' : 'ios', t >= p.signupAt && rng.next() < 0.97);
      }
    }
  }

  /**
   * One visit on a shared device: two anonymous events that carry the device and a fresh anonymous id, then
   * (when `login`) the login event with that anonymous id and the user_id but no device id.
   */
  private session(sharedDevice: string, platform: string, login: boolean): void {
    const id = uuid(this.rng);
    const visit = this.p.graph.add('anonymous_id', id, [id]);
    const t = this.anyTime();
    this.app(t, null, sharedDevice, platform, false, visit);
    this.app(t + 20, null, sharedDevice, platform, false, visit);
    if (login) this.app(t + 40, null, null, platform, true, visit);
  }

  private app(t: number, device: IdSlot | null, sharedDevice: string | null, platform: string, loggedIn: boolean, visit: IdSlot | null = null): void {
    const { p, rng, ctx } = this;
    let deviceSlot = device;
    let deviceValue = sharedDevice;
    if (rng.next() < ctx.rates.junkDeviceId) {
      deviceSlot = null;
      deviceValue = rng.next() < 0.7 ? this.shared.use('device_id', ZERO_UUID, 'junk', 'placeholder') : this.shared.junk(rng, 'device_id', ['', 'unknown']);
    }
    const user = loggedIn ? this.userId() : null;
    p.graph.link(deviceSlot, user);
    p.graph.link(visit, user);
    const row = this.out.app_events.begin().hex48(this.eventId());
    ctx.time.write(row, t);
    if (deviceSlot !== null) row.enc(deviceSlot.csv());
    else row.field(deviceValue);
    if (user !== null) row.enc(user.csv());
    else row.field(loggedIn ? this.junkUser() : null);
    row.enc(constantBytes(rng.pick(APP_EVENT_NAMES))).col(platform).enc(visit === null ? null : visit.csv(), true).end();
  }
}
