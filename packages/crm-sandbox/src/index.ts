/**
 * The package's public entry: everything cdp (and its tests, benches and demo) may use. Files under
 * src/ other than this one are internal (see CONTEXT.md).
 */
export {
  DEFAULT_PORTAL_ID,
  DEFAULT_SANDBOX_TOKEN,
  startHubSpotSandbox,
  type HubSpotSandbox,
  type HubSpotSandboxOptions,
} from './hubspot/hubspot-sandbox.js';
export type { HubSpotSandboxStats } from './hubspot/hubspot-sandbox-stats.js';
export { COMPANIES, CONTACTS, OBJECT_TYPES, type HubSpotObjectType } from './hubspot/hubspot-object-types.js';
export {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_PASSWORD,
  DEFAULT_USERNAME,
  SeedError,
  generateJwtKeyPair,
  startSalesforceSandbox,
  type FieldSpec,
  type SalesforceFaultInput,
  type SalesforceSandbox,
  type SalesforceSandboxOptions,
  type SalesforceSandboxStats,
} from './salesforce/salesforce-sandbox.js';
export type { FieldValue } from './salesforce/field-spec.js';
export type { FaultConfigInput } from './http/fault-config.js';
export { startCrmSandboxes, type Sandboxes, type SandboxesOptions } from './start-crm-sandboxes.js';
export { seedCrmExports, type SeededExports } from './seed-crm-exports.js';
