/** The HubSpot side of test/destinations/destination-fixture.ts, under the names the HubSpot-only sync tests use. */
import { writeProject, cdp, type CliResult } from '../helpers/project.js';
import { hubspotEnv, hubspotProjectFiles, type ConnectorOptions, type HubSpotSandbox } from '../destinations/destination-fixture.js';

export * from '../destinations/destination-fixture.js';
export {
  HUBSPOT_TOKEN as TOKEN,
  HUBSPOT_FIELDS as DEFAULT_FIELDS,
  hubspotProjectFiles as projectFiles,
  startHubSpot as startSandbox,
  hubspotContacts as contacts,
  hubspotListEmails as listEmails,
  hubspotWrites as writes,
} from '../destinations/destination-fixture.js';

export function makeProject(connector: ConnectorOptions = {}): Promise<string> {
  return writeProject(hubspotProjectFiles(connector));
}

export function runCdp(dir: string, sandbox: HubSpotSandbox, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  return cdp(dir, args, { ...hubspotEnv(sandbox), ...env });
}
