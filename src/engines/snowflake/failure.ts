import { RunError } from '../../diagnostics/diagnostic.js';
import { secretScrubber } from '../../diagnostics/secret-scrubber.js';
import type { SnowflakeConfig } from './options.js';
import { WarehouseError } from '../../warehouse/warehouse.js';

const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|Network error|could not reach/i;

/**
 * A snowflake-sdk error as what cdp reports: rejected credentials, a missing warehouse or
 * privileges, bad connection options and an unreachable account are failures of the run with
 * what to check (RunError); anything else is a statement Snowflake refused (WarehouseError).
 * The password never appears in a message.
 */
export function snowflakeFailure(error: unknown, config: SnowflakeConfig, label: string | undefined, sql: string): Error {
  if (error instanceof WarehouseError || error instanceof RunError) return error;
  const { message, code } = describeSnowflakeError(error);
  const text = secretScrubber([config.password])(message);
  const where = label ? `${label}: ` : '';
  const fromServer = /^0\d{5}$/.test(code);
  if (code.startsWith('390') || (code === 'ENOENT' && config.privateKeyPath !== undefined) || (!fromServer && /JWT|private key/i.test(message))) {
    return new RunError('warehouse-auth', `${where}Snowflake did not accept the login of ${config.username}: ${text}`, credentialsHint(config));
  }
  if (/^4040\d\d$/.test(code)) {
    return new RunError('warehouse-config', `${where}invalid Snowflake connection settings: ${text}`, 'check warehouse.account (orgname-accountname), username, database, warehouse and role');
  }
  if (code === '401001' || code === '402001' || UNREACHABLE.test(code) || (code === '' && UNREACHABLE.test(message))) {
    const address = config.accessUrl ?? `https://${config.account}.snowflakecomputing.com`;
    return new RunError('warehouse-unreachable', `${where}cannot reach Snowflake at ${address}: ${text}`, 'check warehouse.account (orgname-accountname or the account locator with its region) and the network');
  }
  if (code === '000606') {
    return new RunError('warehouse-config', `${where}${text}`, `check that warehouse ${config.warehouse} exists and that the role has USAGE on it`);
  }
  if (code === '003001' || code === '003011') {
    return new RunError('warehouse-permission', `${where}${text}`, 'grant the role the privileges listed in README "BigQuery and Snowflake"');
  }
  return new WarehouseError(text, label, sql);
}

function credentialsHint(config: SnowflakeConfig): string {
  return config.privateKeyPath !== undefined
    ? `check warehouse.privateKeyPath (${config.privateKeyPath}): an unencrypted PKCS#8 PEM key whose public key is set on user ${config.username} (ALTER USER … SET RSA_PUBLIC_KEY)`
    : `check warehouse.username and the password in the environment variable warehouse.password reads, and that the user may log in to account ${config.account}`;
}

/** The message and code (`'002003'` from the server, `'401001'` from the driver, `'ENOENT'`) of an error. */
export function describeSnowflakeError(error: unknown): { readonly message: string; readonly code: string } {
  if (!(error instanceof Error)) return { message: String(error), code: '' };
  const record = error as Error & { code?: unknown; cause?: unknown };
  const cause = typeof record.cause === 'object' && record.cause !== null ? (record.cause as { message?: unknown; code?: unknown }) : undefined;
  const code = record.code ?? cause?.code;
  const causeText = typeof cause?.message === 'string' && !error.message.includes(cause.message) ? ` (${cause.message})` : '';
  return { message: `${error.message}${causeText}`, code: typeof code === 'number' || typeof code === 'string' ? String(code) : '' };
}
