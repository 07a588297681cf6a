import type { IncomingHttpHeaders } from 'node:http';
import type { HttpReply } from '../http/http-reply.js';
import { parseJsonText } from '../http/request-body.js';
import type { ApiUsage } from './api-usage.js';
import type { IngestJobs } from './bulk2-jobs.js';
import type { QueryCursors } from './query-cursors.js';
import { allowsDuplicates, type DuplicateRules } from './duplicate-rules.js';
import type { DmlContext, SalesforceDml } from './salesforce-dml.js';
import { fail } from './salesforce-errors.js';
import type { SalesforceFaults } from './salesforce-faults.js';
import type { IdFactory } from './salesforce-ids.js';
import type { SalesforceStats } from './salesforce-stats.js';
import type { SalesforceStore } from './salesforce-store.js';
import type { SchemaRegistry, SObjectSchema } from './schema-registry.js';
import type { Session } from './sessions.js';

/** Everything a route may use. One per sandbox. */
export interface SalesforceEnv {
  readonly registry: SchemaRegistry;
  readonly store: SalesforceStore;
  readonly dml: SalesforceDml;
  readonly duplicates: DuplicateRules;
  readonly ids: IdFactory;
  readonly faults: SalesforceFaults;
  readonly cursors: QueryCursors;
  readonly jobs: IngestJobs;
  readonly stats: SalesforceStats;
  readonly usage: ApiUsage;
  readonly orgId: string;
  readonly url: () => string;
}

export interface RouteContext {
  readonly env: SalesforceEnv;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly bodyText: string;
  /** `62.0`. */
  readonly version: string;
  /** `/services/data/v62.0`. */
  readonly versionPath: string;
  readonly session: Session;
  /** Counts the records a write call carried (stats). */
  noteRecords(count: number): void;
}

export interface RouteDefinition {
  /** Whether the route changes data (stats `writeRequests`). */
  readonly writes: boolean;
  readonly handler: (ctx: RouteContext) => HttpReply | Promise<HttpReply>;
}

/** The JSON body, or a 400 JSON_PARSER_ERROR like Salesforce's. */
export function jsonBody(ctx: RouteContext): unknown {
  const parsed = parseJsonText(ctx.bodyText);
  if (!parsed.ok) return fail(400, 'JSON_PARSER_ERROR', `Unexpected character in JSON input: ${parsed.message} at [line:${parsed.line}, column:${parsed.column}]`);
  return parsed.value;
}

export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The schema named in the URL, or 404 NOT_FOUND. */
export function sobjectParam(ctx: RouteContext, name = ctx.params.sobject): SObjectSchema {
  const schema = ctx.env.registry.get(name ?? '');
  return schema ?? fail(404, 'NOT_FOUND', 'The requested resource does not exist');
}

export function dmlContext(ctx: RouteContext, batchSize: number): DmlContext {
  return { batchSize, userId: ctx.session.user.id, duplicates: ctx.env.duplicates, allowDuplicates: allowsDuplicates(ctx.headers['sforce-duplicate-rule-header']) };
}
