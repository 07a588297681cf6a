import { emptyReply, jsonReply, type HttpReply } from '../http/http-reply.js';
import { describeGlobal, describeSObject } from './describe.js';
import { coerceValue } from './field-values.js';
import { dmlContext, isRecord, jsonBody, sobjectParam, type RouteContext, type RouteDefinition } from './route-context.js';
import type { SaveOutcome } from './salesforce-dml.js';
import { apiError, fail, notFound, recordErrors, saveErrorReply } from './salesforce-errors.js';
import { normalizeId } from './salesforce-ids.js';
import { REPLICATION_ROUTES } from './replication-routes.js';
import type { StoredRecord } from './salesforce-store.js';
import type { SObjectSchema } from './schema-registry.js';

function objectBody(ctx: RouteContext): Readonly<Record<string, unknown>> {
  const body = jsonBody(ctx);
  return isRecord(body) ? body : fail(400, 'JSON_PARSER_ERROR', 'Cannot deserialize instance of sObject from a non-object JSON value');
}

function renderRecord(ctx: RouteContext, schema: SObjectSchema, record: StoredRecord, fieldList: string | null): Record<string, unknown> {
  const names = fieldList ? fieldList.split(',').map((n) => n.trim()).filter((n) => n !== '') : schema.fields.map((f) => f.name);
  const out: Record<string, unknown> = { attributes: { type: schema.name, url: `${ctx.versionPath}/sobjects/${schema.name}/${record.id}` } };
  for (const name of names) {
    const field = schema.field(name) ?? fail(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${schema.name}`);
    out[field.name] = record.values[field.name] ?? null;
  }
  return out;
}

/** A single-record failure at request level; record-not-found errors become 404 as Salesforce does. */
function failureReply(outcome: Extract<SaveOutcome, { ok: false }>): HttpReply {
  const code = outcome.errors[0]?.statusCode;
  return saveErrorReply(code === 'ENTITY_IS_DELETED' ? 404 : 400, outcome.errors);
}

function liveRecord(ctx: RouteContext, schema: SObjectSchema, rawId: string): StoredRecord {
  const id = normalizeId(rawId);
  const record = id ? ctx.env.store.get(id) : undefined;
  if (!record || record.sobject !== schema.name) return fail(404, 'NOT_FOUND', 'The requested resource does not exist');
  if (record.deleted) return fail(404, 'ENTITY_IS_DELETED', 'entity is deleted');
  return record;
}

function create(ctx: RouteContext): HttpReply {
  const schema = sobjectParam(ctx);
  const body = objectBody(ctx);
  ctx.noteRecords(1);
  const outcome = ctx.env.dml.create(schema, body, dmlContext(ctx, 1));
  if (!outcome.ok) return failureReply(outcome);
  return jsonReply(201, { id: outcome.id, success: true, errors: [] });
}

function retrieve(ctx: RouteContext): HttpReply {
  const schema = sobjectParam(ctx);
  return jsonReply(200, renderRecord(ctx, schema, liveRecord(ctx, schema, ctx.params.id ?? ''), ctx.query.get('fields')));
}

function update(ctx: RouteContext): HttpReply {
  const schema = sobjectParam(ctx);
  const body = objectBody(ctx);
  ctx.noteRecords(1);
  const id = normalizeId(ctx.params.id ?? '');
  const existing = id ? ctx.env.store.get(id) : undefined;
  // Salesforce's quirk: PATCH to an unknown id reads it as an external id lookup.
  if (!existing || existing.sobject !== schema.name) return apiError(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${ctx.params.id}`);
  const outcome = ctx.env.dml.update(schema, existing.id, body, dmlContext(ctx, 1));
  return outcome.ok ? emptyReply(204) : failureReply(outcome);
}

function destroy(ctx: RouteContext): HttpReply {
  const schema = sobjectParam(ctx);
  ctx.noteRecords(1);
  const record = liveRecord(ctx, schema, ctx.params.id ?? '');
  const outcome = ctx.env.dml.remove(record.id, dmlContext(ctx, 1), schema);
  return outcome.ok ? emptyReply(204) : failureReply(outcome);
}

/** Records matching an external id in the URL, with the key validated as an upsert key. */
function byExternalId(ctx: RouteContext): { schema: SObjectSchema; matches: readonly StoredRecord[]; keyName: string; value: string } {
  const schema = sobjectParam(ctx);
  const key = schema.upsertKey(ctx.params.field ?? '') ?? fail(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${ctx.params.field}`);
  const value = ctx.params.value ?? '';
  const coerced = coerceValue(key, value);
  if (!coerced.ok) return fail(400, coerced.error.statusCode, coerced.error.message, coerced.error.fields);
  const keyValue = key.type === 'id' ? normalizeId(value) ?? fail(400, 'MALFORMED_ID', `malformed id ${value}`) : coerced.value;
  return { schema, matches: ctx.env.store.findBy(schema, key, keyValue), keyName: key.name, value };
}

function multipleChoices(ctx: RouteContext, schema: SObjectSchema, matches: readonly StoredRecord[]): HttpReply {
  return jsonReply(300, matches.map((m) => `${ctx.versionPath}/sobjects/${schema.name}/${m.id}`));
}

/** `PATCH /sobjects/{T}/{Ext}/{value}`: 201 created / 200 updated (`created` flag, v46+), 300 on several matches. */
function upsertOne(ctx: RouteContext): HttpReply {
  const { schema, matches, keyName, value } = byExternalId(ctx);
  const body = objectBody(ctx);
  ctx.noteRecords(1);
  if (matches.length > 1) return multipleChoices(ctx, schema, matches);
  const idKey = Object.keys(body).find((k) => k.toLowerCase() === 'id');
  if (idKey !== undefined && keyName !== 'Id') return saveErrorReply(400, [recordErrors.idOnUpsert()]);
  const input = { ...Object.fromEntries(Object.entries(body).filter(([k]) => k.toLowerCase() !== keyName.toLowerCase())), [keyName]: value };
  const key = schema.upsertKey(keyName);
  if (!key) return notFound();
  const outcome = ctx.env.dml.upsert(schema, key, input, dmlContext(ctx, 1));
  if (!outcome.ok) return failureReply(outcome);
  const legacy = Number(ctx.version) < 46;
  if (legacy) return outcome.created ? jsonReply(201, { id: outcome.id, success: true, errors: [] }) : emptyReply(204);
  return jsonReply(outcome.created ? 201 : 200, { id: outcome.id, success: true, errors: [], created: outcome.created });
}

function retrieveByExternalId(ctx: RouteContext): HttpReply {
  const { schema, matches } = byExternalId(ctx);
  if (matches.length > 1) return multipleChoices(ctx, schema, matches);
  if (matches.length === 0) return notFound();
  return jsonReply(200, renderRecord(ctx, schema, matches[0], ctx.query.get('fields')));
}

function destroyByExternalId(ctx: RouteContext): HttpReply {
  const { schema, matches } = byExternalId(ctx);
  ctx.noteRecords(1);
  if (matches.length > 1) return multipleChoices(ctx, schema, matches);
  if (matches.length === 0) return notFound();
  const outcome = ctx.env.dml.remove(matches[0].id, dmlContext(ctx, 1), schema);
  return outcome.ok ? emptyReply(204) : failureReply(outcome);
}

function describe(ctx: RouteContext): HttpReply {
  return jsonReply(200, describeSObject(ctx.versionPath, ctx.env.registry, sobjectParam(ctx)));
}

function basicInfo(ctx: RouteContext): HttpReply {
  const schema = sobjectParam(ctx);
  const global = describeGlobal(ctx.versionPath, ctx.env.registry).sobjects;
  const entry = Array.isArray(global) ? global.find((g: unknown) => isRecord(g) && g.name === schema.name) : undefined;
  return jsonReply(200, { objectDescribe: entry, recentItems: [] });
}

function limits(ctx: RouteContext): HttpReply {
  const { usage } = ctx.env;
  const max = usage.max;
  return jsonReply(200, {
    DailyApiRequests: { Max: max, Remaining: max - usage.used() },
    DailyBulkApiBatches: { Max: 15000, Remaining: Math.max(0, 15000 - usage.bulkBatchesUsed) },
    DailyBulkV2QueryFileStorageMB: { Max: 976562, Remaining: 976562 },
    DailyBulkV2QueryJobs: { Max: 10000, Remaining: 10000 },
    DataStorageMB: { Max: 5, Remaining: 5 },
    FileStorageMB: { Max: 20, Remaining: 20 },
    HourlyTimeBasedWorkflow: { Max: 50, Remaining: 50 },
    MassEmail: { Max: 10, Remaining: 10 },
    SingleEmail: { Max: 15, Remaining: 15 },
  });
}

function resources(ctx: RouteContext): HttpReply {
  const base = ctx.versionPath;
  const names = ['sobjects', 'query', 'queryAll', 'composite', 'jobs', 'limits', 'search', 'tooling'];
  return jsonReply(200, Object.fromEntries(names.map((n) => [n, `${base}/${n}`])));
}

export const SOBJECT_ROUTES: readonly (readonly [string, string, RouteDefinition])[] = [
  ['GET', '', { writes: false, handler: resources }],
  ['GET', '/limits', { writes: false, handler: limits }],
  ['GET', '/sobjects', { writes: false, handler: (ctx) => jsonReply(200, describeGlobal(ctx.versionPath, ctx.env.registry)) }],
  ['GET', '/sobjects/{sobject}', { writes: false, handler: basicInfo }],
  ['GET', '/sobjects/{sobject}/describe', { writes: false, handler: describe }],
  ['POST', '/sobjects/{sobject}', { writes: true, handler: create }],
  // Before `{id}`: `deleted` and `updated` are resource names, not record ids.
  ...REPLICATION_ROUTES,
  ['GET', '/sobjects/{sobject}/{id}', { writes: false, handler: retrieve }],
  ['PATCH', '/sobjects/{sobject}/{id}', { writes: true, handler: update }],
  ['DELETE', '/sobjects/{sobject}/{id}', { writes: true, handler: destroy }],
  ['GET', '/sobjects/{sobject}/{field}/{value}', { writes: false, handler: retrieveByExternalId }],
  ['PATCH', '/sobjects/{sobject}/{field}/{value}', { writes: true, handler: upsertOne }],
  ['DELETE', '/sobjects/{sobject}/{field}/{value}', { writes: true, handler: destroyByExternalId }],
];
