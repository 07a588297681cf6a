import type { ConnectionOptions } from 'snowflake-sdk';
import type { WarehouseConfig } from '../../config/schema.js';
import { RunError } from '../../diagnostics/diagnostic.js';

export type SnowflakeConfig = Extract<WarehouseConfig, { type: 'snowflake' }>;

/**
 * Connection options for the configured account. Key-pair authentication (`privateKeyPath`, an
 * unencrypted PKCS#8 PEM file; authenticator SNOWFLAKE_JWT) wins over `password`. `accessUrl`
 * replaces the https://<account>.snowflakecomputing.com address (emulators, private links).
 * Integers arrive as BigInt, so NUMBER(38,0) values beyond 2^53 stay exact; every statement
 * carries QUERY_TAG 'cdp' so its cost can be found in QUERY_HISTORY.
 */
export function snowflakeConnectionOptions(config: SnowflakeConfig): ConnectionOptions {
  const credentials: ConnectionOptions =
    config.privateKeyPath !== undefined
      ? { authenticator: 'SNOWFLAKE_JWT', privateKeyPath: config.privateKeyPath }
      : config.password !== undefined
        ? { password: config.password }
        : missingCredentials();
  return {
    account: config.account,
    username: config.username,
    ...credentials,
    warehouse: config.warehouse,
    database: config.database,
    ...(config.role !== undefined ? { role: config.role } : {}),
    ...(config.accessUrl !== undefined ? { accessUrl: config.accessUrl } : {}),
    jsTreatIntegerAsBigInt: true,
    queryTag: 'cdp',
    // The driver's default (7 login retries with backoff) takes over 3 minutes to report an
    // unreachable account; two retries still ride out a blip and fail within seconds.
    sfRetryMaxLoginRetries: 2,
  };
}

function missingCredentials(): never {
  throw new RunError(
    'warehouse-config',
    'Snowflake needs warehouse.password or warehouse.privateKeyPath',
    'set privateKeyPath to a key-pair file (recommended), or password: ${SNOWFLAKE_PASSWORD}',
  );
}
