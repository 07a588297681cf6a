import { jsonReply, type HttpReply } from '../http/http-reply.js';
import {
  batchErrorItem,
  errorReply,
  failValidation,
  propertyIssuesMessage,
  type BatchErrorItem,
  type ErrorCategory,
  type ErrorContext,
} from './hubspot-errors.js';
import { normalizePropertyValues, type ValueContext } from './hubspot-property-values.js';
import { recordWriteJson } from './hubspot-record-json.js';
import type { StoredRecord } from './hubspot-store.js';

/** What one write input will do, decided before anything is applied (batches are all-or-nothing). */
export type WritePlan =
  | { readonly kind: 'create'; readonly values: ReadonlyMap<string, string>; readonly traceId?: string }
  | { readonly kind: 'update'; readonly record: StoredRecord; readonly values: ReadonlyMap<string, string>; readonly traceId?: string }
  | {
      readonly kind: 'fail';
      readonly status: 400 | 409;
      readonly category: ErrorCategory;
      readonly message: string;
      readonly context?: ErrorContext;
      readonly traceId?: string;
    }
  | { readonly kind: 'missing'; readonly id: string };

/** Unique values taken by earlier inputs of the same batch. */
export class UniqueClaims {
  private readonly owners = new Map<string, string>();

  ownerOf(property: string, value: string): string | undefined {
    return this.owners.get(key(property, value));
  }

  claim(property: string, value: string, owner: string): void {
    this.owners.set(key(property, value), owner);
  }
}

function key(property: string, value: string): string {
  return `${property}\u0000${property === 'email' ? value.toLowerCase() : value}`;
}

/** Properties whose values must be unique: contacts' email and every property with hasUniqueValue. */
export function uniquePropertyNames(ctx: ValueContext): readonly string[] {
  const custom = ctx.store.allProperties(ctx.type).filter((p) => p.hasUniqueValue).map((p) => p.name);
  return ctx.type.builtInUniqueProperty ? [ctx.type.builtInUniqueProperty, ...custom] : custom;
}

/** Whether `idProperty` may identify records: email (contacts) or a live custom property with hasUniqueValue. */
export function canIdentifyBy(ctx: ValueContext, idProperty: string): boolean {
  if (ctx.type.builtInUniqueProperty === idProperty) return true;
  const definition = ctx.store.property(ctx.type, idProperty);
  return definition !== undefined && !definition.archived && definition.hasUniqueValue;
}

export function requireIdProperty(ctx: ValueContext, idProperty: string): void {
  // UNCONFIRMED: unknown properties get the same answer as non-unique ones.
  if (!canIdentifyBy(ctx, idProperty)) {
    failValidation(`Unable to perform update/upsert by non-unique ${ctx.type.id} property ${idProperty} in portal ID ${ctx.portalId}`);
  }
}

export function planCreate(ctx: ValueContext, input: ReadonlyMap<string, string>, claims: UniqueClaims, owner: string, traceId?: string): WritePlan {
  return plan(ctx, input, claims, owner, undefined, traceId);
}

export function planUpdate(ctx: ValueContext, record: StoredRecord, input: ReadonlyMap<string, string>, claims: UniqueClaims, traceId?: string): WritePlan {
  return plan(ctx, input, claims, record.id, record, traceId);
}

function plan(ctx: ValueContext, input: ReadonlyMap<string, string>, claims: UniqueClaims, owner: string, record: StoredRecord | undefined, traceId: string | undefined): WritePlan {
  const trace = traceId !== undefined ? { traceId } : {};
  const checked = normalizePropertyValues(input, ctx);
  if (!checked.ok) return { kind: 'fail', status: 400, category: 'VALIDATION_ERROR', message: propertyIssuesMessage(checked.issues), ...trace };
  const unique = uniquePropertyNames(ctx).flatMap((name) => {
    const value = checked.values.get(name);
    return value === undefined || value === '' ? [] : [{ name, value }];
  });
  for (const { name, value } of unique) {
    const existing = ctx.store.findByProperty(ctx.type, name, value);
    if (existing && existing.id !== record?.id) {
      return { kind: 'fail', status: 409, category: 'CONFLICT', message: `${ctx.type.label} already exists. Existing ID: ${existing.id}`, ...trace };
    }
    const claimedBy = claims.ownerOf(name, value);
    if (claimedBy !== undefined && claimedBy !== owner) {
      // UNCONFIRMED: how HubSpot answers two inputs of one batch that set the same unique value.
      return {
        kind: 'fail',
        status: 400,
        category: 'VALIDATION_ERROR',
        message: `Duplicate values found in batch input for unique property ${name}: [${value}]`,
        context: { [name]: [value] },
        ...trace,
      };
    }
  }
  for (const { name, value } of unique) claims.claim(name, value, owner);
  return record ? { kind: 'update', record, values: checked.values, ...trace } : { kind: 'create', values: checked.values, ...trace };
}

/**
 * Multi-status (207) for per-input failures happens only when every input carries its own
 * objectWriteTraceId (docs/crm/hubspot.md#batch-writes); otherwise the first failure fails the whole batch.
 */
export function everyInputTraced(traceIds: readonly (string | undefined)[]): boolean {
  if (traceIds.length === 0 || traceIds.some((t) => t === undefined || t === '')) return false;
  return new Set(traceIds).size === traceIds.length;
}

export interface BatchOptions {
  readonly successStatus: 200 | 201;
  readonly upsert: boolean;
  readonly traced: boolean;
  readonly startedAt: string;
}

/** Applies the plans (unless one fails a non-traced batch) and answers in HubSpot's batch shape. */
export function applyBatch(ctx: ValueContext, plans: readonly WritePlan[], options: BatchOptions): HttpReply {
  const firstFailure = plans.find((p) => p.kind === 'fail');
  if (firstFailure && firstFailure.kind === 'fail' && !options.traced) {
    return errorReply(firstFailure.status, firstFailure.category, firstFailure.message, firstFailure.context ? { context: firstFailure.context } : {});
  }
  const results: Record<string, unknown>[] = [];
  const errors: BatchErrorItem[] = [];
  const missing: string[] = [];
  for (const p of plans) {
    const trace = p.kind !== 'missing' && p.traceId !== undefined ? { objectWriteTraceId: p.traceId } : {};
    switch (p.kind) {
      case 'create': {
        const record = ctx.store.createRecord(ctx.type, p.values);
        results.push(recordWriteJson(record, p.values, { ...trace, ...(options.upsert ? { isNew: true } : {}) }));
        break;
      }
      case 'update': {
        const record = ctx.store.updateRecord(p.record, p.values);
        results.push(recordWriteJson(record, p.values, { ...trace, ...(options.upsert ? { isNew: false } : {}) }));
        break;
      }
      case 'fail':
        // UNCONFIRMED: how an error points back to its input; we put the trace id in its context.
        errors.push(batchErrorItem(p.category, p.message, { ...p.context, ...(p.traceId !== undefined ? { objectWriteTraceId: [p.traceId] } : {}) }));
        break;
      case 'missing':
        missing.push(p.id);
        break;
    }
  }
  if (missing.length > 0) errors.push(notFoundItem(ctx, missing));
  return batchResponse(errors.length > 0 ? 207 : options.successStatus, results, errors, options.startedAt, ctx.store.timestamp());
}

export function notFoundItem(ctx: ValueContext, ids: readonly string[]): BatchErrorItem {
  return batchErrorItem('OBJECT_NOT_FOUND', `Could not get some ${ctx.type.upper} objects, they may be deleted or not exist. Check that ids are valid.`, { ids });
}

export function batchResponse(status: number, results: readonly unknown[], errors: readonly BatchErrorItem[], startedAt: string, completedAt: string): HttpReply {
  return jsonReply(status, {
    status: 'COMPLETE',
    results,
    ...(errors.length > 0 ? { numErrors: errors.length, errors } : {}),
    startedAt,
    completedAt,
  });
}
