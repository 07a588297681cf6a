import { hash3, unit, weyl } from './rng.js';
import { DEFAULT_MESS_RATES, PERSONAS, PERSONA_ACTIVITY, PERSONA_SHARE, type MessRates, type Persona } from './sample-rates.js';
import { TimestampFormatter } from './timestamp-formatter.js';

/**
 * Everything a person's generation depends on besides their index. Decisions that involve other people
 * (personas, family devices, kiosks, the hub) are pure functions of (seed, index), so any range of people
 * can be generated independently and the output never depends on chunking.
 */
export interface SampleContext {
  readonly seed: number;
  readonly people: number;
  /** Seconds since the epoch. */
  readonly asOf: number;
  readonly windowStart: number;
  readonly eventsPerPerson: number;
  readonly activityScale: number;
  readonly rates: MessRates;
  readonly campaigns: readonly Campaign[];
  readonly time: TimestampFormatter;
  readonly hubMembers: number;
  /** Offset of the persona sequence (seed dependent). */
  readonly personaOffset: number;
}

export interface Campaign {
  readonly name: string;
  readonly at: number;
}

export const DAY = 86400;
export const WINDOW_DAYS = 120;
/** Salts for the independent random streams of one person. */
export const Salt = {
  Person: 1,
  Web: 2,
  App: 3,
  Records: 4,
  Email: 5,
  SignedUp: 6,
  Kiosk: 7,
  Family: 8,
  Device: 9,
} as const;

const GOLDEN = 0.6180339887498949;

export function createContext(
  seed: number,
  people: number,
  asOf: Date,
  eventsPerPerson: number,
  rates: Partial<MessRates> = {},
): SampleContext {
  const asOfSeconds = Math.floor(asOf.getTime() / 1000);
  const windowStart = asOfSeconds - WINDOW_DAYS * DAY;
  const meanActivity = PERSONAS.reduce((sum, p) => sum + PERSONA_SHARE[p] * PERSONA_ACTIVITY[p], 0);
  const merged = { ...DEFAULT_MESS_RATES, ...rates };
  return {
    seed,
    people,
    asOf: asOfSeconds,
    windowStart,
    eventsPerPerson,
    activityScale: eventsPerPerson / meanActivity,
    rates: merged,
    campaigns: campaignCalendar(windowStart, asOfSeconds),
    time: new TimestampFormatter(windowStart - 10 * DAY, asOfSeconds + 3 * DAY),
    hubMembers: Math.min(Math.max(120, Math.round(people * merged.hubEmail)), Math.floor(people / 4)),
    personaOffset: unit(hash3(seed, 0x5eed)),
  };
}

/** Persona of person i: stratified, so persona shares are near exact even for small samples. */
export function personaOf(ctx: SampleContext, i: number): Persona {
  const u = weyl(i, GOLDEN, ctx.personaOffset);
  let acc = 0;
  for (const p of PERSONAS) {
    acc += PERSONA_SHARE[p];
    if (u < acc) return p;
  }
  return 'crm_only';
}

/** Whether person i has an account (a user_id). Most customers do; some only ever check out as guests. */
export function isSignedUp(ctx: SampleContext, i: number): boolean {
  const p = personaOf(ctx, i);
  if (p === 'registered' || p === 'high_intent') return true;
  if (p === 'customer') return unit(hash3(ctx.seed, i, Salt.SignedUp)) >= 0.12;
  if (p === 'churned') return unit(hash3(ctx.seed, i, Salt.SignedUp)) >= 0.1;
  return false;
}

/** The family device person i shares (a block index), or -1: the first 2–4 account holders of each block. */
export function familyDeviceOf(ctx: SampleContext, i: number): number {
  if (!isSignedUp(ctx, i)) return -1;
  const block = Math.floor(i / ctx.rates.peoplePerFamilyDevice);
  const size = 2 + (hash3(ctx.seed, block, Salt.Family) % 3);
  let before = 0;
  for (let j = block * ctx.rates.peoplePerFamilyDevice; j < i; j++) {
    if (isSignedUp(ctx, j) && ++before >= size) return -1;
  }
  return block;
}

/** The store kiosk person i has logged in on (a block index), or -1. */
export function kioskOf(ctx: SampleContext, i: number): number {
  if (!isSignedUp(ctx, i) || hash3(ctx.seed, i, Salt.Kiosk) % 40 !== 0) return -1;
  return Math.floor(i / ctx.rates.peoplePerKiosk);
}

/** Whether person i types the planted hub email somewhere: exactly `hubMembers` people, spread evenly. */
export function isHubMember(ctx: SampleContext, i: number): boolean {
  return Math.floor(((i + 1) * ctx.hubMembers) / ctx.people) > Math.floor((i * ctx.hubMembers) / ctx.people);
}

/** A stratified per-person flag: true for a share `rate` of people, near exactly. */
export function stratified(ctx: SampleContext, i: number, rate: number, alpha: number): boolean {
  return weyl(i, alpha, unit(hash3(ctx.seed, Math.floor(alpha * 1e9)))) < rate;
}

function campaignCalendar(windowStart: number, asOf: number): readonly Campaign[] {
  const campaigns: Campaign[] = [];
  for (let t = windowStart + 3 * DAY + 9 * 3600; t < asOf - DAY; t += 14 * DAY) {
    campaigns.push({ name: `newsletter-${new Date(t * 1000).toISOString().slice(0, 10)}`, at: t });
  }
  campaigns.push({ name: 'product-launch-v2', at: windowStart + 45 * DAY + 15 * 3600 });
  campaigns.push({ name: 'webinar-invite-warehouse-native', at: windowStart + 80 * DAY + 14 * 3600 });
  campaigns.push({ name: 'pricing-update', at: windowStart + 104 * DAY + 16 * 3600 });
  return campaigns.sort((a, b) => a.at - b.at);
}
