/** A `${VAR}` that the environment did not provide and that had no `:-default`. */
export interface MissingVariable {
  readonly variable: string;
}

const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replaces `${VAR}` and `${VAR:-default}`; missing variables become empty text and are reported. */
export function interpolateEnv(
  text: string,
  env: Readonly<Record<string, string | undefined>>,
): { readonly value: string; readonly missing: readonly MissingVariable[] } {
  const missing: MissingVariable[] = [];
  const value = text.replace(reference, (_match, variable: string, fallback: string | undefined) => {
    const found = env[variable];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    missing.push({ variable });
    return '';
  });
  return { value, missing };
}

export function hasEnvReference(text: string): boolean {
  return text.includes('${');
}
