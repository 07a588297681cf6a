import type { BigQueryOptions } from '@google-cloud/bigquery';
import type { WarehouseConfig } from '../../config/schema.js';

export type BigQueryConfig = Extract<WarehouseConfig, { type: 'bigquery' }>;

/**
 * Client options for the configured project. The real service always authenticates: with
 * `keyFilename` (a service-account key) or else Application Default Credentials
 * (GOOGLE_APPLICATION_CREDENTIALS, `gcloud auth application-default login`, or the metadata server
 * on Google Cloud). Only a plain-http `apiEndpoint` without a key — a local emulator, which never
 * checks tokens — gets a client that sends no credentials, so tests never look for Google
 * credentials or probe the metadata server. https endpoints (regional or private ones) keep real auth.
 */
export function bigqueryClientOptions(config: BigQueryConfig): BigQueryOptions {
  const options: BigQueryOptions = {
    projectId: config.projectId,
    ...(config.location !== undefined ? { location: config.location } : {}),
    ...(config.keyFilename !== undefined ? { keyFilename: config.keyFilename } : {}),
    ...(config.apiEndpoint !== undefined ? { apiEndpoint: config.apiEndpoint } : {}),
    userAgent: 'cdp',
  };
  if (isEmulatorEndpoint(config)) return { ...options, authClient: noCredentials };
  return options;
}

/** A plain-http endpoint and no key file: an emulator, not Google. */
export function isEmulatorEndpoint(config: BigQueryConfig): boolean {
  return config.keyFilename === undefined && config.apiEndpoint !== undefined && /^http:\/\//i.test(config.apiEndpoint);
}

/** The part of google-auth-library's client the BigQuery client calls: it adds no headers. */
const noCredentials = {
  getRequestHeaders: async (): Promise<Headers> => new Headers(),
} as unknown as NonNullable<BigQueryOptions['authClient']>;
