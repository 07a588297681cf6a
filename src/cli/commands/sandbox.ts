import { error, ProjectError } from '../../diagnostics/diagnostic.js';
import { DEFAULT_SANDBOX_TOKEN, startHubSpotSandbox } from '../../sandbox/hubspot/hubspot-sandbox.js';
import type { CliCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';

export const DEFAULT_HUBSPOT_PORT = 4010;
export const DEFAULT_SALESFORCE_PORT = 4020;
const HOST = '127.0.0.1';

/** A running sandbox, whichever service it emulates. */
interface RunningSandbox {
  readonly url: string;
  close(): Promise<void>;
}

export const sandboxCommand: CliCommand = {
  name: 'sandbox',
  description: 'start local HubSpot- and Salesforce-compatible API sandboxes on 127.0.0.1 until Ctrl+C',
  options: [
    { flags: '--port-hubspot <port>', description: 'HubSpot sandbox port (0 picks a free one)', defaultValue: String(DEFAULT_HUBSPOT_PORT) },
    { flags: '--port-salesforce <port>', description: 'Salesforce sandbox port (0 picks a free one)', defaultValue: String(DEFAULT_SALESFORCE_PORT) },
    { flags: '--requests-per-10s <n>', description: "the HubSpot sandbox's rolling 10-second limit (0: none)", defaultValue: '100' },
  ],
  async run(ctx, _args, options) {
    const hubspotPort = port(options.portHubspot, '--port-hubspot');
    const salesforcePort = port(options.portSalesforce, '--port-salesforce');
    const limit = port(options.requestsPer10s, '--requests-per-10s');
    const hubspot = await startHubSpotSandbox({ port: hubspotPort, host: HOST, requestsPer10s: limit });
    const running: RunningSandbox[] = [hubspot];
    try {
      const salesforce = await startSalesforce(salesforcePort);
      if (salesforce) running.push(salesforce);
      const env: Record<string, string> = { HUBSPOT_BASE_URL: hubspot.url, HUBSPOT_ACCESS_TOKEN: DEFAULT_SANDBOX_TOKEN };
      if (salesforce) Object.assign(env, salesforce.env);
      ctx.reporter.info(`HubSpot sandbox     ${hubspot.url}  (fake portal ${hubspot.portalId}, ${limit > 0 ? `${limit} requests / 10 s` : 'no rate limit'})`);
      ctx.reporter.info(`Salesforce sandbox  ${salesforce ? salesforce.url : 'not available in this build'}`);
      ctx.reporter.info('');
      ctx.reporter.info('Point cdp at them (in another terminal):');
      for (const [k, v] of Object.entries(env)) ctx.reporter.info(`  export ${k}=${v}`);
      ctx.reporter.info('');
      ctx.reporter.info(`State and fault injection: ${hubspot.url}/__sandbox/state, /__sandbox/faults. Press Ctrl+C to stop.`);
      ctx.reporter.summary({ command: 'sandbox', hubspot: { url: hubspot.url, accessToken: DEFAULT_SANDBOX_TOKEN, portalId: hubspot.portalId }, salesforce: salesforce ? { url: salesforce.url } : null, env });
      await untilSignal();
      ctx.reporter.info('stopping sandboxes');
      return ExitCode.ok;
    } finally {
      await Promise.all(running.map((s) => s.close().catch(() => undefined)));
    }
  },
};

function port(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ProjectError([error('invalid-option', `${flag} '${String(value)}' is not a port number`, {}, 'use 0-65535')]);
  return n;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * The Salesforce sandbox is built separately (src/sandbox/salesforce/); it is loaded by path so
 * that cdp works without it. Expected: `startSalesforceSandbox({port, host})` -> `{url, close()}`,
 * and optionally the DEFAULT_* credentials it accepts.
 */
async function startSalesforce(portNumber: number): Promise<(RunningSandbox & { readonly env: Readonly<Record<string, string>> }) | undefined> {
  const specifier = '../../sandbox/salesforce/salesforce-sandbox.js';
  let loaded: Readonly<Record<string, unknown>>;
  try {
    loaded = (await import(specifier)) as Readonly<Record<string, unknown>>;
  } catch {
    return undefined;
  }
  const start = loaded.startSalesforceSandbox;
  if (typeof start !== 'function') return undefined;
  const sandbox: unknown = await (start as (options: { port: number; host: string }) => Promise<unknown>)({ port: portNumber, host: HOST });
  const { url, close } = sandbox as { url?: unknown; close?: unknown };
  if (typeof url !== 'string' || typeof close !== 'function') return undefined;
  const env: Record<string, string> = { SALESFORCE_LOGIN_URL: url };
  const defaults: Readonly<Record<string, string>> = { SF_CLIENT_ID: 'DEFAULT_CLIENT_ID', SF_CLIENT_SECRET: 'DEFAULT_CLIENT_SECRET', SF_USERNAME: 'DEFAULT_USERNAME', SF_PASSWORD: 'DEFAULT_PASSWORD' };
  for (const [variable, exported] of Object.entries(defaults)) {
    const value = loaded[exported];
    if (typeof value === 'string') env[variable] = value;
  }
  return { url, env, close: () => Promise.resolve((close as () => unknown).call(sandbox)).then(() => undefined) };
}
