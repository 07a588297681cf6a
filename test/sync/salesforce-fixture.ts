/** The Salesforce side of test/destinations/destination-fixture.ts, under the names the Salesforce-only sync tests use. */
import { writeProject, cdp, type CliResult } from '../helpers/project.js';
import { salesforceEnv, salesforceProjectFiles, type ConnectorOptions, type SalesforceSandbox } from '../destinations/destination-fixture.js';

export * from '../destinations/destination-fixture.js';
export {
  SALESFORCE_CUSTOM_FIELDS as CUSTOM_FIELDS,
  SALESFORCE_FIELDS as DEFAULT_FIELDS,
  SALESFORCE_SEGMENTS as DEFAULT_SEGMENTS,
  salesforceProjectFiles as projectFiles,
  startSalesforce as startSandbox,
  salesforceEnv as sandboxEnv,
  salesforceContacts as contacts,
  salesforceWrites as writes,
} from '../destinations/destination-fixture.js';

export function makeProject(c: ConnectorOptions = {}): Promise<string> {
  return writeProject(salesforceProjectFiles(c));
}

export function runCdp(dir: string, sandbox: SalesforceSandbox, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  return cdp(dir, args, { ...salesforceEnv(sandbox), ...env });
}
