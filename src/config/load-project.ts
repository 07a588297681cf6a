import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { error, type Diagnostic, type Location } from '../diagnostics/diagnostic.js';
import {
  configSchema,
  modelsFileSchema,
  syncSchema,
  type CdpConfig,
  type IdentityConfig,
  type ModelConfig,
  type SegmentConfig,
  type SourceConfig,
  type SyncConfig,
  type TraitConfig,
} from './schema.js';
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
  readonly traits: readonly Declared<TraitConfig>[];
  readonly segments: readonly Declared<SegmentConfig>[];
  readonly syncs: readonly Declared<SyncConfig>[];
  /** Env variables the files reference but the environment lacks. */
  readonly missingEnv: readonly EnvUse[];
}

export const CONFIG_FILE = 'cdp.config.yaml';

export async function loadProject(
  dir: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
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
  const missingEnv: EnvUse[] = [...configYaml.envUses];
  for (const path of await yamlFiles(join(dir, 'models'))) {
    const yaml = await read(path);
    missingEnv.push(...yaml.envUses);
    const parsed = yaml.validate(modelsFileSchema);
    diagnostics.push(...parsed.diagnostics);
    if (!parsed.value) continue;
    const declare = <T extends object>(key: string, items: readonly T[], into: Declared<T>[]) =>
      items.forEach((item, i) => into.push({ ...item, origin: { file: yaml, path: [key, i] } }));
    declare('models', parsed.value.models, models);
    declare('sources', parsed.value.sources, sources);
    declare('traits', parsed.value.traits, traits);
    declare('segments', parsed.value.segments, segments);
    if (parsed.value.identity) identities.push({ ...parsed.value.identity, origin: { file: yaml, path: ['identity'] } });
  }
  for (const extra of identities.slice(1)) {
    diagnostics.push(
      error('duplicate-identity', 'a project has one identity: block', locate(extra.origin), `the first is in ${identities[0].origin.file.file}`),
    );
  }

  const syncs: Declared<SyncConfig>[] = [];
  for (const path of await yamlFiles(join(dir, 'connectors'))) {
    const yaml = await read(path);
    missingEnv.push(...yaml.envUses);
    const parsed = yaml.validate(syncSchema);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.value) syncs.push({ ...parsed.value, origin: { file: yaml, path: [] } });
  }

  if (!config.value) return { diagnostics };
  return {
    project: {
      dir,
      config: { ...config.value, origin: { file: configYaml, path: [] } },
      models,
      sources,
      identity: identities[0],
      traits,
      segments,
      syncs,
      missingEnv,
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
