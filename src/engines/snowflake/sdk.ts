import { loadDriver } from '../load-driver.js';

type SnowflakeImport = Awaited<ReturnType<typeof importSdk>>;
export type SnowflakeSdk = SnowflakeImport['default'];

const importSdk = () => import('snowflake-sdk');
let loaded: Promise<SnowflakeSdk> | undefined;

/**
 * snowflake-sdk, loaded on first use and configured once: its logger off (cdp reports errors
 * itself; nothing the driver knows — tokens, passwords — reaches a log file or the console), and the
 * AWS SDK it bundles (for stages, which cdp does not use) kept from warning about Node 20.
 */
export function loadSnowflakeSdk(): Promise<SnowflakeSdk> {
  loaded ??= (async (): Promise<SnowflakeSdk> => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const sdk = (await loadDriver('snowflake-sdk', importSdk)).default;
    sdk.configure({ logLevel: 'OFF', additionalLogToConsole: false });
    return sdk;
  })();
  return loaded;
}
