/** The CRM object types the sandbox emulates, with the per-type facts the routes need. */
export type ObjectTypeId = '0-1' | '0-2';

export interface HubSpotObjectType {
  readonly id: ObjectTypeId;
  /** Plural path name used in URLs and stats keys. */
  readonly path: 'contacts' | 'companies';
  /** Used in messages such as "Could not get some CONTACT objects…". */
  readonly upper: 'CONTACT' | 'COMPANY';
  readonly label: 'Contact' | 'Company';
  /** Contacts keep `lastmodifieddate`; companies `hs_lastmodifieddate`. */
  readonly modifiedProperty: 'lastmodifieddate' | 'hs_lastmodifieddate';
  /** Returned by reads and search when the request names no properties. */
  readonly defaultProperties: readonly string[];
  /** Searched by the free-text `query` of a search request. */
  readonly queryProperties: readonly string[];
  /** A built-in property that may serve as `idProperty` (contacts: email; companies: none). */
  readonly builtInUniqueProperty?: 'email';
  readonly defaultGroup: string;
}

export const CONTACTS: HubSpotObjectType = {
  id: '0-1',
  path: 'contacts',
  upper: 'CONTACT',
  label: 'Contact',
  modifiedProperty: 'lastmodifieddate',
  defaultProperties: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  queryProperties: ['email', 'firstname', 'lastname', 'phone', 'company', 'website'],
  builtInUniqueProperty: 'email',
  defaultGroup: 'contactinformation',
};

export const COMPANIES: HubSpotObjectType = {
  id: '0-2',
  path: 'companies',
  upper: 'COMPANY',
  label: 'Company',
  modifiedProperty: 'hs_lastmodifieddate',
  defaultProperties: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
  queryProperties: ['name', 'domain', 'website', 'phone'],
  defaultGroup: 'companyinformation',
};

export const OBJECT_TYPES: readonly HubSpotObjectType[] = [CONTACTS, COMPANIES];

const ALIASES: ReadonlyMap<string, HubSpotObjectType> = new Map([
  ['0-1', CONTACTS],
  ['contacts', CONTACTS],
  ['contact', CONTACTS],
  ['0-2', COMPANIES],
  ['companies', COMPANIES],
  ['company', COMPANIES],
]);

/** HubSpot accepts the type id, the plural and the singular name (case-insensitively). */
export function resolveObjectType(name: string): HubSpotObjectType | undefined {
  return ALIASES.get(name.toLowerCase());
}

export function objectTypeById(id: ObjectTypeId): HubSpotObjectType {
  return id === '0-1' ? CONTACTS : COMPANIES;
}
