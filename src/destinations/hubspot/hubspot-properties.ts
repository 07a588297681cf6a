import type { Client } from '@hubspot/api-client';
import { PropertyCreateFieldTypeEnum, PropertyCreateTypeEnum } from '@hubspot/api-client/lib/codegen/crm/properties/index.js';
import { error, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { suggestion } from '../../diagnostics/did-you-mean.js';
import type { BatchFailure, FieldSpec, SyncSpec, Transport } from '../destination.js';
import { DestinationStopped } from '../destination-stopped.js';
import type { HubSpotObject } from './hubspot-object.js';
import { hubspotPropertyType } from './hubspot-values.js';

/** The property group cdp creates its properties in. */
export const CDP_GROUP = { name: 'cdp', label: 'cdp (customer data platform)' } as const;

const CREATABLE_NAME = /^[a-z][a-z0-9_]*$/;

const TYPE_ENUM: Readonly<Record<string, PropertyCreateTypeEnum>> = {
  string: PropertyCreateTypeEnum.String,
  number: PropertyCreateTypeEnum.Number,
  bool: PropertyCreateTypeEnum.Bool,
  datetime: PropertyCreateTypeEnum.Datetime,
  date: PropertyCreateTypeEnum.Date,
};
const FIELD_TYPE_ENUM: Readonly<Record<string, PropertyCreateFieldTypeEnum>> = {
  text: PropertyCreateFieldTypeEnum.Text,
  number: PropertyCreateFieldTypeEnum.Number,
  booleancheckbox: PropertyCreateFieldTypeEnum.Booleancheckbox,
  date: PropertyCreateFieldTypeEnum.Date,
};

interface Existing {
  readonly name: string;
  readonly hasUniqueValue: boolean;
  readonly readOnly: boolean;
}

export interface PropertyContext {
  readonly client: Client;
  readonly transport: Transport;
  readonly classify: (error: unknown) => BatchFailure;
  readonly object: HubSpotObject;
  readonly destination: string;
}

/**
 * Checks that every field the sync writes exists and is writable, and that the match field can
 * identify records (email, or a property with unique values). With `create_fields` missing ones are
 * created in the `cdp` group with a type following the trait's warehouse type. Returns diagnostics
 * (pointing into the connector file) instead of throwing; notes list what was created.
 */
export async function ensureProperties(ctx: PropertyContext, spec: SyncSpec): Promise<{ diagnostics: Diagnostic[]; notes: string[] }> {
  const { client, transport, classify, object } = ctx;
  const all = await transport.call(() => client.crm.properties.coreApi.getAll(object.path), classify);
  const existing = new Map<string, Existing>(
    all.results.map((p) => [p.name, { name: p.name, hasUniqueValue: p.hasUniqueValue === true, readOnly: p.modificationMetadata?.readOnlyValue === true }]),
  );
  const diagnostics: Diagnostic[] = [];
  const toCreate: { readonly field: FieldSpec; readonly unique: boolean }[] = [];
  const missing = (field: FieldSpec, unique: boolean): void => {
    if (!spec.createFields) {
      diagnostics.push(
        error(
          'unknown-field',
          `HubSpot ${object.path} have no property '${field.name}' (destination '${ctx.destination}', sync '${spec.sync}')`,
          field.at,
          suggestion(field.name, existing.keys()) ?? 'create it in HubSpot, or set create_fields: true in the connector',
        ),
      );
    } else if (!CREATABLE_NAME.test(field.name) || field.name.startsWith('hs_')) {
      diagnostics.push(error('invalid-field-name', `cannot create HubSpot property '${field.name}'`, field.at, 'use lowercase letters, digits and underscores, starting with a letter and not hs_'));
    } else if (!toCreate.some((c) => c.field.name === field.name)) {
      toCreate.push({ field, unique });
    }
  };

  if (object.builtInKey !== spec.match.name) {
    const key = existing.get(spec.match.name);
    if (!key) missing(spec.match, true);
    else if (!key.hasUniqueValue) {
      diagnostics.push(
        error(
          'match-not-unique',
          `HubSpot property '${spec.match.name}' does not have unique values, so it cannot identify ${object.path}`,
          spec.match.at,
          object.builtInKey ? `match on ${object.builtInKey}, or on a custom property created with unique values` : 'match on a custom property created with unique values',
        ),
      );
    }
  }
  for (const field of spec.fields) {
    if (field.name === spec.match.name) continue;
    const found = existing.get(field.name);
    if (!found) missing(field, false);
    else if (found.readOnly) diagnostics.push(error('read-only-field', `HubSpot property '${field.name}' is read-only`, field.at, 'map the trait to a writable property'));
  }
  if (diagnostics.length > 0 || toCreate.length === 0) return { diagnostics, notes: [] };

  await ensureGroup(ctx);
  const notes: string[] = [];
  for (const { field, unique } of toCreate) {
    const kind = hubspotPropertyType(field.type);
    const body = {
      name: field.name,
      label: field.name,
      description: `Written by cdp (sync ${spec.sync})`,
      groupName: CDP_GROUP.name,
      type: TYPE_ENUM[kind.type],
      fieldType: FIELD_TYPE_ENUM[kind.fieldType],
      ...(kind.type === 'bool'
        ? { options: [{ label: 'Yes', value: 'true', displayOrder: 0, hidden: false }, { label: 'No', value: 'false', displayOrder: 1, hidden: false }] }
        : {}),
      ...(unique ? { hasUniqueValue: true } : {}),
    };
    await ignoringConflict(() => transport.call(() => client.crm.properties.coreApi.create(object.path, body), classify));
    notes.push(`created HubSpot ${object.path} property ${field.name} (${kind.type})`);
  }
  return { diagnostics, notes };
}

async function ensureGroup(ctx: PropertyContext): Promise<void> {
  const groups = await ctx.transport.call(() => ctx.client.crm.properties.groupsApi.getAll(ctx.object.path), ctx.classify);
  if (groups.results.some((g) => g.name === CDP_GROUP.name)) return;
  await ignoringConflict(() => ctx.transport.call(() => ctx.client.crm.properties.groupsApi.create(ctx.object.path, { ...CDP_GROUP }), ctx.classify));
}

/** Something created concurrently (409 OBJECT_ALREADY_EXISTS) is as good as created. */
async function ignoringConflict(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (e) {
    if (e instanceof DestinationStopped && e.failure.code === 'OBJECT_ALREADY_EXISTS') return;
    throw e;
  }
}
