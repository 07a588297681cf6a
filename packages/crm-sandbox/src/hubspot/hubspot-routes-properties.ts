import { emptyReply, jsonReply, type HttpReply } from '../http/http-reply.js';
import { errorReply, fail, failValidation } from './hubspot-errors.js';
import { invalidJson, isObject, optionalString, queryBoolean, requireArray, requireAttributes, requireObject, scalarString, type JsonObject } from './hubspot-json-input.js';
import type { HubSpotObjectType } from './hubspot-object-types.js';
import {
  FIELD_TYPES,
  FIELD_TYPES_BY_TYPE,
  PROPERTY_TYPES,
  type FieldType,
  type PropertyDefinition,
  type PropertyGroup,
  type PropertyOption,
  type PropertyType,
} from './hubspot-property-definition.js';
import { objectTypeParam, type RouteContext, type RouteDefinition } from './hubspot-route-context.js';

/** UNCONFIRMED (docs/crm/hubspot.md#properties: "about 10"). */
export const MAX_UNIQUE_PROPERTIES = 10;

/** `/crm/v3/properties/{objectType}[/{propertyName}]` and `/groups` (docs/crm/hubspot.md#properties). */
export const propertyRoutes: readonly RouteDefinition[] = [
  { method: 'GET', template: '/crm/v3/properties/{objectType}', writes: false, handler: getAll },
  { method: 'POST', template: '/crm/v3/properties/{objectType}', writes: true, handler: create },
  { method: 'GET', template: '/crm/v3/properties/{objectType}/{propertyName}', writes: false, handler: getByName },
  { method: 'PATCH', template: '/crm/v3/properties/{objectType}/{propertyName}', writes: true, handler: update },
  { method: 'DELETE', template: '/crm/v3/properties/{objectType}/{propertyName}', writes: true, handler: archive },
  { method: 'GET', template: '/crm/v3/properties/{objectType}/groups', writes: false, handler: getGroups },
  { method: 'POST', template: '/crm/v3/properties/{objectType}/groups', writes: true, handler: createGroup },
  { method: 'GET', template: '/crm/v3/properties/{objectType}/groups/{groupName}', writes: false, handler: getGroup },
  { method: 'PATCH', template: '/crm/v3/properties/{objectType}/groups/{groupName}', writes: true, handler: updateGroup },
  { method: 'DELETE', template: '/crm/v3/properties/{objectType}/groups/{groupName}', writes: true, handler: archiveGroup },
];

const NAME = /^[a-z][a-z0-9_]*$/;

function getAll(ctx: RouteContext): HttpReply {
  return jsonReply(200, { results: ctx.store.allProperties(objectTypeParam(ctx), queryBoolean(ctx.query, 'archived')) });
}

// UNCONFIRMED: 404 and its wording for an unknown property (docs/crm/hubspot.md#properties).
function requireProperty(ctx: RouteContext, type: HubSpotObjectType, archived = false): PropertyDefinition {
  const name = ctx.params.propertyName ?? '';
  const definition = ctx.store.property(type, name);
  if (!definition || definition.archived !== archived) fail(404, 'OBJECT_NOT_FOUND', `Property "${name}" does not exist`);
  return definition;
}

function getByName(ctx: RouteContext): HttpReply {
  return jsonReply(200, requireProperty(ctx, objectTypeParam(ctx), queryBoolean(ctx.query, 'archived')));
}

function create(ctx: RouteContext): HttpReply {
  const type = objectTypeParam(ctx);
  const body = requireObject(ctx.body, 'PropertyCreate');
  requireAttributes(body, 'PropertyCreate', ['name', 'label', 'type', 'fieldType', 'groupName']);
  const name = scalarString(body.name, 'name');
  if (!NAME.test(name)) failValidation(`Property name "${name}" is invalid: use lowercase letters, digits and underscores, starting with a letter`);
  if (name.startsWith('hs_')) failValidation(`Property name "${name}" is invalid: the hs_ prefix is reserved for HubSpot-defined properties`);
  const existing = ctx.store.property(type, name);
  if (existing && !existing.archived) return errorReply(409, 'OBJECT_ALREADY_EXISTS', `Property named '${name}' already exists.`);
  const propertyType = enumValue(body.type, PROPERTY_TYPES, 'PropertyType');
  const fieldType = enumValue(body.fieldType, FIELD_TYPES, 'FieldType');
  checkPairing(propertyType, fieldType);
  const groupName = requireGroupName(ctx, type, scalarString(body.groupName, 'groupName'));
  const options = definitionOptions(propertyType, fieldType, body.options);
  const hasUniqueValue = body.hasUniqueValue === true;
  if (hasUniqueValue && ctx.store.allProperties(type).filter((p) => p.hasUniqueValue).length >= MAX_UNIQUE_PROPERTIES) {
    failValidation(`Cannot create more than ${MAX_UNIQUE_PROPERTIES} properties with unique values for object type ${type.id}`);
  }
  const now = ctx.store.timestamp();
  const definition: PropertyDefinition = {
    name,
    label: scalarString(body.label, 'label'),
    type: propertyType,
    fieldType,
    groupName,
    description: optionalString(body.description, 'description') ?? '',
    options,
    displayOrder: typeof body.displayOrder === 'number' ? body.displayOrder : -1,
    hasUniqueValue,
    hidden: body.hidden === true,
    formField: body.formField === true,
    calculated: false,
    externalOptions: body.externalOptions === true,
    hubspotDefined: false,
    createdAt: now,
    updatedAt: now,
    archived: false,
    modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
  };
  // UNCONFIRMED: re-creating an archived property's name replaces the archived definition.
  ctx.store.putProperty(type, definition);
  return jsonReply(201, definition);
}

function update(ctx: RouteContext): HttpReply {
  const type = objectTypeParam(ctx);
  const current = requireProperty(ctx, type);
  const body = requireObject(ctx.body, 'PropertyUpdate');
  if (current.modificationMetadata.readOnlyDefinition) failValidation(`Property "${current.name}" is HubSpot-defined and its definition cannot be changed`);
  if (body.hasUniqueValue !== undefined && body.hasUniqueValue !== current.hasUniqueValue) {
    failValidation(`hasUniqueValue of property "${current.name}" cannot be changed after creation`);
  }
  const propertyType = body.type !== undefined ? enumValue(body.type, PROPERTY_TYPES, 'PropertyType') : current.type;
  const fieldType = body.fieldType !== undefined ? enumValue(body.fieldType, FIELD_TYPES, 'FieldType') : current.fieldType;
  checkPairing(propertyType, fieldType);
  const updated: PropertyDefinition = {
    ...current,
    label: optionalString(body.label, 'label') ?? current.label,
    description: optionalString(body.description, 'description') ?? current.description,
    groupName: body.groupName !== undefined ? requireGroupName(ctx, type, scalarString(body.groupName, 'groupName')) : current.groupName,
    type: propertyType,
    fieldType,
    options: body.options !== undefined || propertyType !== current.type ? definitionOptions(propertyType, fieldType, body.options ?? current.options) : current.options,
    displayOrder: typeof body.displayOrder === 'number' ? body.displayOrder : current.displayOrder,
    hidden: typeof body.hidden === 'boolean' ? body.hidden : current.hidden,
    formField: typeof body.formField === 'boolean' ? body.formField : current.formField,
    updatedAt: ctx.store.timestamp(),
  };
  ctx.store.putProperty(type, updated);
  return jsonReply(200, updated);
}

function archive(ctx: RouteContext): HttpReply {
  const type = objectTypeParam(ctx);
  const current = requireProperty(ctx, type);
  if (!current.modificationMetadata.archivable) failValidation(`Property "${current.name}" is HubSpot-defined and cannot be archived`);
  const now = ctx.store.timestamp();
  ctx.store.putProperty(type, { ...current, archived: true, archivedAt: now, updatedAt: now });
  return emptyReply(204);
}

function enumValue<T extends string>(raw: unknown, allowed: readonly T[], enumName: string): T {
  const value = scalarString(raw, enumName);
  const found = allowed.find((a) => a === value);
  return found ?? invalidJson(`Cannot deserialize value of type \`${enumName}\` from String "${value}": not one of the values accepted for Enum class: [${allowed.join(', ')}]`);
}

// UNCONFIRMED: the wording; the pairings follow docs/crm/hubspot.md#properties.
function checkPairing(type: PropertyType, fieldType: FieldType): void {
  if (!FIELD_TYPES_BY_TYPE[type].includes(fieldType)) {
    failValidation(`Property type ${type} is not compatible with field type ${fieldType}. Allowed field types: [${FIELD_TYPES_BY_TYPE[type].join(', ')}]`);
  }
}

function requireGroupName(ctx: RouteContext, type: HubSpotObjectType, groupName: string): string {
  const group = ctx.store.group(type, groupName);
  if (!group || group.archived) failValidation(`Property group ${groupName} does not exist`);
  return groupName;
}

function definitionOptions(type: PropertyType, fieldType: FieldType, raw: unknown): readonly PropertyOption[] {
  if (type === 'bool') {
    return [
      { label: 'Yes', value: 'true', displayOrder: 0, hidden: false },
      { label: 'No', value: 'false', displayOrder: 1, hidden: false },
    ];
  }
  if (type !== 'enumeration') return [];
  const list = raw === undefined || raw === null ? [] : requireArray(raw, 'OptionInput');
  if (list.length === 0 && fieldType !== 'booleancheckbox') failValidation('Enumeration properties must have at least one option');
  const options = list.map((o, i): PropertyOption => {
    const option: JsonObject = isObject(o) ? o : invalidJson('Cannot construct instance of `OptionInput`: expected a JSON object');
    requireAttributes(option, 'OptionInput', ['label', 'value']);
    return {
      label: scalarString(option.label, 'label'),
      value: scalarString(option.value, 'value'),
      displayOrder: typeof option.displayOrder === 'number' ? option.displayOrder : i,
      hidden: option.hidden === true,
      ...(option.description !== undefined ? { description: scalarString(option.description, 'description') } : {}),
    };
  });
  return options.length > 0 ? options : [
    { label: 'Yes', value: 'true', displayOrder: 0, hidden: false },
    { label: 'No', value: 'false', displayOrder: 1, hidden: false },
  ];
}

// ---- groups -------------------------------------------------------------------------------------

function requireGroup(ctx: RouteContext, type: HubSpotObjectType): PropertyGroup {
  const name = ctx.params.groupName ?? '';
  const group = ctx.store.group(type, name);
  if (!group || group.archived) fail(404, 'OBJECT_NOT_FOUND', `Property group ${name} does not exist`);
  return group;
}

function getGroups(ctx: RouteContext): HttpReply {
  return jsonReply(200, { results: ctx.store.allGroups(objectTypeParam(ctx)) });
}

function getGroup(ctx: RouteContext): HttpReply {
  return jsonReply(200, requireGroup(ctx, objectTypeParam(ctx)));
}

function createGroup(ctx: RouteContext): HttpReply {
  const type = objectTypeParam(ctx);
  const body = requireObject(ctx.body, 'PropertyGroupCreate');
  requireAttributes(body, 'PropertyGroupCreate', ['name', 'label']);
  const name = scalarString(body.name, 'name');
  if (!NAME.test(name)) failValidation(`Property group name "${name}" is invalid: use lowercase letters, digits and underscores, starting with a letter`);
  const existing = ctx.store.group(type, name);
  if (existing && !existing.archived) return errorReply(409, 'OBJECT_ALREADY_EXISTS', `Property group named '${name}' already exists.`);
  const group: PropertyGroup = {
    name,
    label: scalarString(body.label, 'label'),
    displayOrder: typeof body.displayOrder === 'number' ? body.displayOrder : -1,
    archived: false,
  };
  ctx.store.putGroup(type, group);
  return jsonReply(201, group);
}

function updateGroup(ctx: RouteContext): HttpReply {
  const type = objectTypeParam(ctx);
  const current = requireGroup(ctx, type);
  const body = requireObject(ctx.body, 'PropertyGroupUpdate');
  const group: PropertyGroup = {
    ...current,
    label: optionalString(body.label, 'label') ?? current.label,
    displayOrder: typeof body.displayOrder === 'number' ? body.displayOrder : current.displayOrder,
  };
  ctx.store.putGroup(type, group);
  return jsonReply(200, group);
}

function archiveGroup(ctx: RouteContext): HttpReply {
  const type = objectTypeParam(ctx);
  ctx.store.putGroup(type, { ...requireGroup(ctx, type), archived: true });
  return emptyReply(204);
}
