import { permute48, salesforceId } from './ids.js';
import { Rng } from './rng.js';
import { company } from './sample-vocabulary.js';

/** The stream salt of company records (persons use 1-9, sample-context.ts). */
const COMPANY_SALT = 10;

/** How many companies a sample of `people` draws its B2B people from (person.ts): several people each. */
export function companyCount(people: number): number {
  return Math.max(5, Math.floor(people / 25));
}

/** One company's records in the account-level exports; ids are null where that system does not have it. */
export interface CompanyRecords {
  readonly index: number;
  readonly name: string;
  readonly domain: string;
  /** HubSpot company id (hubspot_companies.csv; hubspot_contacts.company_id). */
  readonly hubspotId: string | null;
  /** Salesforce Account id (salesforce_accounts.csv; salesforce_contacts.account_id). */
  readonly salesforceId: string | null;
  /** How the Salesforce Account's website is written: the domain with a scheme, `www.`, a path or other case. */
  readonly website: string;
  /** The product database's billing account (subscriptions.csv), with its monthly revenue. */
  readonly billingId: string | null;
  readonly mrr: number;
  readonly startedAtDay: number;
}

/** Company k's records: a pure function of (seed, k), like every person's. */
export function companyRecords(seed: number, k: number): CompanyRecords {
  const rng = new Rng(seed, k, COMPANY_SALT);
  const { name, domain } = company(k);
  const inHubspot = rng.chance(0.8);
  const inSalesforce = rng.chance(0.6);
  const subscribed = rng.chance(0.5);
  const spelling = rng.int(4);
  const website = [domain, `https://www.${domain}/`, `http://${domain}/about`, `WWW.${domain.toUpperCase()}`][spelling];
  return {
    index: k,
    name,
    domain,
    hubspotId: inHubspot ? String(permute48(k, seed ^ 0xc0c0)) : null,
    salesforceId: inSalesforce ? salesforceId('001', permute48(k, seed ^ 0xacc)) : null,
    website,
    billingId: subscribed ? `BA-${String(k + 1).padStart(6, '0')}` : null,
    mrr: 100 * (1 + rng.int(50)),
    startedAtDay: 30 + rng.int(700),
  };
}
