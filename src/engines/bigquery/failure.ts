import { RunError } from '../../diagnostics/diagnostic.js';
import type { BigQueryConfig } from './options.js';
import { secretScrubber } from '../../diagnostics/secret-scrubber.js';
import { WarehouseError } from '../../warehouse/warehouse.js';

const scrub = secretScrubber([]);
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|socket hang up|fetch failed/;
const CREDENTIALS =
  /Could not load the default credentials|invalid_grant|invalid_client|unauthorized_client|invalid authentication credentials|Could not refresh access token|Unable to detect a Project Id|DECODER routines|PEM routines|No key or keyFile set/i;

/**
 * A BigQuery client error as what cdp reports: rejected credentials, missing permissions and an
 * unreachable endpoint are failures of the run with what to check (RunError); anything else is a
 * statement the warehouse refused (WarehouseError), with the job's reason and position.
 */
export function bigqueryFailure(error: unknown, config: BigQueryConfig, label: string | undefined, sql: string): Error {
  if (error instanceof WarehouseError || error instanceof RunError) return error;
  const { message, status, reason, code } = describeBigQueryError(error);
  const text = scrub(message);
  const where = label ? `${label}: ` : '';
  const fromApi = reason !== undefined;
  if (status === 401 || reason === 'authError' || reason === 'unauthorized' || (!fromApi && (CREDENTIALS.test(message) || (code === 'ENOENT' && config.keyFilename !== undefined)))) {
    return new RunError('warehouse-auth', `${where}BigQuery did not accept the credentials: ${text}`, credentialsHint(config));
  }
  if (status === 403 && (reason === 'accessDenied' || reason === undefined)) {
    return new RunError(
      'warehouse-permission',
      `${where}BigQuery denied access: ${text}`,
      `grant the account roles/bigquery.jobUser on project ${config.projectId}, roles/bigquery.dataViewer on the source datasets and roles/bigquery.dataEditor on cdp's dataset (see README "BigQuery and Snowflake")`,
    );
  }
  if (reason === 'billingNotEnabled' || reason === 'billingTierLimitExceeded') {
    return new RunError('warehouse-config', `${where}BigQuery refused the job: ${text}`, `check billing for project ${config.projectId}`);
  }
  if (status === undefined && !fromApi && (UNREACHABLE.test(message) || (code !== undefined && UNREACHABLE.test(code)))) {
    const endpoint = config.apiEndpoint ?? 'https://bigquery.googleapis.com';
    return new RunError('warehouse-unreachable', `${where}cannot reach BigQuery at ${endpoint}: ${text}`, 'check the network connection and warehouse.apiEndpoint');
  }
  return new WarehouseError(reason ? `${text} [${reason}]` : text, label, sql);
}

function credentialsHint(config: BigQueryConfig): string {
  return config.keyFilename !== undefined
    ? `check that warehouse.keyFilename (${config.keyFilename}) is a valid service-account key (JSON) that has not been deleted or disabled`
    : 'cdp uses Application Default Credentials: set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, run `gcloud auth application-default login`, or set warehouse.keyFilename';
}

interface Described {
  readonly message: string;
  /** HTTP status, when the API answered. */
  readonly status?: number;
  /** BigQuery's error reason (`invalidQuery`, `notFound`, `accessDenied`, …). */
  readonly reason?: string;
  /** A Node system error code (`ECONNREFUSED`, `ENOENT`, …). */
  readonly code?: string;
}

/** The parts of an ApiError / GaxiosError / system error that say what went wrong. */
export function describeBigQueryError(error: unknown): Described {
  if (!(error instanceof Error)) return { message: String(error) };
  const record = error as Error & { code?: unknown; errors?: unknown; cause?: unknown; response?: unknown };
  const status = typeof record.code === 'number' ? record.code : responseStatus(record.response);
  const first = Array.isArray(record.errors) ? (record.errors[0] as unknown) : undefined;
  const reason = isRecord(first) && typeof first.reason === 'string' ? first.reason : undefined;
  const cause = isRecord(record.cause) ? record.cause : undefined;
  const code = typeof record.code === 'string' ? record.code : typeof cause?.code === 'string' ? cause.code : undefined;
  const causeText = cause && typeof cause.message === 'string' && !error.message.includes(cause.message) ? ` (${cause.message})` : '';
  return { message: `${error.message}${causeText}`, status, reason, code };
}

function responseStatus(response: unknown): number | undefined {
  return isRecord(response) && typeof response.status === 'number' ? response.status : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Whether BigQuery said "not found" (a missing dataset or table). */
export function isNotFound(error: unknown): boolean {
  const d = describeBigQueryError(error);
  return d.reason === 'notFound' || (d.status === 404 && d.reason === undefined);
}
