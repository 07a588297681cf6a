/**
 * Data flows one way (docs/architecture.md): a stage of src/ imports only itself and earlier
 * stages, the side folder (sample) stays out of the pipeline, and the warehouse and CRM
 * client libraries are imported only where their engine or destination lives. Engine-specific code
 * lives in src/engines/<engine>/ only: nothing outside an engine's folder imports it except through
 * the registry and open functions at the top of src/engines/, no engine imports another, and only
 * src/engines/ branches on an engine's name. The CRM sandboxes are the workspace package
 * packages/crm-sandbox (@cdp-oss/crm-sandbox): only cli/ imports it, through its public entry, and
 * the package imports nothing of cdp. Imports are read with the TypeScript compiler's own
 * pre-processor (static, dynamic and type-only imports alike).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SRC = join(ROOT, 'src');
const SANDBOX_PACKAGE = '@cdp-oss/crm-sandbox';
const SANDBOX_SRC = join(ROOT, 'packages', 'crm-sandbox', 'src');

/** The pipeline, earliest first: a folder may import its own files and those of folders before it. */
const STAGES = ['diagnostics', 'config', 'dialect', 'warehouse', 'engines', 'model', 'identity', 'profile', 'account', 'destinations', 'sync', 'pull', 'run', 'report', 'cli'] as const;

/** Folders beside the pipeline: what each may import; only `cli` may import them. */
const SIDE: Readonly<Record<string, readonly string[]>> = {
  sample: ['diagnostics', 'config', 'engines'], // engines: an in-memory DuckDB, opened through openWarehouse, writes the demo's Parquet files
};

/** Packages that carry engine or CRM knowledge, and the folders allowed to import them. */
const CLIENT_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  '@duckdb/node-api': ['engines'],
  '@google-cloud/bigquery': ['engines'],
  'snowflake-sdk': ['engines'],
  '@hubspot/api-client': ['destinations'],
  jsforce: ['destinations'],
  [SANDBOX_PACKAGE]: ['cli'], // the CRM sandboxes (packages/crm-sandbox): `cdp sandbox` only
};

/** One import of one file: its folder under src/ and what it names. */
interface ImportEdge {
  readonly file: string;
  readonly from: string;
  readonly specifier: string;
  /** The src/ folder a relative import lands in; undefined for packages and node: modules. */
  readonly to?: string;
  /** For an import of src/engines/<engine>/…: that engine. */
  readonly toEngine?: string;
}

/** The engine folder a path under src/ belongs to (`engines/duckdb/dialect.ts` -> duckdb); undefined for the registry at the top of src/engines/. */
function engineOf(parts: readonly string[]): string | undefined {
  return parts[0] === 'engines' && parts.length > 2 ? parts[1] : undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The imports of each file, given as path (relative to src/) -> text. */
function importEdges(files: ReadonlyMap<string, string>): ImportEdge[] {
  return [...files].flatMap(([file, text]) => {
    const from = file.split('/')[0];
    return ts.preProcessFile(text, true, true).importedFiles.map(({ fileName }): ImportEdge => {
      if (!fileName.startsWith('.')) return { file, from, specifier: fileName };
      const target = relative(SRC, resolve(SRC, dirname(file), fileName)).split(sep);
      const toEngine = engineOf(target);
      return { file, from, specifier: fileName, to: target[0], ...(toEngine !== undefined ? { toEngine } : {}) };
    });
  });
}

/** Every broken rule, as one readable line each. */
function violations(edges: readonly ImportEdge[]): string[] {
  const rank = (folder: string) => (STAGES as readonly string[]).indexOf(folder);
  const known = (folder: string) => rank(folder) >= 0 || folder in SIDE;
  return edges.flatMap((e): string[] => {
    if (!known(e.from)) return [`${e.file}: src/${e.from}/ is in no stage: add it to STAGES or SIDE in this test`];
    if (e.to === undefined) {
      if (e.specifier.startsWith(`${SANDBOX_PACKAGE}/`)) return [`${e.file} imports ${e.specifier}: use the package's public entry, '${SANDBOX_PACKAGE}'`];
      const pkg = Object.keys(CLIENT_PACKAGES).find((p) => e.specifier === p || e.specifier.startsWith(`${p}/`));
      return pkg !== undefined && !CLIENT_PACKAGES[pkg].includes(e.from) ? [`${e.file} imports ${pkg}, allowed only in ${CLIENT_PACKAGES[pkg].join(', ')}`] : [];
    }
    const registry = e.from === 'engines' && engineOf(e.file.split('/')) === undefined;
    if (e.toEngine !== undefined && e.toEngine !== engineOf(e.file.split('/')) && !registry) {
      return [
        e.from === 'engines'
          ? `${e.file} imports another engine's module ${e.specifier}: engines share code through src/dialect/ and src/warehouse/`
          : `${e.file} imports the engine module ${e.specifier}: use the registry (src/engines/dialects.ts, open-warehouse.ts, open-read-only.ts)`,
      ];
    }
    if (e.to === e.from) return [];
    if (!known(e.to)) return [`${e.file} imports ${e.specifier}, outside every stage`];
    if (e.from in SIDE) return SIDE[e.from].includes(e.to) ? [] : [`${e.file} (side folder ${e.from}) imports ${e.to}: ${e.specifier}`];
    if (e.to in SIDE) return e.from === 'cli' ? [] : [`${e.file} imports the side folder ${e.to} (${e.specifier}); only cli may`];
    return rank(e.to) > rank(e.from) ? [`${e.file} (stage ${e.from}) imports the later stage ${e.to}: ${e.specifier}`] : [];
  });
}

/** Folders that may compare against an engine's name; everywhere else code asks `dialect.capabilities`. */
const ENGINE_FOLDERS = ['engines'];
const ENGINE_NAME_TEST = /[!=]==\s*'(duckdb|bigquery|snowflake)'|'(duckdb|bigquery|snowflake)'\s*[!=]==|case\s+'(duckdb|bigquery|snowflake)'\s*:/;

/** Lines outside the engine folders that branch on an engine's name. */
function engineBranches(files: ReadonlyMap<string, string>): string[] {
  return [...files]
    .filter(([file]) => !ENGINE_FOLDERS.includes(file.split('/')[0]))
    .flatMap(([file, text]) => text.split('\n').flatMap((line, i) => (ENGINE_NAME_TEST.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])));
}

describe('import direction', () => {
  it('no file under src/ imports a later stage, a side folder, or an engine client outside its folder', () => {
    const files = new Map(sourceFiles(SRC).map((path) => [relative(SRC, path).split(sep).join('/'), readFileSync(path, 'utf8')]));
    expect(files.size).toBeGreaterThan(100);
    expect(violations(importEdges(files))).toEqual([]);
  });

  it('src/ has no sandbox folder, and the sandbox package imports nothing of cdp', () => {
    expect(readdirSync(SRC)).not.toContain('sandbox');
    const files = sourceFiles(SANDBOX_SRC);
    expect(files.length).toBeGreaterThan(50);
    const escapes = files.flatMap((path) =>
      ts
        .preProcessFile(readFileSync(path, 'utf8'), true, true)
        .importedFiles.map(({ fileName }) => fileName)
        .filter((name) => (name.startsWith('.') && relative(SANDBOX_SRC, resolve(dirname(path), name)).startsWith('..')) || name.startsWith('@cdp-oss/cdp'))
        .map((name) => `${relative(ROOT, path)} imports ${name}`),
    );
    expect(escapes).toEqual([]);
  });

  it('no code outside engines/ branches on an engine name', () => {
    const files = new Map(sourceFiles(SRC).map((path) => [relative(SRC, path).split(sep).join('/'), readFileSync(path, 'utf8')]));
    expect(engineBranches(files)).toEqual([]);
    const branching = new Map([['model/v.ts', `if (project.config.warehouse.type !== 'duckdb') fail();`]]);
    expect(engineBranches(branching)).toEqual([`model/v.ts:1: if (project.config.warehouse.type !== 'duckdb') fail();`]);
  });

  it('reports each kind of violation', () => {
    const files = new Map([
      ['identity/a.ts', `import type { X } from '../run/x.js';\nimport { y } from './y.js';\nimport { c } from '../config/c.js';`],
      ['sync/b.ts', `const m = await import('../cli/m.js');`],
      ['model/c.ts', `import { s } from '../sample/s.js';\nimport { startCrmSandboxes } from '@cdp-oss/crm-sandbox';`],
      ['sample/d.ts', `import { p } from '../profile/p.js';`],
      ['profile/e.ts', `import { BigQuery } from '@google-cloud/bigquery';\nimport { z } from 'zod';`],
      ['widgets/f.ts', `import { d } from '../dialect/d.js';`],
      ['cli/g.ts', `import { s } from '../sample/s.js';\nimport { c } from '@cdp-oss/crm-sandbox';\nimport { d } from '@cdp-oss/crm-sandbox/src/hubspot/d.js';\nimport { r } from '../run/r.js';\nimport { o } from '../engines/open-warehouse.js';`],
      ['model/h.ts', `import { DuckDBWarehouse } from '../engines/duckdb/warehouse.js';\nimport { dialects } from '../engines/dialects.js';`],
      ['sample/i.ts', `import { DuckDBInstance } from '@duckdb/node-api';\nimport { o } from '../engines/open-warehouse.js';`],
      ['engines/bigquery/j.ts', `import { d } from '../duckdb/dialect.js';\nimport { v } from './value.js';\nimport { w } from '../../warehouse/w.js';`],
      ['engines/k.ts', `import { BigQuery } from '@google-cloud/bigquery';\nimport { s } from './snowflake/warehouse.js';`],
    ]);
    expect(violations(importEdges(files))).toEqual([
      'identity/a.ts (stage identity) imports the later stage run: ../run/x.js',
      'sync/b.ts (stage sync) imports the later stage cli: ../cli/m.js',
      'model/c.ts imports the side folder sample (../sample/s.js); only cli may',
      'model/c.ts imports @cdp-oss/crm-sandbox, allowed only in cli',
      'sample/d.ts (side folder sample) imports profile: ../profile/p.js',
      'profile/e.ts imports @google-cloud/bigquery, allowed only in engines',
      'widgets/f.ts: src/widgets/ is in no stage: add it to STAGES or SIDE in this test',
      "cli/g.ts imports @cdp-oss/crm-sandbox/src/hubspot/d.js: use the package's public entry, '@cdp-oss/crm-sandbox'",
      'model/h.ts imports the engine module ../engines/duckdb/warehouse.js: use the registry (src/engines/dialects.ts, open-warehouse.ts, open-read-only.ts)',
      'sample/i.ts imports @duckdb/node-api, allowed only in engines',
      "engines/bigquery/j.ts imports another engine's module ../duckdb/dialect.js: engines share code through src/dialect/ and src/warehouse/",
    ]);
  });
});
