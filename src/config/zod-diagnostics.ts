import type { ZodType, core } from 'zod';
import { error, type Diagnostic } from '../diagnostics/diagnostic.js';
import { suggestion } from '../diagnostics/did-you-mean.js';
import type { YamlFile, YamlPath } from './yaml-file.js';

/** One zod issue as a diagnostic at the right line and column, with a hint where we can give one. */
export function zodIssueDiagnostic(issue: core.$ZodIssue, yaml: YamlFile, schema: ZodType): Diagnostic {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const where = pathText(path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0];
      const known = keysAt(schema, path, yaml.data);
      const more = issue.keys.length > 1 ? ` (and ${issue.keys.slice(1).map((k) => `'${k}'`).join(', ')})` : '';
      const owners = ownersOf(schema, path, key);
      const belongs = owners.length ? `'${key}' belongs to ${owners.map((o) => `${o.discriminator}: ${o.value}`).join(' or ')}, not ${owners[0].discriminator}: ${String(valueAt(yaml.data, [...path, owners[0].discriminator]))}` : undefined;
      return error(
        'unknown-key',
        `unknown key '${key}'${where ? ` in ${where}` : ''}${more}`,
        yaml.locate([...path, key], { key: true }),
        belongs ?? suggestion(key, known) ?? (known.length ? `expected one of: ${known.join(', ')}` : undefined),
      );
    }
    case 'invalid_type': {
      const missing = (issue as { input?: unknown }).input === undefined && !issue.message.includes('received');
      if (missing || issue.message.endsWith('received undefined')) {
        const parent = path.slice(0, -1);
        return error('missing-key', `'${where}' is required`, yaml.locate(parent), `add '${String(path.at(-1))}:'`);
      }
      return error('invalid-type', `${where || 'file'}: expected ${issue.expected}`, yaml.locate(path), issue.message);
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => String(v));
      const given = valueAt(yaml.data, path);
      return error(
        'invalid-value',
        `${where}: '${String(given)}' is not one of ${options.join(', ')}`,
        yaml.locate(path),
        typeof given === 'string' ? suggestion(given, options) : undefined,
      );
    }
    case 'invalid_union': {
      const given = valueAt(yaml.data, path);
      const { discriminator, options } = issue as { discriminator?: string; options?: unknown[] };
      if (discriminator && path.at(-1) === discriminator) {
        // `type: duckbd`: zod 4 puts the discriminator in the path and lists what it accepts.
        const known = (options ?? []).map(String);
        return error(
          'invalid-value',
          `${where}: '${String(given)}' is not a known ${discriminator}`,
          yaml.locate(path),
          (typeof given === 'string' ? suggestion(given, known) : undefined) ?? `use one of: ${known.join(', ')}`,
        );
      }
      if (discriminator && typeof given === 'object' && given !== null) {
        const value = (given as Record<string, unknown>)[discriminator];
        return error(
          'invalid-value',
          `${where}.${discriminator}: '${String(value)}' is not a known ${discriminator}`,
          yaml.locate([...path, discriminator]),
          undefined,
        );
      }
      return error('invalid-value', `${where}: ${issue.message}`, yaml.locate(path));
    }
    default:
      return error('invalid-value', `${where ? `${where}: ` : ''}${issue.message}`, yaml.locate(path));
  }
}

function pathText(path: YamlPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function valueAt(data: unknown, path: YamlPath): unknown {
  let node = data;
  for (const p of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[p];
  }
  return node;
}

/**
 * The keys the schema allows for the object at `path`: for a discriminated union, those of the option the
 * data's discriminator picks (all options' keys when it picks none).
 */
function keysAt(schema: ZodType, path: YamlPath, data: unknown): string[] {
  const keys = new Set<string>();
  collectKeys(schema as unknown as core.$ZodType, [...path], keys, valueAt(data, path));
  return [...keys];
}

/** For a key that the data's option of a discriminated union lacks: the other options that have it (`type: duckdb`). */
function ownersOf(schema: ZodType, path: YamlPath, key: string): { discriminator: string; value: string }[] {
  const options = new Map<core.$ZodType, string>();
  collectUnions(schema as unknown as core.$ZodType, [...path], options);
  return [...options].flatMap(([option, discriminator]) => {
    const def = option._zod.def as core.$ZodTypeDef & Record<string, unknown>;
    if (def.type !== 'object' || !(key in (def.shape as Record<string, unknown>))) return [];
    return [...(literalValues(option, discriminator) ?? [])].map((v) => ({ discriminator, value: String(v) }));
  });
}

/** The values an object option of a discriminated union takes for its discriminator. */
function literalValues(option: core.$ZodType, discriminator: string): Set<unknown> | undefined {
  return (option as unknown as { _zod: { propValues?: Record<string, Set<unknown>> } })._zod.propValues?.[discriminator];
}

/** The options of the discriminated union at `path`, if there is one. */
function collectUnions(schema: core.$ZodType, path: (string | number)[], into: Map<core.$ZodType, string>): void {
  const def = schema._zod.def as core.$ZodTypeDef & Record<string, unknown>;
  if (path.length === 0) {
    if (def.type === 'union' && typeof def.discriminator === 'string') for (const o of def.options as core.$ZodType[]) into.set(o, def.discriminator);
    else if (['optional', 'default', 'nullable', 'prefault'].includes(def.type)) collectUnions(def.innerType as core.$ZodType, path, into);
    return;
  }
  const next = (inner: core.$ZodType, rest: (string | number)[]) => collectUnions(inner, rest, into);
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, core.$ZodType>;
      if (shape[String(path[0])]) next(shape[String(path[0])], path.slice(1));
      return;
    }
    case 'array':
      return next(def.element as core.$ZodType, path.slice(1));
    case 'record':
      return next(def.valueType as core.$ZodType, path.slice(1));
    case 'union':
      for (const o of def.options as core.$ZodType[]) next(o, path);
      return;
    case 'optional':
    case 'default':
    case 'nullable':
    case 'prefault':
      return next(def.innerType as core.$ZodType, path);
    case 'pipe':
      return next(def.in as core.$ZodType, path);
  }
}

function collectKeys(schema: core.$ZodType, path: (string | number)[], keys: Set<string>, node?: unknown): void {
  const def = schema._zod.def as core.$ZodTypeDef & Record<string, unknown>;
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, core.$ZodType>;
      if (path.length === 0) for (const k of Object.keys(shape)) keys.add(k);
      else if (shape[String(path[0])]) collectKeys(shape[String(path[0])], path.slice(1), keys, node);
      return;
    }
    case 'array':
      if (path.length > 0) collectKeys(def.element as core.$ZodType, path.slice(1), keys, node);
      return;
    case 'record':
      if (path.length > 0) collectKeys(def.valueType as core.$ZodType, path.slice(1), keys, node);
      return;
    case 'union': {
      const options = def.options as core.$ZodType[];
      const discriminator = def.discriminator;
      const picked =
        path.length === 0 && typeof discriminator === 'string' && typeof node === 'object' && node !== null
          ? options.filter((o) => literalValues(o, discriminator)?.has((node as Record<string, unknown>)[discriminator]))
          : [];
      for (const option of picked.length ? picked : options) collectKeys(option, path, keys, node);
      return;
    }
    case 'optional':
    case 'default':
    case 'nullable':
    case 'prefault':
      collectKeys(def.innerType as core.$ZodType, path, keys, node);
      return;
    case 'pipe':
      collectKeys(def.in as core.$ZodType, path, keys, node);
      collectKeys(def.out as core.$ZodType, path, keys, node);
      return;
  }
}
