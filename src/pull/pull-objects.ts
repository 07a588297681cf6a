export { pulledTableName } from '../model/relations.js';
import type { LoadedProject } from '../config/load-project.js';
import { matchField, type DestinationConfig } from '../config/schema.js';

/** One CRM object `cdp pull` copies: the API name, a key-ish field, and the fields it keeps. */
export interface PullObject {
  readonly object: string;
  readonly keyField: string;
  readonly fields: readonly string[];
}

/**
 * What `cdp pull` copies from each kind of CRM (docs/pull.md): HubSpot contacts and companies,
 * Salesforce Contact, Lead and Account, with a few standard fields plus every field a connector
 * of the project writes on that object (so drift and reports can compare them).
 */
const DEFAULTS: Readonly<Record<DestinationConfig['type'], readonly PullObject[]>> = {
  hubspot: [
    { object: 'contacts', keyField: 'email', fields: ['email', 'firstname', 'lastname', 'phone', 'company', 'lifecyclestage', 'hs_additional_emails'] },
    { object: 'companies', keyField: 'name', fields: ['name', 'domain', 'website', 'country', 'lifecyclestage'] },
  ],
  salesforce: [
    { object: 'Contact', keyField: 'Email', fields: ['Email', 'FirstName', 'LastName', 'AccountId', 'Phone', 'Title'] },
    { object: 'Lead', keyField: 'Email', fields: ['Email', 'FirstName', 'LastName', 'Company', 'Status'] },
    { object: 'Account', keyField: 'Name', fields: ['Name', 'Website', 'Industry'] },
  ],
};

export function pullObjects(project: LoadedProject, destination: string): readonly PullObject[] {
  const config = project.config.destinations[destination];
  if (!config) return [];
  return DEFAULTS[config.type].map((o) => {
    const synced = project.syncs.filter((s) => s.destination === destination && s.object.toLowerCase() === o.object.toLowerCase()).flatMap((s) => [matchField(s.match), ...Object.keys(s.fields)]);
    const seen = new Set(o.fields.map((f) => f.toLowerCase()));
    return { ...o, fields: [...o.fields, ...synced.filter((f) => !seen.has(f.toLowerCase()) && (seen.add(f.toLowerCase()), true))] };
  });
}

/** The column a CRM field lands in: its name, lower-case. */
export function pulledColumn(field: string): string {
  return field.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}
