import type { ZodType } from 'zod';

/**
 * One part of a file that failed its schema (a model, a trait, the identity block), parsed on its own,
 * so that the references of the parts that are fine are checked in the same run as the schema
 * (docs/commands.md#cdp-validate). Unknown keys are dropped (they were reported); any other problem
 * leaves the part out.
 */
export function parsePart<T>(schema: ZodType<T>, value: unknown): T | undefined {
  let data = value;
  for (let attempt = 0; attempt < 4; attempt++) {
    const result = schema.safeParse(data);
    if (result.success) return result.data;
    const unknown = result.error.issues.filter((i) => i.code === 'unrecognized_keys');
    if (unknown.length === 0 || unknown.length !== result.error.issues.length) return undefined;
    data = structuredClone(data);
    for (const issue of unknown) {
      const parent = issue.path.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown>)[key], data) as Record<string, unknown>;
      for (const key of issue.keys) delete parent[key];
    }
  }
  return undefined;
}

/** The `name:` of a part that could not be parsed, so references to it are not reported a second time. */
export function partName(value: unknown, key = 'name'): string | undefined {
  const name = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return typeof name === 'string' ? name : undefined;
}

/**
 * The config with every top-level key that fails dropped (for `destinations`, only the failing
 * destination), and the names of the destinations dropped.
 */
export function parseConfigParts<T>(schema: ZodType<T>, value: unknown): { value?: T; droppedDestinations: string[] } {
  const dropped: string[] = [];
  let data: unknown = structuredClone(value ?? {});
  for (let attempt = 0; attempt < 8; attempt++) {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data, droppedDestinations: dropped };
    if (typeof data !== 'object' || data === null) break;
    const root = data as Record<string, unknown>;
    let changed = false;
    for (const issue of result.error.issues) {
      const [top, second] = issue.path;
      if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
        for (const key of issue.keys) changed = delete root[key] || changed;
      } else if (top === 'destinations' && typeof second === 'string' && typeof root.destinations === 'object' && root.destinations !== null) {
        delete (root.destinations as Record<string, unknown>)[second];
        dropped.push(second);
        changed = true;
      } else if (typeof top === 'string' && top !== 'project' && top in root) {
        delete root[top];
        changed = true;
      }
    }
    if (!changed) break;
  }
  return { droppedDestinations: dropped };
}
