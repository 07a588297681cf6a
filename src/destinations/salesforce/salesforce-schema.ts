import { error, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { suggestion } from '../../diagnostics/did-you-mean.js';
import type { FieldSpec, SyncSpec } from '../destination.js';
import { acceptsTrait, suggestedFieldType } from './salesforce-values.js';

/** The parts of a describe field (docs/crm/salesforce.md#describe) cdp reads. */
export interface DescribedField {
  readonly name: string;
  readonly type: string;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly externalId: boolean;
  readonly idLookup: boolean;
  readonly nillable: boolean;
  /** Lookups: the objects referred to and the relationship name (`AccountId` -> `Account`). */
  readonly referenceTo?: readonly string[];
  readonly relationshipName?: string | null;
}

export interface DescribedObject {
  readonly name: string;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly fields: readonly DescribedField[];
}

/** A destination field as cdp writes it: the canonical API name, its describe type, whether it may be empty. */
export interface WritableField {
  readonly name: string;
  readonly type: string;
  readonly nillable: boolean;
}

/** How one sync writes its object: the upsert key and each connector field's Salesforce field. */
export interface ObjectPlan {
  readonly object: string;
  readonly key: WritableField;
  /** By the name the connector uses (Salesforce names are case-insensitive). */
  readonly fields: ReadonlyMap<string, WritableField>;
  /**
   * `account: { sync }` on a person sync: the lookup to the account object, set by the account's external
   * id (`Account: {CDP_Account_Id__c: x}`; Bulk CSV `Account.CDP_Account_Id__c`), cleared as `AccountId`.
   */
  readonly account?: { readonly relationship: string; readonly lookup: string; readonly field: string };
}

export type SchemaCheck =
  | { readonly ok: true; readonly plan: ObjectPlan; readonly notes: readonly string[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/**
 * Checks a sync against the object's describe (docs/crm/salesforce.md#describe), pointing every problem at its line in
 * the connector file: unknown fields (with a "did you mean"), fields that cannot be written, an
 * upsert key that is neither an External ID nor an idLookup field, and trait types the field
 * cannot hold. Salesforce fields are never created: with `create_fields` the message says which
 * field to create, and of what type.
 */
export function checkObjectSchema(spec: SyncSpec, described: DescribedObject): SchemaCheck {
  const byName = new Map(described.fields.map((f) => [f.name.toLowerCase(), f]));
  const names = described.fields.map((f) => f.name);
  const object = described.name;
  const diagnostics: Diagnostic[] = [];
  if (!described.createable || !described.updateable) {
    diagnostics.push(error('read-only-object', `Salesforce ${object} records cannot be created and updated through the API`, spec.at, 'sync to an object the integration user can create and edit'));
  }

  const find = (field: FieldSpec): DescribedField | undefined => {
    const found = byName.get(field.name.toLowerCase());
    if (!found) diagnostics.push(missingField(spec, object, field, names));
    return found;
  };
  const typed = (field: FieldSpec, found: DescribedField, role: string): void => {
    if (acceptsTrait(found.type, field.type)) return;
    diagnostics.push(
      error(
        'type-mismatch',
        `${role} '${field.name}' gets a ${field.type} trait, but Salesforce ${object}.${found.name} is a ${found.type} field`,
        field.at,
        `map a trait whose type fits (set type: on the trait to convert it) or a ${suggestedFieldType(field.type)} field`,
      ),
    );
  };

  const key = find(spec.match);
  if (key) {
    if (!key.externalId && !key.idLookup) {
      const candidates = described.fields.filter((f) => (f.externalId || f.idLookup) && f.createable).map((f) => f.name);
      diagnostics.push(
        error(
          'match-not-external-id',
          `Salesforce ${object}.${key.name} is neither an External ID nor an idLookup field, so records cannot be upserted by it`,
          spec.match.at,
          candidates.length > 0 ? `match on one of ${candidates.join(', ')}, or mark the field External ID in Setup` : 'mark the field External ID (and Unique) in Setup',
        ),
      );
    } else if (!key.createable) {
      diagnostics.push(error('read-only-field', `Salesforce ${object}.${key.name} cannot be written, so new records could not carry the match key`, spec.match.at, 'match on a writable External ID field'));
    } else typed(spec.match, key, 'match field');
  }

  const fields = new Map<string, WritableField>();
  const seen = new Map<string, string>();
  for (const field of spec.fields) {
    const found = find(field);
    if (!found) continue;
    const other = seen.get(found.name);
    if (other !== undefined && other !== field.name) {
      diagnostics.push(error('duplicate-field', `'${field.name}' and '${other}' are the same Salesforce field ${object}.${found.name}`, field.at, 'map each Salesforce field once'));
      continue;
    }
    seen.set(found.name, field.name);
    if (!found.createable || !found.updateable) {
      const cannot = [...(found.createable ? [] : ['set on new records']), ...(found.updateable ? [] : ['updated'])].join(' or ');
      diagnostics.push(error('read-only-field', `Salesforce ${object}.${found.name} cannot be ${cannot} (a formula, system or create-only field)`, field.at, 'map the trait to a field the integration user can edit'));
      continue;
    }
    typed(field, found, 'field');
    fields.set(field.name, { name: found.name, type: found.type, nillable: found.nillable });
  }
  let account: ObjectPlan['account'];
  if (spec.account) {
    const target = spec.account.object.toLowerCase();
    const lookup = described.fields.find((f) => f.type === 'reference' && f.relationshipName && (f.referenceTo ?? []).some((r) => r.toLowerCase() === target));
    if (lookup?.relationshipName) account = { relationship: lookup.relationshipName, lookup: lookup.name, field: spec.account.field };
    else diagnostics.push(error('no-account-lookup', `Salesforce ${object} has no lookup to ${spec.account.object}`, spec.account.at, `account: works on objects with a lookup to ${spec.account.object} (Contact.AccountId)`));
  }
  if (diagnostics.length > 0 || !key) return { ok: false, diagnostics };
  const notes = spec.createFields ? [`create_fields has no effect on Salesforce: every mapped ${object} field exists`] : [];
  return { ok: true, plan: { object, key: { name: key.name, type: key.type, nillable: key.nillable }, fields, ...(account ? { account } : {}) }, notes };
}

function missingField(spec: SyncSpec, object: string, field: FieldSpec, names: readonly string[]): Diagnostic {
  const close = suggestion(field.name, names);
  const type = suggestedFieldType(field.type);
  const apiName = field.name.endsWith('__c') ? field.name : `${field.name}__c`;
  const create = `create a ${type} field with API name ${apiName} in Setup > Object Manager > ${object} > Fields & Relationships`;
  if (spec.createFields) {
    return error(
      'create-fields-unsupported',
      `Salesforce ${object} has no field '${field.name}', and cdp does not create Salesforce fields (create_fields works for HubSpot only)`,
      field.at,
      close ? `${close} Otherwise ${create}` : create,
    );
  }
  return error('unknown-field', `Salesforce ${object} has no field '${field.name}'`, field.at, close ?? `${create}, or map the trait to an existing field`);
}
