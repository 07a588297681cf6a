import { error, type Diagnostic } from '../../diagnostics/diagnostic.js';
import { suggestion } from '../../diagnostics/did-you-mean.js';
import type { SyncSpec } from '../destination.js';
import type { SalesforceCall } from './salesforce-context.js';
import { errorParts } from './salesforce-failure.js';
import type { DescribedField, DescribedObject } from './salesforce-schema.js';

export type Described = { readonly ok: true; readonly object: DescribedObject } | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** The sync's object as `GET /sobjects/{S}/describe` tells it (docs/crm/salesforce.md#describe); an unknown object is a diagnostic with a "did you mean". */
export async function describeObject(read: SalesforceCall, spec: SyncSpec): Promise<Described> {
  const raw = await read(async (conn) => {
    try {
      return await conn.describe(spec.object);
    } catch (e) {
      if (errorParts(e).errorCode === 'NOT_FOUND') return undefined;
      throw e;
    }
  });
  if (raw === undefined) {
    const global = await read((conn) => conn.describeGlobal());
    const names = global.sobjects.map((s) => s.name);
    return {
      ok: false,
      diagnostics: [error('unknown-object', `Salesforce has no object '${spec.object}' (or the integration user cannot see it)`, spec.at, suggestion(spec.object, names) ?? 'use the API name, e.g. Contact, Lead or a custom object ending in __c')],
    };
  }
  const fields = raw.fields.map(
    (f): DescribedField => ({ name: f.name, type: f.type, createable: f.createable, updateable: f.updateable, externalId: f.externalId, idLookup: f.idLookup, nillable: f.nillable, referenceTo: f.referenceTo ?? [], relationshipName: f.relationshipName ?? null }),
  );
  return { ok: true, object: { name: raw.name, createable: raw.createable, updateable: raw.updateable, fields } };
}
