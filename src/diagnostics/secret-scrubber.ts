import { redactUrlCredentials } from './redact-url-credentials.js';

/**
 * Replaces every secret (and anything shaped like a token or a key) in a text, so errors, logs and
 * state tables never carry one (docs/guarantees.md#bad-input-gets-a-clear-error). The one scrubber
 * of cdp: destinations build it from their credentials, the warehouse engines from theirs.
 */
export type Scrubber = (text: string) => string;

const REDACTED = '[redacted]';

/** Secrets that never belong in a message, whoever put them there: the match is replaced whole. */
const SECRET_SHAPES: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, // PEM private keys (BigQuery, Snowflake key-pair)
  /\bpat-[a-z0-9]{2,4}-[0-9a-f-]{20,}/gi, // HubSpot private-app tokens
  /\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._-]+/g, // Salesforce session ids
  /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, // JWTs
];

/** Tokens after a marker that stays readable: `Bearer [redacted]`, `ya29.[redacted]`, `Snowflake Token="[redacted]`. */
const TOKEN_AFTER = /\b(Bearer\s+|ya29\.|Snowflake Token=")[^\s"',]+/gi;

export function secretScrubber(secrets: readonly (string | undefined)[]): Scrubber {
  const known = secrets.filter((s): s is string => s !== undefined && s.length >= 4).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of known) out = out.split(secret).join(REDACTED);
    for (const shape of SECRET_SHAPES) out = out.replace(shape, REDACTED);
    out = out.replace(TOKEN_AFTER, (_m, marker: string) => `${/^bearer/i.test(marker) ? 'Bearer ' : marker}${REDACTED}`);
    return redactUrlCredentials(out);
  };
}
