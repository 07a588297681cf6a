/** `text` with every occurrence of each secret (of 4+ characters) replaced by `***`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('***');
  }
  // Private keys and bearer tokens never belong in a message, whoever put them there.
  return out
    .replace(/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '***')
    .replace(/\b(ya29\.|Bearer\s+|Snowflake Token=")[\w.\-~+/=]+/g, '$1***');
}
