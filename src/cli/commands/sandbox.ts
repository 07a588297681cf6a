import { error, ProjectError, RunError } from '../../diagnostics/diagnostic.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE } from '../../config/load-project.js';
import { seedCrmExports } from '@cdp-oss/crm-sandbox';
import { startSandboxes } from '../start-sandboxes.js';
import type { CliCommand } from '../command.js';
import { ExitCode } from '../exit-codes.js';

export const DEFAULT_HUBSPOT_PORT = 4010;
export const DEFAULT_SALESFORCE_PORT = 4020;
const HOST = '127.0.0.1';

export const sandboxCommand: CliCommand = {
  name: 'sandbox',
  description: 'start local HubSpot- and Salesforce-compatible API sandboxes on 127.0.0.1 until Ctrl+C',
  options: [
    { flags: '--port-hubspot <port>', description: 'HubSpot sandbox port (0 picks a free one)', defaultValue: String(DEFAULT_HUBSPOT_PORT) },
    { flags: '--port-salesforce <port>', description: 'Salesforce sandbox port (0 picks a free one)', defaultValue: String(DEFAULT_SALESFORCE_PORT) },
    { flags: '--requests-per-10s <n>', description: "the HubSpot sandbox's rolling 10-second limit (0: none)", defaultValue: '100' },
    { flags: '--seed', description: "start with the CRM contacts of the project's exports (data/hubspot_contacts.csv, data/salesforce_contacts.csv), as `npm run demo` does" },
  ],
  async run(ctx, _args, options) {
    const limit = port(options.requestsPer10s, '--requests-per-10s');
    // The project (when there is one) tells the Salesforce org which custom fields it should have.
    const project = existsSync(join(ctx.dir, CONFIG_FILE)) ? await ctx.project().catch(() => undefined) : undefined;
    const hubspotPort = port(options.portHubspot, '--port-hubspot');
    const salesforcePort = port(options.portSalesforce, '--port-salesforce');
    const sandboxes = await startSandboxes(project, ctx.dir, { host: HOST, hubspotPort, salesforcePort, requestsPer10s: limit }).catch((e: unknown) => {
      throw portInUse(e, [
        { port: hubspotPort, what: 'the HubSpot sandbox', flag: '--port-hubspot' },
        { port: salesforcePort, what: 'the Salesforce sandbox', flag: '--port-salesforce' },
      ]);
    });
    try {
      const { hubspot, salesforce, env } = sandboxes;
      if (options.seed) {
        const seeded = await seedCrmExports(ctx.dir, sandboxes);
        if (seeded.hubspotContacts + seeded.salesforceContacts === 0) {
          ctx.reporter.problem('warning: --seed found no contacts in data/hubspot_contacts.csv or data/salesforce_contacts.csv; write them with `cdp generate` first');
        } else {
          ctx.reporter.info(`Seeded ${seeded.hubspotContacts} HubSpot and ${seeded.salesforceContacts} Salesforce contacts from data/; \`cdp run --pull\` copies them into the warehouse`);
        }
      }
      ctx.reporter.info(`HubSpot sandbox     ${hubspot.url}  (fake portal ${hubspot.portalId}, ${limit > 0 ? `${limit} requests / 10 s` : 'no rate limit'})`);
      ctx.reporter.info(`Salesforce sandbox  ${salesforce.url}  (org ${salesforce.orgId}; trusts the JWT key in ${env.SF_PRIVATE_KEY})`);
      ctx.reporter.info('');
      ctx.reporter.info('Point cdp at them (in another terminal):');
      for (const [k, v] of Object.entries(env)) ctx.reporter.info(`  export ${k}=${v}`);
      ctx.reporter.info('');
      ctx.reporter.info(`State and fault injection: <url>/__sandbox/state, <url>/__sandbox/faults. Press Ctrl+C to stop.`);
      ctx.reporter.summary({ command: 'sandbox', hubspot: { url: hubspot.url, portalId: hubspot.portalId }, salesforce: { url: salesforce.url }, env });
      ctx.reporter.printSummary(ExitCode.ok);
      await untilSignal();
      ctx.reporter.info('stopping sandboxes');
      return ExitCode.ok;
    } finally {
      await sandboxes.close().catch(() => undefined);
    }
  },
};

/** A port another process holds (EADDRINUSE) as a message that says which one and what to do. */
function portInUse(e: unknown, ports: readonly { port: number; what: string; flag: string }[]): unknown {
  const failure = e as NodeJS.ErrnoException & { port?: number };
  if (failure?.code !== 'EADDRINUSE') return e;
  const taken = ports.find((p) => p.port === failure.port) ?? ports[0];
  return new RunError(
    'port-in-use',
    `port ${failure.port ?? taken.port} on ${HOST}, wanted by ${taken.what}, is already in use by another process (is another \`cdp sandbox\` running?)`,
    `stop that process, or pick another port: ${taken.flag} <port> (0 picks a free one)`,
  );
}

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
