import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { CONTACTS } from './hubspot/hubspot-object-types.js';
import type { HubSpotSandbox } from './hubspot/hubspot-sandbox.js';
import type { SalesforceSandbox } from './salesforce/salesforce-sandbox.js';

/** How many records each sandbox was given. */
export interface SeededExports {
  readonly hubspotContacts: number;
  readonly salesforceContacts: number;
}

/**
 * Fills the sandboxes with the CRM contacts of the sample's exports (`data/hubspot_contacts.csv`,
 * `data/salesforce_contacts.csv`, written by `cdp generate`), so they start as the company's CRM
 * would: holding the contacts sales already has. `cdp run --pull` then reads them back
 * (docs/pull.md). Values are trimmed, as an import would. HubSpot refuses a second contact with an
 * email it holds, so later duplicates by email are left out; the org is imported the
 * same way (as with a duplicate rule on email: cdp upserts by email, which must name one record).
 * Salesforce requires a last name and refuses invalid emails, so those records are left out.
 */
export async function seedCrmExports(dir: string, sandboxes: { readonly hubspot: HubSpotSandbox; readonly salesforce: SalesforceSandbox }): Promise<SeededExports> {
  const hubspotRows = await rows(join(dir, 'data', 'hubspot_contacts.csv'));
  const emails = new Set<string>();
  let hubspotContacts = 0;
  for (const r of hubspotRows) {
    const email = (r.email ?? '').trim().toLowerCase();
    if (email !== '' && emails.has(email)) continue;
    if (email !== '') emails.add(email);
    const values = Object.fromEntries(
      Object.entries({ email, firstname: clean(r.firstname), lastname: clean(r.lastname), phone: clean(r.phone), lifecyclestage: clean(r.lifecyclestage) }).filter(
        (e): e is [string, string] => Boolean(e[1]),
      ),
    );
    sandboxes.hubspot.store.createRecord(CONTACTS, values);
    hubspotContacts++;
  }
  let salesforceContacts = 0;
  const sfEmails = new Set<string>();
  for (const r of await rows(join(dir, 'data', 'salesforce_contacts.csv'))) {
    const email = (r.email ?? '').trim().toLowerCase();
    if (email !== '' && sfEmails.has(email)) continue;
    if (email !== '') sfEmails.add(email);
    const record = { Email: clean(r.email), Phone: clean(r.phone), FirstName: clean(r.first_name), LastName: clean(r.last_name) ?? 'Unknown' };
    try {
      sandboxes.salesforce.seed('Contact', [record]);
      salesforceContacts++;
    } catch {
      // The org refuses it (an invalid email), as an import would: the export keeps it, the CRM does not.
    }
  }
  return { hubspotContacts, salesforceContacts };
}

/** Imports trim what people typed around a value; blanks are no value. */
function clean(value: string | undefined): string | null {
  const trimmed = (value ?? '').trim();
  return trimmed === '' ? null : trimmed;
}

async function rows(path: string): Promise<Record<string, string>[]> {
  if (!existsSync(path)) return [];
  return parse(await readFile(path, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}
