/** Property and property-group definitions as HubSpot's properties API returns them. */
export type PropertyType = 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool' | 'phone_number';
export const PROPERTY_TYPES: readonly PropertyType[] = ['string', 'number', 'date', 'datetime', 'enumeration', 'bool', 'phone_number'];

export const FIELD_TYPES = [
  'text', 'textarea', 'date', 'file', 'number', 'select', 'radio', 'checkbox', 'booleancheckbox',
  'calculation_equation', 'html', 'phonenumber',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/**
 * Which fieldTypes go with which type. UNCONFIRMED in detail (docs/crm/hubspot.md#properties); chosen from HubSpot's docs table:
 * phone_number also takes phonenumber/text, and calculation_equation is allowed for number.
 */
export const FIELD_TYPES_BY_TYPE: Readonly<Record<PropertyType, readonly FieldType[]>> = {
  bool: ['booleancheckbox'],
  enumeration: ['select', 'radio', 'checkbox', 'booleancheckbox'],
  date: ['date'],
  datetime: ['date'],
  number: ['number', 'calculation_equation'],
  string: ['text', 'textarea', 'html', 'phonenumber', 'file'],
  phone_number: ['phonenumber', 'text'],
};

export interface PropertyOption {
  readonly label: string;
  readonly value: string;
  readonly displayOrder: number;
  readonly hidden: boolean;
  readonly description?: string;
}

export interface PropertyDefinition {
  readonly name: string;
  readonly label: string;
  readonly type: PropertyType;
  readonly fieldType: FieldType;
  readonly groupName: string;
  readonly description: string;
  readonly options: readonly PropertyOption[];
  readonly displayOrder: number;
  readonly hasUniqueValue: boolean;
  readonly hidden: boolean;
  readonly formField: boolean;
  readonly calculated: boolean;
  readonly externalOptions: boolean;
  readonly hubspotDefined: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly archived: boolean;
  readonly archivedAt?: string;
  readonly modificationMetadata: {
    readonly archivable: boolean;
    readonly readOnlyDefinition: boolean;
    readonly readOnlyValue: boolean;
  };
}

export interface PropertyGroup {
  readonly name: string;
  readonly label: string;
  readonly displayOrder: number;
  readonly archived: boolean;
}
