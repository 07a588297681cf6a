import { jsonReply, type HttpReply } from '../http/http-reply.js';
import { coerceValue } from './field-values.js';
import { dmlContext, isRecord, jsonBody, sobjectParam, type RouteContext, type RouteDefinition } from './route-context.js';
import type { SaveOutcome } from './salesforce-dml.js';
import { fail, recordErrors, TOO_MANY_RECORDS_MESSAGE } from './salesforce-errors.js';
import { normalizeId } from './salesforce-ids.js';
import { indexKey } from './salesforce-store.js';
import type { SObjectSchema } from './schema-registry.js';

/** sObject Collections accept at most 200 records per call (docs/crm/salesforce.md#sobject-collections). */
export const MAX_COLLECTION_RECORDS = 200;

type Operation = 'create' | 'update' | 'upsert' | 'delete';

interface CollectionBody {
  readonly allOrNone: boolean;
  readonly records: readonly Readonly<Record<string, unknown>>[];
}

function readBody(ctx: RouteContext): CollectionBody {
  const body = jsonBody(ctx);
  if (!isRecord(body) || !Array.isArray(body.records)) return fail(400, 'JSON_PARSER_ERROR', 'The request body must be an object with a records array');
  if (body.records.length > MAX_COLLECTION_RECORDS) return fail(400, 'EXCEEDED_ID_LIMIT', TOO_MANY_RECORDS_MESSAGE);
  const records = body.records.map((r: unknown) => (isRecord(r) ? r : fail(400, 'JSON_PARSER_ERROR', 'Each record must be a JSON object')));
  ctx.noteRecords(records.length);
  return { allOrNone: body.allOrNone === true || body.allOrNone === 'true', records };
}

/** The sObject of one record, from `attributes.type` (required: "Must send a concrete entity type."). */
function recordType(ctx: RouteContext, record: Readonly<Record<string, unknown>>): SObjectSchema {
  const attributes = record.attributes;
  const type = isRecord(attributes) && typeof attributes.type === 'string' ? attributes.type : undefined;
  if (!type) return fail(400, 'INVALID_TYPE', 'Must send a concrete entity type.');
  const schema = ctx.env.registry.get(type);
  return schema ?? fail(400, 'INVALID_TYPE', `sObject type '${type}' is not supported.`);
}

/**
 * Runs one outcome per record inside a transaction and renders SaveResults in input order. With
 * allOrNone and any failure nothing is kept: failures keep their error, the rest are rolled back.
 */
function finish(ctx: RouteContext, op: Operation, allOrNone: boolean, run: () => readonly SaveOutcome[]): HttpReply {
  const tx = ctx.env.store.begin();
  let outcomes: readonly SaveOutcome[];
  try {
    outcomes = run();
  } catch (error) {
    tx.rollback();
    throw error;
  }
  const rollback = allOrNone && outcomes.some((o) => !o.ok);
  if (rollback) tx.rollback();
  else tx.commit();
  const withId = op !== 'create';
  return jsonReply(
    200,
    outcomes.map((o) => {
      if (o.ok && !rollback) return { id: o.id, success: true, errors: [], ...(op === 'upsert' ? { created: o.created } : {}) };
      const id = o.ok ? (op === 'update' || op === 'delete' || (op === 'upsert' && !o.created) ? o.id : undefined) : withId ? o.id : undefined;
      const errors = o.ok ? [recordErrors.rolledBack()] : o.errors;
      return { ...(id ? { id } : {}), success: false, errors };
    }),
  );
}

function create(ctx: RouteContext): HttpReply {
  const body = readBody(ctx);
  const schemas = body.records.map((r) => recordType(ctx, r));
  const dctx = dmlContext(ctx, body.records.length);
  return finish(ctx, 'create', body.allOrNone, () => body.records.map((r, i) => ctx.env.dml.create(schemas[i], r, dctx)));
}

function update(ctx: RouteContext): HttpReply {
  const body = readBody(ctx);
  const schemas = body.records.map((r) => recordType(ctx, r));
  const dctx = dmlContext(ctx, body.records.length);
  return finish(ctx, 'update', body.allOrNone, () =>
    body.records.map((r, i) => {
      const idKey = Object.keys(r).find((k) => k.toLowerCase() === 'id');
      const id = idKey === undefined ? undefined : r[idKey];
      if (typeof id !== 'string' || id === '') return { ok: false, errors: [recordErrors.missingId()] };
      return ctx.env.dml.update(schemas[i], id, r, dctx);
    }),
  );
}

function destroy(ctx: RouteContext): HttpReply {
  const ids = (ctx.query.get('ids') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0) return fail(400, 'MISSING_ARGUMENT', 'ids parameter is required');
  if (ids.length > MAX_COLLECTION_RECORDS) return fail(400, 'EXCEEDED_ID_LIMIT', TOO_MANY_RECORDS_MESSAGE);
  ctx.noteRecords(ids.length);
  const dctx = dmlContext(ctx, ids.length);
  return finish(ctx, 'delete', ctx.query.get('allOrNone') === 'true', () => ids.map((id) => ctx.env.dml.remove(id, dctx)));
}

/** `PATCH /composite/sobjects/{S}/{ExtField}`: every row sharing a key fails with DUPLICATE_VALUE. */
function upsert(ctx: RouteContext): HttpReply {
  const schema = sobjectParam(ctx);
  const key = schema.upsertKey(ctx.params.field ?? '') ?? fail(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${ctx.params.field}`);
  const body = readBody(ctx);
  const keys = body.records.map((r) => {
    const prop = Object.keys(r).find((k) => k.toLowerCase() === key.name.toLowerCase());
    const raw = prop === undefined ? undefined : r[prop];
    if (raw === undefined || raw === null || raw === '') return undefined;
    const coerced = coerceValue(key, raw);
    return coerced.ok ? indexKey(key, coerced.value) : undefined;
  });
  const counts = new Map<string, number>();
  for (const k of keys) if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
  const dctx = dmlContext(ctx, body.records.length);
  return finish(ctx, 'upsert', body.allOrNone, () =>
    body.records.map((r, i): SaveOutcome => {
      const attributes = r.attributes;
      const type = isRecord(attributes) && typeof attributes.type === 'string' ? attributes.type : schema.name;
      // UNCONFIRMED: a record of another type in the body is rejected per record.
      if (type.toLowerCase() !== schema.name.toLowerCase()) return { ok: false, errors: [recordErrors.wrongSObject(type, schema.name)] };
      const k = keys[i];
      if (k !== undefined && (counts.get(k) ?? 0) > 1) {
        const prop = Object.keys(r).find((p) => p.toLowerCase() === key.name.toLowerCase());
        return { ok: false, errors: [recordErrors.duplicateKeyInRequest(String(prop === undefined ? '' : r[prop]))] };
      }
      return ctx.env.dml.upsert(schema, key, r, dctx);
    }),
  );
}

/** `POST /composite/sobjects/{S}` `{ids, fields}` (retrieve): records in id order, null when missing. */
function retrieve(ctx: RouteContext): HttpReply {
  const schema = sobjectParam(ctx);
  const body = ctx.bodyText.trim() === '' ? {} : jsonBody(ctx);
  const source = isRecord(body) ? body : {};
  const ids = Array.isArray(source.ids) ? source.ids.map(String) : (ctx.query.get('ids') ?? '').split(',').filter((s) => s !== '');
  const fieldNames = Array.isArray(source.fields) ? source.fields.map(String) : (ctx.query.get('fields') ?? '').split(',').filter((s) => s !== '');
  if (ids.length > 2000) return fail(400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 2000 records into this call');
  const fields = fieldNames.map((n) => schema.field(n) ?? fail(400, 'INVALID_FIELD', `No such column '${n}' on entity '${schema.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`));
  return jsonReply(
    200,
    ids.map((raw) => {
      const id = normalizeId(raw);
      const record = id ? ctx.env.store.get(id) : undefined;
      if (!record || record.deleted || record.sobject !== schema.name) return null;
      return {
        attributes: { type: schema.name, url: `${ctx.versionPath}/sobjects/${schema.name}/${record.id}` },
        ...Object.fromEntries(fields.map((f) => [f.name, record.values[f.name] ?? null])),
      };
    }),
  );
}

export const COLLECTION_ROUTES: readonly (readonly [string, string, RouteDefinition])[] = [
  ['POST', '/composite/sobjects', { writes: true, handler: create }],
  ['PATCH', '/composite/sobjects', { writes: true, handler: update }],
  ['DELETE', '/composite/sobjects', { writes: true, handler: destroy }],
  ['PATCH', '/composite/sobjects/{sobject}/{field}', { writes: true, handler: upsert }],
  ['POST', '/composite/sobjects/{sobject}', { writes: false, handler: retrieve }],
  ['GET', '/composite/sobjects/{sobject}', { writes: false, handler: retrieve }],
];
