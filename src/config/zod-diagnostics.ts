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
      const known = keysAt(schema, path);
      const more = issue.keys.length > 1 ? ` (and ${issue.keys.slice(1).map((k) => `'${k}'`).join(', ')})` : '';
      return error(
        'unknown-key',
        `unknown key '${key}'${where ? ` in ${where}` : ''}${more}`,
        yaml.locate([...path, key], { key: true }),
        suggestion(key, known) ?? (known.length ? `expected one of: ${known.join(', ')}` : undefined),
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

/** The keys the schema allows for the object at `path` (all options' keys for a union). */
function keysAt(schema: ZodType, path: YamlPath): string[] {
  const keys = new Set<string>();
  collectKeys(schema as unknown as core.$ZodType, [...path], keys);
  return [...keys];
}

function collectKeys(schema: core.$ZodType, path: (string | number)[], keys: Set<string>): void {
  const def = schema._zod.def as core.$ZodTypeDef & Record<string, unknown>;
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, core.$ZodType>;
      if (path.length === 0) for (const k of Object.keys(shape)) keys.add(k);
      else if (shape[String(path[0])]) collectKeys(shape[String(path[0])], path.slice(1), keys);
      return;
    }
    case 'array':
      if (path.length > 0) collectKeys(def.element as core.$ZodType, path.slice(1), keys);
      return;
    case 'record':
      if (path.length > 0) collectKeys(def.valueType as core.$ZodType, path.slice(1), keys);
      return;
    case 'union':
      for (const option of def.options as core.$ZodType[]) collectKeys(option, path, keys);
      return;
    case 'optional':
    case 'default':
    case 'nullable':
    case 'prefault':
      collectKeys(def.innerType as core.$ZodType, path, keys);
      return;
    case 'pipe':
      collectKeys(def.in as core.$ZodType, path, keys);
      collectKeys(def.out as core.$ZodType, path, keys);
      return;
  }
}
