import { androidId, hex48, permute48, uuid } from './ids.js';
import { PersonGraph, type IdSlot } from './identifier-slot.js';
import { Rng } from './rng.js';
import {
  DAY,
  Salt,
  familyDeviceOf,
  isHubMember,
  isSignedUp,
  kioskOf,
  personaOf,
  stratified,
  type SampleContext,
} from './sample-context.js';
import { PERSONA_ACTIVITY, type Persona } from './sample-rates.js';
import { companyCount } from './sample-companies.js';
import { AREA_CODES, FIRST_NAMES, LAST_NAMES, PERSONAL_DOMAINS, company } from './sample-vocabulary.js';

/** One synthetic person: who they are, their identifiers, and when they are active. */
export interface Person {
  readonly index: number;
  readonly id: string;
  readonly persona: Persona;
  readonly rng: Rng;
  readonly graph: PersonGraph;
  readonly first: string;
  readonly last: string;
  readonly company: string | null;
  /** The company's index (sample-companies.ts), -1 for a person without one. */
  readonly companyIndex: number;
  /** Whether this person sometimes types their email with other capitalisation / padding. */
  readonly messyEmail: 0 | 1 | 2;
  readonly email: IdSlot;
  readonly secondaryEmail: IdSlot | null;
  readonly phone: IdSlot | null;
  readonly userId: IdSlot | null;
  readonly cookies: readonly IdSlot[];
  readonly cookieDevices: readonly string[];
  readonly devices: readonly IdSlot[];
  readonly familyDevice: number;
  readonly kiosk: number;
  readonly hubMember: boolean;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** When the account was created (Infinity without an account). */
  readonly signupAt: number;
  /** Behavioural events (web + app) to write. */
  readonly activity: number;
  readonly orders: readonly PlannedOrder[];
}

export interface PlannedOrder {
  readonly at: number;
  readonly guest: boolean;
}

const ALPHA_MIXED = 0.41421356237309515;
const ALPHA_PADDED = 0.7320508075688772;

export function personId(i: number): string {
  return `p${String(i).padStart(8, '0')}`;
}

export function buildPerson(ctx: SampleContext, i: number): Person {
  const rng = new Rng(ctx.seed, i, Salt.Person);
  const persona = personaOf(ctx, i);
  const graph = new PersonGraph();
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const b2b = persona === 'crm_only' ? rng.chance(0.7) : rng.chance(0.45);
  const companyIndex = b2b ? rng.int(companyCount(ctx.people)) : -1;
  const org = b2b ? company(companyIndex) : null;
  const personalDomain = rng.pick(PERSONAL_DOMAINS);
  const primaryDomain = org ? org.domain : personalDomain;
  const email = emailSlot(graph, localPart(rng, first, last, i), primaryDomain);
  const secondaryEmail = rng.chance(org ? 0.35 : 0.1)
    ? emailSlot(graph, `${first[0]}${last}.${i}`.toLowerCase(), org ? personalDomain : 'outlook.com')
    : null;
  const phone = rng.chance(0.55) ? phoneSlot(graph, i) : null;
  const signedUp = isSignedUp(ctx, i);
  const userIdText = signedUp ? userIdValue(i, ctx.seed) : '';
  const userId = signedUp ? graph.add('user_id', userIdText, [userIdText]) : null;

  const { firstSeen, lastSeen } = timeline(ctx, rng, persona);
  const signupAt = signedUp ? signupTime(ctx, rng, persona, firstSeen, lastSeen) : Infinity;
  const activity = persona === 'crm_only' ? 0 : Math.min(3800, rng.round(ctx.activityScale * PERSONA_ACTIVITY[persona] * rng.exp()));

  const cookieCount = persona === 'crm_only' ? 0 : 1 + Math.min(3, Math.floor(rng.exp() * 0.9));
  const cookies: IdSlot[] = [];
  const cookieDevices: string[] = [];
  for (let k = 0; k < cookieCount; k++) {
    const id = uuid(rng);
    cookies.push(graph.add('anonymous_id', id, [id]));
    const u = rng.next();
    cookieDevices.push(u < 0.55 ? 'desktop' : u < 0.93 ? 'mobile' : 'tablet');
  }
  const familyDevice = familyDeviceOf(ctx, i);
  const kiosk = kioskOf(ctx, i);
  const devices: IdSlot[] = [];
  if (signedUp && (familyDevice >= 0 || rng.chance(0.35))) {
    const deviceCount = rng.chance(0.2) ? 2 : 1;
    for (let k = 0; k < deviceCount; k++) {
      const id = rng.chance(0.55) ? uuid(rng, true) : androidId(rng);
      devices.push(graph.add('device_id', id, [id]));
    }
  }
  return {
    index: i,
    id: personId(i),
    persona,
    rng,
    graph,
    first,
    last,
    company: org ? org.name : null,
    companyIndex,
    messyEmail: stratified(ctx, i, ctx.rates.emailPadded, ALPHA_PADDED)
      ? 2
      : stratified(ctx, i, ctx.rates.emailMixedCase, ALPHA_MIXED)
        ? 1
        : 0,
    email,
    secondaryEmail,
    phone,
    userId,
    cookies,
    cookieDevices,
    devices,
    familyDevice,
    kiosk,
    hubMember: persona !== 'crm_only' && isHubMember(ctx, i),
    firstSeen,
    lastSeen,
    signupAt,
    activity,
    orders: planOrders(rng, persona, signedUp, firstSeen, lastSeen, signupAt),
  };
}

function localPart(rng: Rng, first: string, last: string, i: number): string {
  const f = first.toLowerCase();
  const l = last.toLowerCase();
  const n = String(i); // digits end every local part, so spellings of different people never collide
  switch (rng.int(4)) {
    case 0:
      return `${f}.${l}.${n}`;
    case 1:
      return `${f[0]}${l}${n}`;
    case 2:
      return `${f}_${l}${n}`;
    default:
      return `${f}${n}`;
  }
}

/** Spellings: 0 canonical, 1 mixed case (`Jane.Doe@Gmail.com`), 2 padded (`  Jane.Doe@GMAIL.COM `). */
function emailSlot(graph: PersonGraph, local: string, domain: string): IdSlot {
  const canonical = `${local}@${domain}`;
  const mixedLocal = capitaliseParts(local);
  const mixedDomain = domain[0].toUpperCase() + domain.slice(1);
  return graph.add('email', canonical, [canonical, `${mixedLocal}@${mixedDomain}`, `  ${mixedLocal}@${domain.toUpperCase()} `]);
}

/** `jane.doe_x12` -> `Jane.Doe_X12`: upper-cases the first letter and every letter after `.` or `_`. */
function capitaliseParts(local: string): string {
  let out = '';
  let start = true;
  for (let k = 0; k < local.length; k++) {
    const ch = local[k];
    out += start ? ch.toUpperCase() : ch;
    start = ch === '.' || ch === '_';
  }
  return out;
}

/** A 555-exchange US number unique to person i, in six spellings; normal form E.164. */
function phoneSlot(graph: PersonGraph, i: number): IdSlot {
  const a = i % AREA_CODES.length;
  const area = AREA_CODES[a];
  const rest = Math.floor(i / AREA_CODES.length);
  const exchange = String(555 + Math.floor(rest / 10000)).padStart(3, '0');
  const line = String(((rest % 10000) * 7919 + a * 389 + 4021) % 10000).padStart(4, '0');
  const e164 = `+1${area}${exchange}${line}`;
  return graph.add('phone', e164, [
    e164,
    `(${area}) ${exchange}-${line}`,
    `+1 ${area} ${exchange} ${line}`,
    `${area}.${exchange}.${line}`,
    `${area}-${exchange}-${line}`,
    `${area}${exchange}${line}`,
  ]);
}

export function userIdValue(i: number, seed: number): string {
  return `usr_${hex48(permute48(i, seed ^ 0x51ab))}`;
}

function timeline(ctx: SampleContext, rng: Rng, persona: Persona): { firstSeen: number; lastSeen: number } {
  const w = ctx.windowStart;
  const span = ctx.asOf - w;
  switch (persona) {
    case 'high_intent': {
      const firstSeen = w + Math.floor(rng.next() * (span - 20 * DAY));
      return { firstSeen, lastSeen: ctx.asOf - rng.int(DAY) };
    }
    case 'churned': {
      const firstSeen = w + rng.int(30 * DAY);
      return { firstSeen, lastSeen: firstSeen + 10 * DAY + rng.int(30 * DAY) };
    }
    case 'anonymous':
    case 'lead': {
      const firstSeen = w + rng.int(span - DAY);
      return { firstSeen, lastSeen: Math.min(ctx.asOf, firstSeen + Math.floor(rng.exp() * 30 * DAY) + 3600) };
    }
    case 'crm_only': {
      const firstSeen = w + rng.int(span);
      return { firstSeen, lastSeen: firstSeen };
    }
    default: {
      const firstSeen = w + rng.int(span - 2 * DAY);
      return { firstSeen, lastSeen: firstSeen + Math.floor(Math.sqrt(rng.next()) * (ctx.asOf - firstSeen)) };
    }
  }
}

function signupTime(ctx: SampleContext, rng: Rng, persona: Persona, firstSeen: number, lastSeen: number): number {
  const end = persona === 'high_intent' ? Math.min(lastSeen, ctx.asOf - 8 * DAY) : lastSeen;
  return firstSeen + 600 + Math.floor(rng.next() * 0.6 * Math.max(0, end - firstSeen - 600));
}

function planOrders(
  rng: Rng,
  persona: Persona,
  signedUp: boolean,
  firstSeen: number,
  lastSeen: number,
  signupAt: number,
): readonly PlannedOrder[] {
  if (persona !== 'customer' && persona !== 'churned') return [];
  const count = persona === 'customer' ? 1 + Math.min(9, Math.floor(rng.exp() * 1.5)) : 1 + rng.int(3);
  const from = signedUp ? signupAt : firstSeen;
  const orders: PlannedOrder[] = [];
  for (let k = 0; k < count; k++) {
    const at = from + 300 + Math.floor(rng.next() * Math.max(0, lastSeen - from - 300));
    orders.push({ at, guest: !signedUp || rng.chance(0.15) });
  }
  return orders.sort((a, b) => a.at - b.at);
}
