import type { FieldType, PropertyDefinition, PropertyGroup, PropertyOption, PropertyType } from './hubspot-property-definition.js';
import type { HubSpotObjectType } from './hubspot-object-types.js';

/** The HubSpot-defined properties and groups every new sandbox portal starts with (a useful subset). */
export function defaultPropertyGroups(type: HubSpotObjectType): readonly PropertyGroup[] {
  return type.id === '0-1'
    ? [{ name: 'contactinformation', label: 'Contact information', displayOrder: 0, archived: false }]
    : [{ name: 'companyinformation', label: 'Company information', displayOrder: 0, archived: false }];
}

interface Spec {
  readonly name: string;
  readonly label: string;
  readonly type: PropertyType;
  readonly fieldType: FieldType;
  readonly readOnly?: boolean;
  readonly options?: readonly string[];
}

const LIFECYCLE_STAGES = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'];

const CONTACT_SPECS: readonly Spec[] = [
  { name: 'email', label: 'Email', type: 'string', fieldType: 'text' },
  { name: 'firstname', label: 'First Name', type: 'string', fieldType: 'text' },
  { name: 'lastname', label: 'Last Name', type: 'string', fieldType: 'text' },
  { name: 'phone', label: 'Phone Number', type: 'string', fieldType: 'phonenumber' },
  { name: 'mobilephone', label: 'Mobile Phone Number', type: 'string', fieldType: 'phonenumber' },
  { name: 'company', label: 'Company Name', type: 'string', fieldType: 'text' },
  { name: 'website', label: 'Website URL', type: 'string', fieldType: 'text' },
  { name: 'jobtitle', label: 'Job Title', type: 'string', fieldType: 'text' },
  { name: 'address', label: 'Street Address', type: 'string', fieldType: 'text' },
  { name: 'city', label: 'City', type: 'string', fieldType: 'text' },
  { name: 'state', label: 'State/Region', type: 'string', fieldType: 'text' },
  { name: 'zip', label: 'Postal Code', type: 'string', fieldType: 'text' },
  { name: 'country', label: 'Country/Region', type: 'string', fieldType: 'text' },
  { name: 'lifecyclestage', label: 'Lifecycle Stage', type: 'enumeration', fieldType: 'radio', options: LIFECYCLE_STAGES },
  { name: 'hs_object_id', label: 'Record ID', type: 'number', fieldType: 'number', readOnly: true },
  { name: 'createdate', label: 'Create Date', type: 'datetime', fieldType: 'date' },
  { name: 'lastmodifieddate', label: 'Last Modified Date', type: 'datetime', fieldType: 'date', readOnly: true },
  { name: 'hs_merged_object_ids', label: 'Merged Contact IDs', type: 'enumeration', fieldType: 'checkbox', readOnly: true },
  { name: 'hs_additional_emails', label: 'Additional email addresses', type: 'enumeration', fieldType: 'checkbox', readOnly: true },
];

const COMPANY_SPECS: readonly Spec[] = [
  { name: 'name', label: 'Company name', type: 'string', fieldType: 'text' },
  { name: 'domain', label: 'Company Domain Name', type: 'string', fieldType: 'text' },
  { name: 'website', label: 'Website URL', type: 'string', fieldType: 'text' },
  { name: 'phone', label: 'Phone Number', type: 'string', fieldType: 'phonenumber' },
  { name: 'city', label: 'City', type: 'string', fieldType: 'text' },
  { name: 'country', label: 'Country/Region', type: 'string', fieldType: 'text' },
  { name: 'description', label: 'Description', type: 'string', fieldType: 'textarea' },
  { name: 'numberofemployees', label: 'Number of Employees', type: 'number', fieldType: 'number' },
  { name: 'annualrevenue', label: 'Annual Revenue', type: 'number', fieldType: 'number' },
  { name: 'lifecyclestage', label: 'Lifecycle Stage', type: 'enumeration', fieldType: 'radio', options: LIFECYCLE_STAGES },
  { name: 'hs_object_id', label: 'Record ID', type: 'number', fieldType: 'number', readOnly: true },
  { name: 'createdate', label: 'Create Date', type: 'datetime', fieldType: 'date' },
  { name: 'hs_lastmodifieddate', label: 'Last Modified Date', type: 'datetime', fieldType: 'date', readOnly: true },
  { name: 'hs_merged_object_ids', label: 'Merged Company IDs', type: 'enumeration', fieldType: 'checkbox', readOnly: true },
];

export function defaultProperties(type: HubSpotObjectType, createdAt: string): readonly PropertyDefinition[] {
  const specs = type.id === '0-1' ? CONTACT_SPECS : COMPANY_SPECS;
  return specs.map((spec, index) => ({
    name: spec.name,
    label: spec.label,
    type: spec.type,
    fieldType: spec.fieldType,
    groupName: type.defaultGroup,
    description: '',
    options: (spec.options ?? []).map((value, i): PropertyOption => ({ label: value, value, displayOrder: i, hidden: false })),
    displayOrder: index,
    hasUniqueValue: false,
    hidden: false,
    formField: !spec.readOnly,
    calculated: false,
    externalOptions: false,
    hubspotDefined: true,
    createdAt,
    updatedAt: createdAt,
    archived: false,
    modificationMetadata: { archivable: false, readOnlyDefinition: true, readOnlyValue: spec.readOnly === true },
  }));
}
