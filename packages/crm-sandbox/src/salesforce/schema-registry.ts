import { customFieldProblems, resolveField, type FieldSpec, type SObjectField } from './field-spec.js';
import { STANDARD_OBJECTS } from './standard-objects.js';

export interface SObjectSchema {
  readonly name: string;
  readonly label: string;
  readonly labelPlural: string;
  readonly keyPrefix: string;
  readonly writable: boolean;
  readonly fields: readonly SObjectField[];
  /** Case-insensitive lookup: Salesforce API names are not case-sensitive. */
  field(name: string): SObjectField | undefined;
  /** Allowed upsert keys: external ids, and idLookup fields of these (standard) objects [docs/crm/salesforce.md#describe]. */
  upsertKey(name: string): SObjectField | undefined;
}

export type CustomFields = Readonly<Record<string, readonly FieldSpec[]>>;

export class SchemaConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid Salesforce sandbox schema: ${problems.join('; ')}`);
    this.name = 'SchemaConfigError';
  }
}

/** Every sObject the sandbox knows, standard fields plus the custom fields from the options. */
export class SchemaRegistry {
  private readonly byName = new Map<string, SObjectSchema>();

  constructor(customFields: CustomFields = {}) {
    const problems: string[] = [];
    const known = new Map(STANDARD_OBJECTS.map((o) => [o.name.toLowerCase(), o]));
    for (const [sobject, specs] of Object.entries(customFields)) {
      const base = known.get(sobject.toLowerCase());
      if (!base) problems.push(`customFields.${sobject}: unknown sObject (known: ${STANDARD_OBJECTS.map((o) => o.name).join(', ')})`);
      for (const spec of specs) {
        problems.push(...customFieldProblems(sobject, spec));
        if (base?.fields.some((f) => f.name.toLowerCase() === spec.name.toLowerCase())) problems.push(`customFields.${sobject}.${spec.name}: defined twice`);
        for (const target of spec.referenceTo ?? []) {
          if (!known.has(target.toLowerCase())) problems.push(`customFields.${sobject}.${spec.name}: unknown referenceTo ${target}`);
        }
      }
      const names = specs.map((s) => s.name.toLowerCase());
      const dup = names.find((n, i) => names.indexOf(n) !== i);
      if (dup) problems.push(`customFields.${sobject}: ${dup} defined twice`);
    }
    if (problems.length > 0) throw new SchemaConfigError(problems);

    for (const object of STANDARD_OBJECTS) {
      const customKey = Object.keys(customFields).find((k) => k.toLowerCase() === object.name.toLowerCase());
      const custom = customKey ? customFields[customKey] : [];
      const fields = [...object.fields.map((f) => resolveField(f, false)), ...custom.map((f) => resolveField(f, true))];
      const index = new Map(fields.map((f) => [f.name.toLowerCase(), f]));
      this.byName.set(object.name.toLowerCase(), {
        name: object.name,
        label: object.label,
        labelPlural: object.labelPlural,
        keyPrefix: object.keyPrefix,
        writable: object.writable,
        fields,
        field: (name) => index.get(name.toLowerCase()),
        upsertKey: (name) => {
          const f = index.get(name.toLowerCase());
          return f && (f.externalId || f.idLookup) ? f : undefined;
        },
      });
    }
  }

  get(name: string): SObjectSchema | undefined {
    return this.byName.get(name.toLowerCase());
  }

  all(): readonly SObjectSchema[] {
    return [...this.byName.values()];
  }

  /** The schema whose records carry this key prefix. */
  byPrefix(prefix: string): SObjectSchema | undefined {
    return this.all().find((s) => s.keyPrefix === prefix);
  }

  /** Lookups from other objects that point at `target` (describe's childRelationships). */
  childRelationships(target: string): readonly { readonly childSObject: string; readonly field: string }[] {
    return this.all().flatMap((s) =>
      s.fields.filter((f) => f.type === 'reference' && f.referenceTo.includes(target) && !['CreatedById', 'LastModifiedById'].includes(f.name)).map((f) => ({ childSObject: s.name, field: f.name })),
    );
  }
}
