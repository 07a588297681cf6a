/**
 * Every file `cdp compile` writes for the repository's sample project is valid SQL in its dialect:
 * parsed by sqlglot (PyPI, installed by scripts/install-sqlglot.sh into .venv/sqlglot, or the venv
 * named by CDP_SQLGLOT_VENV). Without sqlglot the test skips locally and fails under CI=true.
 * On BigQuery and Snowflake the sample's `path:` sources become `table: raw.<name>` (files are DuckDB-only).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadProject } from '../../src/config/load-project.js';
import { dialects } from '../../src/engines/dialects.js';
import { isCommentOnly, printPlan } from '../../src/model/print-plan.js';
import { compilePlan } from '../../src/run/compile-plan.js';
import { cdp } from '../helpers/project.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '..', '..');
const PYTHON = join(process.env.CDP_SQLGLOT_VENV ?? join(REPO_ROOT, '.venv', 'sqlglot'), 'bin', 'python');
const HAVE_SQLGLOT = existsSync(PYTHON);
const REQUIRED = process.env.CI === 'true';
const DIALECTS = ['duckdb', 'bigquery', 'snowflake'] as const;

interface ParsedFile {
  readonly file: string;
  readonly statements: number;
  readonly error: string | null;
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** The sample project in a fresh folder; sources read tables instead of files unless on DuckDB. */
async function sampleProject(dialect: (typeof DIALECTS)[number]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `cdp-compile-${dialect}-`));
  dirs.push(dir);
  for (const entry of ['cdp.config.yaml', 'models', 'connectors']) await cp(join(REPO_ROOT, entry), join(dir, entry), { recursive: true });
  if (dialect === 'duckdb') return dir;
  const sourcesPath = join(dir, 'models', 'sources.yaml');
  const file = parse(await readFile(sourcesPath, 'utf8')) as { sources: Record<string, unknown>[] };
  const sources = file.sources.map(({ path, ...rest }) => (typeof path === 'string' ? { ...rest, table: `raw.${String(rest.name)}` } : rest));
  await writeFile(sourcesPath, stringify({ ...file, sources }));
  return dir;
}

async function parseWithSqlglot(dialect: string, files: readonly string[]): Promise<ParsedFile[]> {
  const { stdout } = await promisify(execFile)(PYTHON, [join(HERE, 'parse_sql.py'), dialect, ...files], { maxBuffer: 64 * 1024 * 1024 });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ParsedFile);
}

describe.skipIf(!HAVE_SQLGLOT && !REQUIRED)('cdp compile output parses with sqlglot', () => {
  it.each(DIALECTS)('%s: every written file parses, one statement per compiled statement', async (dialect) => {
    if (!HAVE_SQLGLOT) throw new Error(`sqlglot is required in CI but ${PYTHON} is missing: run scripts/install-sqlglot.sh`);
    const dir = await sampleProject(dialect);
    const result = await cdp(dir, ['compile', '--dialect', dialect]);
    expect(result.code, result.stderr).toBe(0);

    const out = join(dir, 'target', dialect);
    const files = (await readdir(out)).filter((f) => f.endsWith('.sql')).sort();
    const { project } = await loadProject(dir, {});
    if (!project) throw new Error('the sample project does not load');
    const printed = printPlan(compilePlan(project, dialects[dialect], new Date()), dialects[dialect]);
    expect(files).toHaveLength(printed.length);
    expect(files.some((f) => f.includes('identity.components'))).toBe(true);
    // plan.json holds the typed plan: the components rounds as a loop, the identity mode as a decision.
    const json = await readFile(join(out, 'plan.json'), 'utf8');
    expect(json).toContain('"kind": "loop"');
    expect(json).toContain('"id": "identity.mode"');

    const parsed = await parseWithSqlglot(dialect, files.map((f) => join(out, f)));
    expect(parsed.filter((p) => p.error !== null)).toEqual([]);
    // A statement half hidden behind a `--` line would parse as a different number of statements.
    const expected = printed.map((step, i) => ({ file: join(out, files[i]), statements: step.statements.filter((s) => !isCommentOnly(s)).length }));
    expect(parsed.map(({ file, statements }) => ({ file, statements }))).toEqual(expected);
  });
});
