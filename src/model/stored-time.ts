/**
 * A time read back from a state table, as the engines return it (a Date, or text without a zone, meaning UTC);
 * undefined when there is none or it does not parse.
 */
export function storedTime(value: unknown): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(String(value).replace(' ', 'T').replace(/(Z|[+-]\d\d:?\d\d)?$/, (z) => z || 'Z'));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
