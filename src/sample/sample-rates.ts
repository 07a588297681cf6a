/** Who the sample's people are, and how messy their data is. Every rate can be overridden per run. */

export type Persona =
  | 'anonymous' // browses, never identifies
  | 'lead' // filled in a form: email known, no account
  | 'registered' // has an account, never bought
  | 'high_intent' // account, viewed /pricing 3+ times in the last 7 days, never bought
  | 'customer' // bought (some only as guests)
  | 'churned' // bought early in the window, inactive for the last 50+ days
  | 'crm_only'; // only in HubSpot / Salesforce (and email campaigns)

export const PERSONAS: readonly Persona[] = [
  'anonymous',
  'lead',
  'registered',
  'high_intent',
  'customer',
  'churned',
  'crm_only',
];

/** Share of people per persona (sums to 1) and relative activity (events per person). */
export const PERSONA_SHARE: Readonly<Record<Persona, number>> = {
  anonymous: 0.34,
  lead: 0.12,
  registered: 0.16,
  high_intent: 0.04,
  customer: 0.18,
  churned: 0.08,
  crm_only: 0.08,
};

export const PERSONA_ACTIVITY: Readonly<Record<Persona, number>> = {
  anonymous: 0.5,
  lead: 0.8,
  registered: 1.2,
  high_intent: 1.5,
  customer: 1.8,
  churned: 1.0,
  crm_only: 0,
};

export interface MessRates {
  /** People whose email is sometimes typed with different capitalisation. */
  readonly emailMixedCase: number;
  /** People whose email sometimes also carries leading/trailing spaces (`  Jane.Doe@Example.COM `). */
  readonly emailPadded: number;
  /** Form fills that use a junk email (test@example.com, noreply@…, `null`, `undefined`, ''). */
  readonly junkFormEmail: number;
  /** Web events whose anonymous_id is junk (`undefined`, `null`, '') or missing. */
  readonly junkAnonymousId: number;
  /** Web/app events whose user_id is junk (`-1`, `0`, `null`, `undefined`, ''). */
  readonly junkUserId: number;
  /** App events whose device_id is the all-zero UUID (limited ad tracking) or missing/empty. */
  readonly junkDeviceId: number;
  /** Web/app events that arrive after asOf (up to 36 hours late); only people active until asOf have them. */
  readonly lateEvent: number;
  /** HubSpot contacts that have a duplicate contact for the same person. */
  readonly hubspotDuplicate: number;
  /** Salesforce contacts that have a duplicate contact. */
  readonly salesforceDuplicate: number;
  /** Known people who withdraw marketing consent (besides those who unsubscribe from an email). */
  readonly consentWithdrawn: number;
  /** Known people who file an erasure request (do_not_sync). */
  readonly erasureRequest: number;
  /** One family device (iPad shared by 2–4 people with their own user_ids) per this many people. */
  readonly peoplePerFamilyDevice: number;
  /** One store kiosk (used by ~1 in 40 account holders nearby) per this many people. */
  readonly peoplePerKiosk: number;
  /** Share of people who also type the planted hub email (at least 120 people, at most a quarter). */
  readonly hubEmail: number;
  /** Junk phone values in CRM contacts (`0000000000`, `n/a`). */
  readonly junkPhone: number;
}

export const DEFAULT_MESS_RATES: MessRates = {
  emailMixedCase: 0.08,
  emailPadded: 0.02,
  junkFormEmail: 0.03,
  junkAnonymousId: 0.001,
  junkUserId: 0.0005,
  junkDeviceId: 0.005,
  lateEvent: 0.003,
  hubspotDuplicate: 0.05,
  salesforceDuplicate: 0.03,
  consentWithdrawn: 0.08,
  erasureRequest: 0.004,
  peoplePerFamilyDevice: 100,
  peoplePerKiosk: 2000,
  hubEmail: 0.001,
  junkPhone: 0.01,
};

/** The planted hub: a fake email many people type into forms; no blocklist pattern catches it. */
export const HUB_EMAIL = 'none@none.com';
