import type { SObjectField } from './field-spec.js';
import type { SchemaRegistry, SObjectSchema } from './schema-registry.js';

/** `/services/data/vXX.X` for links inside describe and query results. */
export type VersionPath = string;

function objectUrls(base: VersionPath, name: string): Record<string, string> {
  const s = `${base}/sobjects/${name}`;
  return {
    compactLayouts: `${s}/describe/compactLayouts`,
    rowTemplate: `${s}/{ID}`,
    approvalLayouts: `${s}/describe/approvalLayouts`,
    defaultValues: `${s}/defaultValues?recordTypeId&fields`,
    listviews: `${s}/listviews`,
    describe: `${s}/describe`,
    quickActions: `${s}/quickActions`,
    layouts: `${s}/describe/layouts`,
    sobject: s,
  };
}

function globalEntry(base: VersionPath, schema: SObjectSchema): Record<string, unknown> {
  const w = schema.writable;
  return {
    activateable: false,
    associateEntityType: null,
    associateParentEntity: null,
    createable: w,
    custom: false,
    customSetting: false,
    deepCloneable: false,
    deletable: w,
    deprecatedAndHidden: false,
    feedEnabled: schema.name !== 'CampaignMemberStatus',
    hasSubtypes: false,
    isInterface: false,
    isSubtype: false,
    keyPrefix: schema.keyPrefix,
    label: schema.label,
    labelPlural: schema.labelPlural,
    layoutable: true,
    mergeable: ['Account', 'Contact', 'Lead'].includes(schema.name),
    mruEnabled: true,
    name: schema.name,
    queryable: true,
    replicateable: true,
    retrieveable: true,
    searchable: schema.name !== 'CampaignMemberStatus',
    triggerable: true,
    undeletable: w,
    updateable: w,
    urls: objectUrls(base, schema.name),
  };
}

/** Every key of jsforce's `Field` type (types/common.d.ts), filled. */
export function describeField(field: SObjectField): Record<string, unknown> {
  return {
    aggregatable: field.groupable || field.type === 'double' || field.type === 'int' || field.type === 'currency',
    aiPredictionField: false,
    autoNumber: false,
    byteLength: field.byteLength,
    calculated: field.calculated,
    calculatedFormula: null,
    cascadeDelete: false,
    caseSensitive: field.caseSensitive,
    compoundFieldName: null,
    controllerName: null,
    createable: field.createable,
    custom: field.custom,
    defaultValue: field.type === 'boolean' ? field.defaultValue : null,
    defaultValueFormula: null,
    defaultedOnCreate: field.defaultedOnCreate,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: field.digits,
    displayLocationInDecimal: false,
    encrypted: false,
    externalId: field.externalId,
    extraTypeInfo: field.type === 'textarea' ? 'plaintextarea' : null,
    filterable: field.filterable,
    filteredLookupInfo: null,
    formulaTreatNullNumberAsZero: false,
    groupable: field.groupable,
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: field.idLookup,
    inlineHelpText: null,
    label: field.label,
    length: field.length,
    mask: null,
    maskType: null,
    name: field.name,
    nameField: field.nameField,
    namePointing: false,
    nillable: field.nillable,
    permissionable: field.nillable && field.createable,
    picklistValues: field.picklistValues.map((p) => ({ active: p.active, defaultValue: p.defaultValue, label: p.label, validFor: null, value: p.value })),
    polymorphicForeignKey: false,
    precision: field.precision,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo: [...field.referenceTo],
    relationshipName: field.relationshipName,
    relationshipOrder: null,
    restrictedDelete: false,
    restrictedPicklist: field.restrictedPicklist,
    scale: field.scale,
    searchPrefilterable: field.type === 'reference',
    soapType: field.soapType,
    sortable: field.sortable,
    type: field.type,
    unique: field.unique,
    updateable: field.updateable,
    writeRequiresMasterRead: false,
  };
}

/** `GET /sobjects/{S}/describe`. */
export function describeSObject(base: VersionPath, registry: SchemaRegistry, schema: SObjectSchema): Record<string, unknown> {
  return {
    actionOverrides: [],
    ...globalEntry(base, schema),
    childRelationships: registry.childRelationships(schema.name).map((c) => ({
      cascadeDelete: c.childSObject === 'CampaignMember' || c.childSObject === 'CampaignMemberStatus',
      childSObject: c.childSObject,
      deprecatedAndHidden: false,
      field: c.field,
      junctionIdListNames: [],
      junctionReferenceTo: [],
      relationshipName: c.childSObject === 'CampaignMember' ? 'CampaignMembers' : null,
      restrictedDelete: false,
    })),
    compactLayoutable: true,
    defaultImplementation: null,
    extendedBy: null,
    extendsInterfaces: null,
    fields: schema.fields.map(describeField),
    implementedBy: null,
    implementsInterfaces: null,
    listviewable: null,
    lookupLayoutable: null,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    recordTypeInfos: [
      {
        active: true,
        available: true,
        defaultRecordTypeMapping: true,
        developerName: 'Master',
        master: true,
        name: 'Master',
        recordTypeId: '012000000000000AAA',
        urls: { layout: `${base}/sobjects/${schema.name}/describe/layouts/012000000000000AAA` },
      },
    ],
    searchLayoutable: true,
    sobjectDescribeOption: 'FULL',
    supportedScopes: [
      { label: `All ${schema.labelPlural.toLowerCase()}`, name: 'everything' },
      { label: `My ${schema.labelPlural.toLowerCase()}`, name: 'mine' },
    ],
  };
}

/** `GET /sobjects/`. */
export function describeGlobal(base: VersionPath, registry: SchemaRegistry): Record<string, unknown> {
  return { encoding: 'UTF-8', maxBatchSize: 200, sobjects: registry.all().map((s) => globalEntry(base, s)) };
}
