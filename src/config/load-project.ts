import type { ZodType } from 'zod';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { error, type Diagnostic, type Location } from '../diagnostics/diagnostic.js';
import { suggestion } from '../diagnostics/did-you-mean.js';
import { parseConfigParts, parsePart, partName } from './parse-part.js';
import {
  accountsSchema,
  configSchema,
  identitySchema,
  modelsFileParts,
  modelsFileSchema,
  syncSchema,
  type AccountsConfig,
  type CdpConfig,
  type IdentityConfig,
  type ModelConfig,
  type SegmentConfig,
  type SourceConfig,
  type SyncConfig,
  type SyncFile,
  type TraitConfig,
} from './schema.js';
import { resolvedMatch } from './sync-entity.js';
import { YamlFile, type EnvUse, type YamlPath } from './yaml-file.js';

/** Where a piece of configuration was declared, so any later check can point at it. */
export interface Origin {
  readonly file: YamlFile;
  readonly path: YamlPath;
}

export type Declared<T> = T & { readonly origin: Origin };

export function locate(origin: Origin, key?: string): Location {
  return origin.file.locate(key === undefined ? origin.path : [...origin.path, key]);
}

/** Everything in a project's files, validated for shape but not yet for meaning (see model/). */
export interface LoadedProject {
  readonly dir: string;
  readonly config: Declared<CdpConfig>;
  readonly models: readonly Declared<ModelConfig>[];
  readonly sources: readonly Declared<SourceConfig>[];
  readonly identity?: Declared<IdentityConfig>;
  /** The account entity (docs/accounts.md); absent in a person-only project. */
  readonly accounts?: Declared<AccountsConfig>;
  readonly traits: readonly Declared<TraitConfig>[];
  readonly segments: readonly Declared<SegmentConfig>[];
  readonly syncs: readonly Declared<SyncConfig>[];
  /** Env variables the files reference but the environment lacks. */
  readonly missingEnv: readonly EnvUse[];
  /**
   * Names declared in parts that failed their schema (already reported): references to them are not
   * reported again. Empty when the project is valid.
   */
  readonly invalidNames?: InvalidNames;
}

export interface InvalidNames {
  readonly models: ReadonlySet<string>;
  readonly sources: ReadonlySet<string>;
  readonly traits: ReadonlySet<string>;
  readonly segments: ReadonlySet<string>;
  readonly destinations: ReadonlySet<string>;
  /** An identity: block was declared but failed its schema. */
  readonly identity: boolean;
}

export const CONFIG_FILE = 'cdp.config.yaml';

/**
 * Reads and shape-checks every project file. The warehouse is `warehouse:`, or the `targets:` block named by
 * `options.target` or else CDP_TARGET (docs/targets.md); it replaces `config.warehouse`, so no later stage
 * knows about targets.
 */
export async function loadProject(
  dir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: { readonly target?: string } = {},
): Promise<{ project?: LoadedProject; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const configPath = [CONFIG_FILE, 'cdp.config.yml'].map((f) => join(dir, f)).find((p) => existsSync(p));
  if (!configPath) {
    return {
      diagnostics: [error('no-project', `no ${CONFIG_FILE} in ${dir}`, {}, 'run `cdp init` to create a project, or pass --project-dir')],
    };
  }
  const read = async (path: string) => {
    const { yaml, diagnostics: found } = YamlFile.parse(relative(dir, path) || path, await readFile(path, 'utf8'), env);
    diagnostics.push(...found);
    return yaml;
  };

  const configYaml = await read(configPath);
  const config = configYaml.validate(configSchema);
  diagnostics.push(...config.diagnostics);

  const models: Declared<ModelConfig>[] = [];
  const sources: Declared<SourceConfig>[] = [];
  const traits: Declared<TraitConfig>[] = [];
  const segments: Declared<SegmentConfig>[] = [];
  const identities: Declared<IdentityConfig>[] = [];
  const accountBlocks: Declared<AccountsConfig>[] = [];
  const target = options.target ?? (env.CDP_TARGET || undefined);
  const chosen = config.value ? selectTarget(config.value, configYaml, target, options.target === undefined) : undefined;
  if (chosen && !chosen.ok) diagnostics.push(chosen.diagnostic);
  const missingEnv: EnvUse[] = targetEnvUses(configYaml.envUses, target);

  const invalid = { models: new Set<string>(), sources: new Set<string>(), traits: new Set<string>(), segments: new Set<string>(), destinations: new Set<string>(), identity: false };
  for (const path of await yamlFiles(join(dir, 'models'))) {
    const yaml = await read(path);
    missingEnv.push(...yaml.envUses);
    const parsed = yaml.validate(modelsFileSchema);
    diagnostics.push(...parsed.diagnostics);
    const declare = <T extends object>(key: keyof typeof modelsFileParts, items: readonly T[], into: Declared<T>[]) =>
      items.forEach((item, i) => into.push({ ...item, origin: { file: yaml, path: [key, i] } }));
    if (parsed.value) {
      declare('models', parsed.value.models, models);
      declare('sources', parsed.value.sources, sources);
      declare('traits', parsed.value.traits, traits);
      declare('segments', parsed.value.segments, segments);
      if (parsed.value.identity) identities.push({ ...parsed.value.identity, origin: { file: yaml, path: ['identity'] } });
      if (parsed.value.accounts) accountBlocks.push({ ...parsed.value.accounts, origin: { file: yaml, path: ['accounts'] } });
      continue;
    }
    // The file failed its schema: keep the parts that pass on their own, so their references are
    // checked now rather than after the schema errors are fixed.
    const data = (typeof yaml.data === 'object' && yaml.data !== null ? yaml.data : {}) as Record<string, unknown>;
    const recover = <T extends object>(key: keyof typeof modelsFileParts, into: Declared<T>[]) => {
      const items = Array.isArray(data[key]) ? (data[key] as unknown[]) : [];
      items.forEach((item, i) => {
        const part = parsePart(modelsFileParts[key] as ZodType, item) as T | undefined;
        if (part) into.push({ ...part, origin: { file: yaml, path: [key, i] } });
        else if (partName(item)) invalid[key].add(partName(item) as string);
      });
    };
    recover('models', models);
    recover('sources', sources);
    recover('traits', traits);
    recover('segments', segments);
    const identity = data.identity === undefined ? undefined : parsePart(identitySchema, data.identity);
    if (identity) identities.push({ ...identity, origin: { file: yaml, path: ['identity'] } });
    else if (data.identity !== undefined) invalid.identity = true;
    const accounts = data.accounts === undefined ? undefined : parsePart(accountsSchema, data.accounts);
    if (accounts) accountBlocks.push({ ...accounts, origin: { file: yaml, path: ['accounts'] } });
  }
  for (const extra of accountBlocks.slice(1)) {
    diagnostics.push(error('duplicate-accounts', 'a project has one accounts: block', locate(extra.origin), `the first is in ${accountBlocks[0].origin.file.file}`));
  }
  for (const extra of identities.slice(1)) {
    diagnostics.push(
      error('duplicate-identity', 'a project has one identity: block', locate(extra.origin), `the first is in ${identities[0].origin.file.file}`),
    );
  }

  const syncFiles: Declared<SyncFile>[] = [];
  for (const path of await yamlFiles(join(dir, 'connectors'))) {
    const yaml = await read(path);
    missingEnv.push(...yaml.envUses);
    const parsed = yaml.validate(syncSchema);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.value) syncFiles.push({ ...parsed.value, origin: { file: yaml, path: [] } });
  }

  const recovered = config.value ? { value: config.value, droppedDestinations: [] } : parseConfigParts(configSchema, configYaml.data);
  if (!recovered.value) return { diagnostics };
  // Account syncs may leave `match` out (cdp's account id, docs/accounts-sync.md); person syncs may not.
  const syncs: Declared<SyncConfig>[] = [];
  for (const file of syncFiles) {
    const match = resolvedMatch(file, recovered.value.destinations[file.destination]?.type);
    if (match) syncs.push({ ...file, match });
    else diagnostics.push(error('missing-match', `sync '${file.sync}' has no match:`, locate(file.origin, 'object'), 'add match: { id_type: email } (or another id type); only account syncs (companies / Account) have a default'));
  }
  for (const name of recovered.droppedDestinations) invalid.destinations.add(name);
  return {
    project: {
      dir,
      config: { ...recovered.value, warehouse: chosen?.ok ? chosen.warehouse : recovered.value.warehouse, origin: { file: configYaml, path: [] } },
      models,
      sources,
      identity: identities[0],
      ...(accountBlocks[0] ? { accounts: accountBlocks[0] } : {}),
      traits,
      segments,
      syncs,
      missingEnv,
      invalidNames: invalid,
    },
    diagnostics,
  };
}

async function yamlFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The warehouse block a target names, or an unknown-target diagnostic (with the names there are). */
function selectTarget(
  config: CdpConfig,
  yaml: YamlFile,
  target: string | undefined,
  fromEnv: boolean,
): { ok: true; warehouse: CdpConfig['warehouse'] } | { ok: false; diagnostic: Diagnostic } {
  if (target === undefined) return { ok: true, warehouse: config.warehouse };
  const found = config.targets[target];
  if (found) return { ok: true, warehouse: found };
  const names = Object.keys(config.targets);
  const given = fromEnv ? `CDP_TARGET=${target}` : `--target ${target}`;
  return {
    ok: false,
    diagnostic: error(
      'unknown-target',
      `${given}: cdp.config.yaml has no target '${target}'`,
      yaml.locate(names.length ? ['targets'] : []),
      suggestion(target, names) ?? (names.length ? `targets: ${names.join(', ')}` : 'declare it under targets: (docs/targets.md)'),
    ),
  };
}

/** `${VAR}`s of the chosen target count as the warehouse's; those of other targets are not needed. */
function targetEnvUses(uses: readonly EnvUse[], target: string | undefined): EnvUse[] {
  return uses.flatMap((use) => {
    if (use.path[0] === 'warehouse') return target === undefined ? [use] : [];
    if (use.path[0] !== 'targets') return [use];
    return use.path[1] === target ? [{ ...use, path: ['warehouse', ...use.path.slice(2)] }] : [];
  });
}
