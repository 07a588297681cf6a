/** `scheme://user:password@` anywhere in a text: the userinfo of a URL (docs/guarantees.md#bad-input-gets-a-clear-error). */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):([^\s/?#@]*)@/gi;

/**
 * `text` with the password of every URL in it replaced by `[redacted]` (`http://user:[redacted]@host`).
 * Client libraries name the URL they tried in their errors, so a password someone put into a `baseUrl`
 * would otherwise reach the terminal and `runs.error`.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, (_match, scheme: string, user: string) => `${scheme}${user}:[redacted]@`);
}
