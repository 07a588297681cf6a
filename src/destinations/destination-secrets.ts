import type { DestinationConfig } from '../config/schema.js';
import { authSecrets } from './salesforce/salesforce-auth.js';
import { secretScrubber, type Scrubber } from '../diagnostics/secret-scrubber.js';

/** A scrubber for one destination's configured secrets (tokens, client secrets, passwords). */
export function destinationScrubber(config: DestinationConfig | undefined): Scrubber {
  if (!config) return secretScrubber([]);
  return secretScrubber(config.type === 'hubspot' ? [config.accessToken] : authSecrets(config.auth));
}
