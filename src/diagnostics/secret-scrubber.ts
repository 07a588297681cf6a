import { redactUrlCredentials } from './redact-url-credentials.js';

/** Replaces every secret (and anything shaped like a bearer token) in a text, so errors and logs never carry one. */
export type Scrubber = (text: string) => string;

const REDACTED = '[redacted]';
const TOKEN_SHAPES: readonly RegExp[] = [/Bearer\s+[^\s"',]+/gi, /\bpat-[a-z0-9]{2,4}-[0-9a-f-]{20,}/gi];

export function secretScrubber(secrets: readonly (string | undefined)[]): Scrubber {
  const known = secrets.filter((s): s is string => s !== undefined && s.length >= 4).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of known) out = out.split(secret).join(REDACTED);
    for (const shape of TOKEN_SHAPES) out = out.replace(shape, (m) => (m.toLowerCase().startsWith('bearer') ? `Bearer ${REDACTED}` : REDACTED));
    return redactUrlCredentials(out);
  };
}
