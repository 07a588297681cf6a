import { parse } from 'csv-parse/sync';
import { COLUMN_DELIMITERS, type IngestJob } from './bulk2-types.js';
import type { SObjectField } from './field-spec.js';
import { coerceValue } from './field-values.js';
import type { RecordFaultHooks, SalesforceDml, SaveOutcome } from './salesforce-dml.js';
import { bulkErrorText, recordErrors, type SaveError } from './salesforce-errors.js';
import { indexKey, type SalesforceStore } from './salesforce-store.js';
import type { SchemaRegistry, SObjectSchema } from './schema-registry.js';

export interface SuccessRow {
  readonly id: string;
  readonly created: boolean;
  readonly cells: readonly string[];
}

export interface FailedRow {
  readonly id: string;
  readonly error: string;
  readonly cells: readonly string[];
}

export interface RowResults {
  readonly header: readonly string[];
  readonly successful: readonly SuccessRow[];
  readonly failed: readonly FailedRow[];
  readonly unprocessed: readonly (readonly string[])[];
}

export type ProcessOutcome = { readonly ok: true; readonly results: RowResults } | { readonly ok: false; readonly errorMessage: string };

export interface ProcessDeps {
  readonly registry: SchemaRegistry;
  readonly store: SalesforceStore;
  readonly dml: SalesforceDml;
  readonly faults: RecordFaultHooks;
  readonly userId: string;
}

type Column =
  | { readonly kind: 'id' }
  | { readonly kind: 'field'; readonly field: SObjectField }
  | { readonly kind: 'relation'; readonly lookup: SObjectField; readonly target: SObjectSchema; readonly targetField: SObjectField };

/** Salesforce runs Bulk API 2.0 rows in transactions of 200: duplicate upsert keys collide within one. */
const CHUNK = 200;

/** Parses a job's CSV (header + rows) with its delimiter and line ending; throws on malformed CSV. */
export function parseJobCsv(job: IngestJob): string[][] {
  return parse(job.csv ?? '', {
    delimiter: COLUMN_DELIMITERS[job.columnDelimiter],
    record_delimiter: job.lineEnding === 'CRLF' ? '\r\n' : '\n',
    bom: true,
    skip_empty_lines: true,
  });
}

function resolveColumn(schema: SObjectSchema, registry: SchemaRegistry, name: string): Column | undefined {
  if (name.toLowerCase() === 'id') return { kind: 'id' };
  const dot = name.indexOf('.');
  if (dot === -1) {
    const field = schema.field(name);
    return field ? { kind: 'field', field } : undefined;
  }
  const rel = name.slice(0, dot).toLowerCase();
  const lookup = schema.fields.find((f) => f.type === 'reference' && f.relationshipName?.toLowerCase() === rel);
  const target = lookup ? registry.get(lookup.referenceTo[0]) : undefined;
  const targetField = target?.upsertKey(name.slice(dot + 1));
  return lookup && target && targetField ? { kind: 'relation', lookup, target, targetField } : undefined;
}

/** Applies every row of a closed job; a header naming an unknown field fails the whole job. */
export function processIngestRows(job: IngestJob, deps: ProcessDeps): ProcessOutcome {
  const schema = deps.registry.get(job.object);
  if (!schema) return { ok: false, errorMessage: `InvalidBatch : Entity '${job.object}' is not supported by the Bulk API.` };
  // UNCONFIRMED wording for a job closed without data.
  if (job.csv === undefined) return { ok: false, errorMessage: 'InvalidBatch : No data was uploaded for this job' };
  let rows: string[][];
  try {
    rows = parseJobCsv(job);
  } catch (e) {
    return { ok: false, errorMessage: `InvalidBatch : ${e instanceof Error ? e.message : String(e)}` };
  }
  const [header = [], ...data] = rows;
  const columns: Column[] = [];
  for (const name of header) {
    const column = resolveColumn(schema, deps.registry, name);
    if (!column) return { ok: false, errorMessage: `InvalidBatch : Field name not found : ${name}` };
    columns.push(column);
  }
  const key = job.operation === 'upsert' ? schema.upsertKey(job.externalIdFieldName ?? '') : undefined;
  const successful: SuccessRow[] = [];
  const failed: FailedRow[] = [];
  const ctx = { batchSize: data.length, userId: deps.userId };
  for (let start = 0; start < data.length; start += CHUNK) {
    const chunk = data.slice(start, start + CHUNK);
    const built = chunk.map((cells) => buildRow(columns, cells, deps.store));
    const duplicates = key ? duplicateKeys(key, built.map((b) => b.input)) : new Set<string>();
    chunk.forEach((cells, i) => {
      const { input, id, errors } = built[i];
      const outcome = errors.length > 0 ? { ok: false as const, errors } : runRow(job, schema, key, input, id, duplicates, deps.dml, ctx);
      if (outcome.ok) successful.push({ id: outcome.id, created: outcome.created, cells });
      else failed.push({ id: outcome.id ?? id ?? '', error: bulkErrorText(outcome.errors), cells });
    });
  }
  return { ok: true, results: { header, successful, failed, unprocessed: [] } };
}

interface BuiltRow {
  readonly input: Record<string, unknown>;
  readonly id: string | undefined;
  readonly errors: readonly SaveError[];
}

/** Cells → record input: empty = no change, `#N/A` = null, `Rel.ExtField` resolved to the lookup id. */
function buildRow(columns: readonly Column[], cells: readonly string[], store: SalesforceStore): BuiltRow {
  const input: Record<string, unknown> = {};
  const errors: SaveError[] = [];
  let id: string | undefined;
  columns.forEach((column, i) => {
    const cell = cells[i] ?? '';
    if (cell === '') return;
    const value = cell === '#N/A' ? null : cell;
    if (column.kind === 'id') id = value ?? undefined;
    else if (column.kind === 'field') input[column.field.name] = value;
    else if (value === null) input[column.lookup.name] = null;
    else {
      const coerced = coerceValue(column.targetField, value);
      const matches = coerced.ok ? store.findBy(column.target, column.targetField, coerced.value) : [];
      if (matches.length === 1) input[column.lookup.name] = matches[0].id;
      else if (matches.length === 0) errors.push(recordErrors.custom('INVALID_FIELD', `Foreign key external ID: ${value} not found for field ${column.targetField.name} in entity ${column.target.name}`, []));
      else errors.push(recordErrors.custom('INVALID_FIELD', `More than 1 record found for external id field: ${value}`, []));
    }
  });
  return { input, id, errors };
}

function duplicateKeys(key: SObjectField, inputs: readonly Record<string, unknown>[]): Set<string> {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const input of inputs) {
    const raw = input[key.name];
    if (typeof raw !== 'string') continue;
    const coerced = coerceValue(key, raw);
    const k = coerced.ok ? indexKey(key, coerced.value) : undefined;
    if (k === undefined) continue;
    if (seen.has(k)) dup.add(k);
    seen.add(k);
  }
  return dup;
}

function runRow(
  job: IngestJob,
  schema: SObjectSchema,
  key: SObjectField | undefined,
  input: Record<string, unknown>,
  id: string | undefined,
  duplicates: ReadonlySet<string>,
  dml: SalesforceDml,
  ctx: { batchSize: number; userId: string },
): SaveOutcome {
  switch (job.operation) {
    case 'insert':
      return dml.create(schema, id ? { ...input, Id: id } : input, ctx);
    case 'update':
      return id ? dml.update(schema, id, input, ctx) : { ok: false, errors: [recordErrors.missingId()] };
    case 'upsert': {
      if (!key) return { ok: false, errors: [recordErrors.missingKey(job.externalIdFieldName ?? '')] };
      const raw = input[key.name];
      const coerced = typeof raw === 'string' ? coerceValue(key, raw) : undefined;
      const k = coerced?.ok ? indexKey(key, coerced.value) : undefined;
      if (k !== undefined && duplicates.has(k)) return { ok: false, errors: [recordErrors.duplicateKeyInRequest(String(raw))] };
      return dml.upsert(schema, key, id ? { ...input, Id: id } : input, ctx);
    }
    case 'delete':
    case 'hardDelete':
      return id ? dml.remove(id, ctx, schema) : { ok: false, errors: [recordErrors.custom('MISSING_ARGUMENT', 'Id not specified in a delete call', [])] };
  }
}
