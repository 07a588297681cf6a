/** Field types a describe reports (docs/crm/salesforce.md#describe). */
export const FIELD_TYPES = [
  'id', 'string', 'email', 'phone', 'url', 'textarea', 'picklist', 'multipicklist', 'boolean',
  'int', 'double', 'currency', 'percent', 'date', 'datetime', 'reference',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export type FieldValue = string | number | boolean | null;

export interface PicklistValueSpec {
  readonly value: string;
  readonly label?: string;
  readonly defaultValue?: boolean;
  readonly active?: boolean;
}

/**
 * How a field is declared, both for the built-in objects and for `customFields` in the sandbox
 * options. Only `name` and `type` are required; everything else gets Salesforce's usual default for
 * the type (a custom text field is 255 long, a number 18 digits with 0 decimals, ...).
 */
export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  readonly label?: string;
  /** Text length (string, email, phone, url, textarea, picklist). */
  readonly length?: number;
  /** Total digits and decimals (double, currency, percent). */
  readonly precision?: number;
  readonly scale?: number;
  readonly externalId?: boolean;
  readonly unique?: boolean;
  /** Defaults to true for external ids and for `Id`; usable as an upsert key when true. */
  readonly idLookup?: boolean;
  readonly caseSensitive?: boolean;
  /** Whether the field may be empty. Defaults to true (false for booleans and `Id`). */
  readonly nillable?: boolean;
  readonly createable?: boolean;
  readonly updateable?: boolean;
  readonly defaultedOnCreate?: boolean;
  readonly calculated?: boolean;
  readonly filterable?: boolean;
  readonly nameField?: boolean;
  readonly defaultValue?: FieldValue;
  readonly picklistValues?: readonly (string | PicklistValueSpec)[];
  readonly restrictedPicklist?: boolean;
  readonly referenceTo?: readonly string[];
  readonly relationshipName?: string;
}

/** A field with every describe property settled. */
export interface SObjectField {
  readonly name: string;
  readonly label: string;
  readonly type: FieldType;
  readonly custom: boolean;
  readonly length: number;
  readonly byteLength: number;
  readonly digits: number;
  readonly precision: number;
  readonly scale: number;
  readonly soapType: string;
  readonly externalId: boolean;
  readonly unique: boolean;
  readonly idLookup: boolean;
  readonly caseSensitive: boolean;
  readonly nillable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly defaultedOnCreate: boolean;
  readonly calculated: boolean;
  readonly filterable: boolean;
  readonly sortable: boolean;
  readonly groupable: boolean;
  readonly nameField: boolean;
  readonly defaultValue: FieldValue;
  readonly picklistValues: readonly Required<PicklistValueSpec>[];
  readonly restrictedPicklist: boolean;
  readonly referenceTo: readonly string[];
  readonly relationshipName: string | null;
}

const TEXT_TYPES: ReadonlySet<FieldType> = new Set(['string', 'email', 'phone', 'url', 'textarea', 'picklist', 'multipicklist']);
const NUMBER_TYPES: ReadonlySet<FieldType> = new Set(['double', 'currency', 'percent']);

export function isTextType(type: FieldType): boolean {
  return TEXT_TYPES.has(type);
}

export function isNumberType(type: FieldType): boolean {
  return NUMBER_TYPES.has(type) || type === 'int';
}

const DEFAULT_LENGTH: Partial<Record<FieldType, number>> = {
  id: 18, reference: 18, string: 255, email: 80, phone: 40, url: 255, textarea: 255, picklist: 255, multipicklist: 4099,
};

const SOAP_TYPES: Record<FieldType, string> = {
  id: 'tns:ID', reference: 'tns:ID', string: 'xsd:string', email: 'xsd:string', phone: 'xsd:string', url: 'xsd:string',
  textarea: 'xsd:string', picklist: 'xsd:string', multipicklist: 'xsd:string', boolean: 'xsd:boolean', int: 'xsd:int',
  double: 'xsd:double', currency: 'xsd:double', percent: 'xsd:double', date: 'xsd:date', datetime: 'xsd:dateTime',
};

/** `CDP_Lifetime_Value__c` → `CDP Lifetime Value`. */
export function labelFromName(name: string): string {
  return name.replace(/__c$/, '').replace(/_/g, ' ').trim();
}

/** Settles every describe property of a field from its declaration. */
export function resolveField(spec: FieldSpec, custom: boolean): SObjectField {
  const type = spec.type;
  const text = isTextType(type) || type === 'id' || type === 'reference';
  const length = text ? spec.length ?? DEFAULT_LENGTH[type] ?? 255 : 0;
  const isId = type === 'id';
  const externalId = spec.externalId ?? false;
  const nillable = spec.nillable ?? !(type === 'boolean' || isId);
  const calculated = spec.calculated ?? false;
  const createable = spec.createable ?? (!isId && !calculated);
  const updateable = spec.updateable ?? (!isId && !calculated);
  const longText = type === 'textarea' && length > 255;
  const filterable = spec.filterable ?? (!longText && type !== 'multipicklist');
  const precision = NUMBER_TYPES.has(type) ? spec.precision ?? 18 : 0;
  const scale = NUMBER_TYPES.has(type) ? spec.scale ?? (type === 'currency' ? 2 : 0) : 0;
  const picklistValues = (spec.picklistValues ?? []).map((p) => {
    const v = typeof p === 'string' ? { value: p } : p;
    return { value: v.value, label: v.label ?? v.value, defaultValue: v.defaultValue ?? false, active: v.active ?? true };
  });
  return {
    name: spec.name,
    label: spec.label ?? labelFromName(spec.name),
    type,
    custom,
    length,
    byteLength: text ? length * 3 : 0,
    digits: type === 'int' ? 9 : 0,
    precision,
    scale,
    soapType: SOAP_TYPES[type],
    externalId,
    unique: spec.unique ?? false,
    idLookup: spec.idLookup ?? (isId || externalId),
    caseSensitive: spec.caseSensitive ?? false,
    nillable,
    createable,
    updateable,
    defaultedOnCreate: spec.defaultedOnCreate ?? (isId || type === 'boolean'),
    calculated,
    filterable,
    sortable: filterable,
    groupable: filterable && !NUMBER_TYPES.has(type) && type !== 'datetime',
    nameField: spec.nameField ?? false,
    defaultValue: spec.defaultValue ?? (type === 'boolean' ? false : null),
    picklistValues,
    restrictedPicklist: spec.restrictedPicklist ?? false,
    referenceTo: spec.referenceTo ?? [],
    relationshipName: spec.relationshipName ?? null,
  };
}

/** Problems with a custom field declaration (empty when it is fine). */
export function customFieldProblems(sobject: string, spec: FieldSpec): readonly string[] {
  const problems: string[] = [];
  const at = `customFields.${sobject}.${spec.name}`;
  if (!/^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*__c$/.test(spec.name)) {
    problems.push(`${at}: a custom field's API name must look like My_Field__c`);
  }
  if (!(FIELD_TYPES as readonly string[]).includes(spec.type) || spec.type === 'id') {
    problems.push(`${at}: type must be one of ${FIELD_TYPES.filter((t) => t !== 'id').join(', ')}`);
  }
  if (spec.type === 'reference' && (spec.referenceTo ?? []).length === 0) problems.push(`${at}: a reference needs referenceTo`);
  if (spec.externalId && !['string', 'email', 'int', 'double'].includes(spec.type)) {
    problems.push(`${at}: only text, email and number fields can be external ids`);
  }
  if (spec.length !== undefined && (spec.length < 1 || spec.length > 131072)) problems.push(`${at}: length must be 1..131072`);
  return problems;
}
