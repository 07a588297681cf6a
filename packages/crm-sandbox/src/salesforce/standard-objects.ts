import type { FieldSpec } from './field-spec.js';
import { KEY_PREFIXES } from './salesforce-ids.js';

/** A standard object as the sandbox models it: a realistic subset of its fields. */
export interface StandardObjectSpec {
  readonly name: string;
  readonly label: string;
  readonly labelPlural: string;
  readonly keyPrefix: string;
  /** False for objects the API cannot write (User). */
  readonly writable: boolean;
  readonly fields: readonly FieldSpec[];
}

const SYSTEM_FIELDS: readonly FieldSpec[] = [
  { name: 'IsDeleted', label: 'Deleted', type: 'boolean', createable: false, updateable: false, defaultedOnCreate: true },
  { name: 'CreatedDate', label: 'Created Date', type: 'datetime', createable: false, updateable: false, nillable: false, defaultedOnCreate: true },
  { name: 'CreatedById', label: 'Created By ID', type: 'reference', referenceTo: ['User'], relationshipName: 'CreatedBy', createable: false, updateable: false, nillable: false, defaultedOnCreate: true },
  { name: 'LastModifiedDate', label: 'Last Modified Date', type: 'datetime', createable: false, updateable: false, nillable: false, defaultedOnCreate: true },
  { name: 'LastModifiedById', label: 'Last Modified By ID', type: 'reference', referenceTo: ['User'], relationshipName: 'LastModifiedBy', createable: false, updateable: false, nillable: false, defaultedOnCreate: true },
  { name: 'SystemModstamp', label: 'System Modstamp', type: 'datetime', createable: false, updateable: false, nillable: false, defaultedOnCreate: true },
];

const idField = (label: string): FieldSpec => ({ name: 'Id', label, type: 'id', nillable: false, createable: false, updateable: false, defaultedOnCreate: true, idLookup: true });
const owner: FieldSpec = { name: 'OwnerId', label: 'Owner ID', type: 'reference', referenceTo: ['User'], relationshipName: 'Owner', nillable: false, defaultedOnCreate: true };
const personName: FieldSpec = { name: 'Name', label: 'Full Name', type: 'string', length: 121, createable: false, updateable: false, nameField: true, idLookup: true };
const salutation: FieldSpec = { name: 'Salutation', label: 'Salutation', type: 'picklist', length: 40, picklistValues: ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.', 'Mx.'] };
const leadSource: FieldSpec = { name: 'LeadSource', label: 'Lead Source', type: 'picklist', length: 255, picklistValues: ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'] };
/** Set on the losers of a merge (deleted, in the recycle bin), pointing at the surviving record. */
const masterRecord = (object: string): FieldSpec => ({ name: 'MasterRecordId', label: `Master Record ID`, type: 'reference', referenceTo: [object], relationshipName: 'MasterRecord', createable: false, updateable: false });
const optedOut: FieldSpec = { name: 'HasOptedOutOfEmail', label: 'Email Opt Out', type: 'boolean' };

export const STANDARD_OBJECTS: readonly StandardObjectSpec[] = [
  {
    name: 'Account', label: 'Account', labelPlural: 'Accounts', keyPrefix: KEY_PREFIXES.Account, writable: true,
    fields: [
      idField('Account ID'),
      { name: 'Name', label: 'Account Name', type: 'string', length: 255, nillable: false, nameField: true },
      { name: 'Website', label: 'Website', type: 'url', length: 255 },
      { name: 'Phone', label: 'Account Phone', type: 'phone', length: 40 },
      { name: 'Industry', label: 'Industry', type: 'picklist', length: 255, picklistValues: ['Agriculture', 'Banking', 'Education', 'Retail', 'Technology', 'Other'] },
      { name: 'NumberOfEmployees', label: 'Employees', type: 'int' },
      { name: 'Description', label: 'Account Description', type: 'textarea', length: 32000 },
      masterRecord('Account'),
      owner,
      ...SYSTEM_FIELDS,
    ],
  },
  {
    name: 'Contact', label: 'Contact', labelPlural: 'Contacts', keyPrefix: KEY_PREFIXES.Contact, writable: true,
    fields: [
      idField('Contact ID'),
      { name: 'AccountId', label: 'Account ID', type: 'reference', referenceTo: ['Account'], relationshipName: 'Account' },
      { name: 'LastName', label: 'Last Name', type: 'string', length: 80, nillable: false },
      { name: 'FirstName', label: 'First Name', type: 'string', length: 40 },
      salutation,
      personName,
      { name: 'MailingStreet', label: 'Mailing Street', type: 'textarea', length: 255 },
      { name: 'MailingCity', label: 'Mailing City', type: 'string', length: 40 },
      { name: 'MailingState', label: 'Mailing State/Province', type: 'string', length: 80 },
      { name: 'MailingPostalCode', label: 'Mailing Zip/Postal Code', type: 'string', length: 20 },
      { name: 'MailingCountry', label: 'Mailing Country', type: 'string', length: 80 },
      { name: 'Phone', label: 'Business Phone', type: 'phone', length: 40 },
      { name: 'MobilePhone', label: 'Mobile Phone', type: 'phone', length: 40 },
      { name: 'Email', label: 'Email', type: 'email', length: 80, idLookup: true },
      { name: 'Title', label: 'Title', type: 'string', length: 128 },
      { name: 'Department', label: 'Department', type: 'string', length: 80 },
      { name: 'Birthdate', label: 'Birthdate', type: 'date' },
      leadSource,
      { name: 'Description', label: 'Contact Description', type: 'textarea', length: 32000 },
      optedOut,
      { name: 'DoNotCall', label: 'Do Not Call', type: 'boolean' },
      masterRecord('Contact'),
      owner,
      ...SYSTEM_FIELDS,
    ],
  },
  {
    name: 'Lead', label: 'Lead', labelPlural: 'Leads', keyPrefix: KEY_PREFIXES.Lead, writable: true,
    fields: [
      idField('Lead ID'),
      { name: 'LastName', label: 'Last Name', type: 'string', length: 80, nillable: false },
      { name: 'FirstName', label: 'First Name', type: 'string', length: 40 },
      salutation,
      personName,
      { name: 'Title', label: 'Title', type: 'string', length: 128 },
      { name: 'Company', label: 'Company', type: 'string', length: 255, nillable: false },
      { name: 'City', label: 'City', type: 'string', length: 40 },
      { name: 'State', label: 'State/Province', type: 'string', length: 80 },
      { name: 'PostalCode', label: 'Zip/Postal Code', type: 'string', length: 20 },
      { name: 'Country', label: 'Country', type: 'string', length: 80 },
      { name: 'Phone', label: 'Phone', type: 'phone', length: 40 },
      { name: 'MobilePhone', label: 'Mobile Phone', type: 'phone', length: 40 },
      { name: 'Email', label: 'Email', type: 'email', length: 80, idLookup: true },
      { name: 'Website', label: 'Website', type: 'url', length: 255 },
      { name: 'Description', label: 'Description', type: 'textarea', length: 32000 },
      leadSource,
      {
        name: 'Status', label: 'Status', type: 'picklist', length: 255, nillable: false, defaultedOnCreate: true, defaultValue: 'Open - Not Contacted',
        picklistValues: [{ value: 'Open - Not Contacted', defaultValue: true }, 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'],
      },
      { name: 'Industry', label: 'Industry', type: 'picklist', length: 255, picklistValues: ['Agriculture', 'Banking', 'Education', 'Retail', 'Technology', 'Other'] },
      { name: 'AnnualRevenue', label: 'Annual Revenue', type: 'currency', precision: 18, scale: 0 },
      { name: 'NumberOfEmployees', label: 'Employees', type: 'int' },
      optedOut,
      { name: 'IsConverted', label: 'Converted', type: 'boolean', createable: false, updateable: false },
      masterRecord('Lead'),
      owner,
      ...SYSTEM_FIELDS,
    ],
  },
  {
    name: 'Campaign', label: 'Campaign', labelPlural: 'Campaigns', keyPrefix: KEY_PREFIXES.Campaign, writable: true,
    fields: [
      idField('Campaign ID'),
      { name: 'Name', label: 'Name', type: 'string', length: 80, nillable: false, nameField: true },
      { name: 'ParentId', label: 'Parent Campaign ID', type: 'reference', referenceTo: ['Campaign'], relationshipName: 'Parent' },
      { name: 'Type', label: 'Type', type: 'picklist', length: 255, picklistValues: ['Conference', 'Webinar', 'Email', 'Advertisement', 'Other'] },
      {
        name: 'Status', label: 'Status', type: 'picklist', length: 255, defaultValue: 'Planned',
        picklistValues: [{ value: 'Planned', defaultValue: true }, 'In Progress', 'Completed', 'Aborted'],
      },
      { name: 'StartDate', label: 'Start Date', type: 'date' },
      { name: 'EndDate', label: 'End Date', type: 'date' },
      { name: 'IsActive', label: 'Active', type: 'boolean' },
      { name: 'Description', label: 'Description', type: 'textarea', length: 32000 },
      owner,
      ...SYSTEM_FIELDS,
    ],
  },
  {
    name: 'CampaignMember', label: 'Campaign Member', labelPlural: 'Campaign Members', keyPrefix: KEY_PREFIXES.CampaignMember, writable: true,
    fields: [
      idField('Campaign Member ID'),
      { name: 'CampaignId', label: 'Campaign ID', type: 'reference', referenceTo: ['Campaign'], relationshipName: 'Campaign', nillable: false, updateable: false },
      { name: 'LeadId', label: 'Lead ID', type: 'reference', referenceTo: ['Lead'], relationshipName: 'Lead', updateable: false },
      { name: 'ContactId', label: 'Contact ID', type: 'reference', referenceTo: ['Contact'], relationshipName: 'Contact', updateable: false },
      { name: 'Status', label: 'Status', type: 'picklist', length: 40, defaultedOnCreate: true },
      { name: 'HasResponded', label: 'Responded', type: 'boolean', createable: false, updateable: false },
      { name: 'FirstRespondedDate', label: 'First Responded Date', type: 'date', createable: false, updateable: false },
      { name: 'Type', label: 'Type', type: 'string', length: 40, createable: false, updateable: false, calculated: true },
      ...SYSTEM_FIELDS,
    ],
  },
  {
    name: 'CampaignMemberStatus', label: 'Campaign Member Status', labelPlural: 'Campaign Member Statuses', keyPrefix: KEY_PREFIXES.CampaignMemberStatus, writable: true,
    fields: [
      idField('Campaign Member Status ID'),
      { name: 'CampaignId', label: 'Campaign ID', type: 'reference', referenceTo: ['Campaign'], nillable: false, updateable: false },
      { name: 'Label', label: 'Member Status', type: 'string', length: 765, nillable: false },
      { name: 'SortOrder', label: 'Sort Order', type: 'int' },
      { name: 'IsDefault', label: 'Is Default', type: 'boolean' },
      { name: 'HasResponded', label: 'Responded', type: 'boolean' },
      ...SYSTEM_FIELDS,
    ],
  },
  {
    name: 'User', label: 'User', labelPlural: 'Users', keyPrefix: KEY_PREFIXES.User, writable: false,
    fields: [
      idField('User ID'),
      { name: 'Username', label: 'Username', type: 'string', length: 80, nillable: false, unique: true, idLookup: true },
      { name: 'LastName', label: 'Last Name', type: 'string', length: 80, nillable: false },
      { name: 'FirstName', label: 'First Name', type: 'string', length: 40 },
      personName,
      { name: 'Email', label: 'Email', type: 'email', length: 128, nillable: false },
      { name: 'IsActive', label: 'Active', type: 'boolean' },
      ...SYSTEM_FIELDS,
    ],
  },
];
