/**
 * Where one `cdp build` (or, with `--run`, one whole `cdp run`) of an existing DuckDB project spends its time, by
 * step and by statement (not a test):
 *
 *   npx tsx bench/steps/run.ts <project dir> [--full-refresh] [--run] [--top 25] [--analyze <regex>] [--defer-checkpoint]
 *
 * Builds the project in `<project dir>` (its `.cdp/warehouse.duckdb`, as `cdp build` would, reference time now) with
 * the warehouse's statements timed, then prints the total, the seconds per step label and the slowest statements.
 * With `--run` it runs `cdp run` itself (build, then every sync; destinations from the environment, as the README's
 * `cdp sandbox` prints them), so the syncs' statements are timed too; the total then includes loading and checking the
 * project, and the requests to the destinations.
 * Use it after changing a file or a table of a sample project (`cdp init --people 100000`) to see what an
 * incremental build or run costs at that size. With `--analyze`, each statement matching the regular expression is
 * run as `explain analyze` (DuckDB executes it, so the build goes on the same) and its profile is printed to stderr.
 * With `--defer-checkpoint`, DuckDB does not write its changes into the database file during the build (it does once
 * its write-ahead log passes 16 MB, inside whichever statement commits then); the checkpoint is timed after it.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { main } from '../../src/cli/main.js';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { buildProject } from '../../src/run/build-project.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'full-refresh': { type: 'boolean', default: false },
    run: { type: 'boolean', default: false },
    top: { type: 'string', default: '25' },
    analyze: { type: 'string' },
    'defer-checkpoint': { type: 'boolean', default: false },
  },
});
const dir = positionals[0];
if (!dir) throw new Error('usage: npx tsx bench/steps/run.ts <project dir> [--full-refresh] [--run] [--top 25] [--analyze <regex>] [--defer-checkpoint]');
const analyze = values.analyze === undefined ? undefined : new RegExp(values.analyze);

// Every DuckDB warehouse this process opens is timed, the CLI's own included.
const log: { label: string; ms: number; sql: string }[] = [];
const methods = DuckDBWarehouse.prototype as unknown as Record<'execute' | 'query' | 'transaction', (...args: unknown[]) => Promise<unknown>>;
for (const name of ['execute', 'query', 'transaction'] as const) {
  const f = methods[name];
  methods[name] = async function (this: unknown, ...args: unknown[]) {
    if (analyze && name === 'execute' && analyze.test(String(args[0]))) {
      const [row] = (await methods.query.call(this, `explain (analyze, format json) ${String(args[0])}`)) as { explain_value?: string }[];
      process.stderr.write(`${operators(JSON.parse(String(row?.explain_value ?? '{}')) as Operator, String(args[0]))}\n`);
      return undefined;
    }
    const started = performance.now();
    try {
      return await f.apply(this, args);
    } finally {
      const sql = Array.isArray(args[0]) ? (args[0] as string[]).join(';\n') : String(args[0]);
      log.push({ label: (args[1] as { label?: string } | undefined)?.label ?? sql.slice(0, 50), ms: performance.now() - started, sql });
    }
  };
}

interface Operator {
  readonly operator_name?: string;
  readonly operator_timing?: number;
  readonly operator_cardinality?: number;
  readonly latency?: number;
  readonly extra_info?: Record<string, unknown>;
  readonly children?: readonly Operator[];
}

/** A statement's profile as its operators, slowest first: seconds, rows out, name, and what it reads or joins on. */
function operators(root: Operator, sql: string): string {
  const all: Operator[] = [];
  const walk = (o: Operator) => {
    if (o.operator_name) all.push(o);
    for (const c of o.children ?? []) walk(c);
  };
  walk(root);
  const info = (o: Operator) => JSON.stringify(o.extra_info ?? {}).replace(/\s+/g, ' ').slice(0, 140);
  const lines = all
    .sort((a, b) => (b.operator_timing ?? 0) - (a.operator_timing ?? 0))
    .slice(0, 15)
    .map((o) => {
      // A join's inputs: probe side (left) and build side (right), rows out of each.
      const sides = (o.children ?? []).map((c) => String(c.operator_cardinality ?? '?')).join(' x ');
      return `  ${(o.operator_timing ?? 0).toFixed(3).padStart(7)}  ${String(o.operator_cardinality ?? '').padStart(9)}  ${(o.operator_name ?? '').trim().padEnd(14)} ${/JOIN/.test(o.operator_name ?? '') ? `[${sides}] ` : ''}${info(o)}`;
    });
  return [`analyze (${(root.latency ?? 0).toFixed(3)} s): ${sql.replace(/\s+/g, ' ').slice(0, 100)}`, ...lines].join('\n');
}

const started = performance.now();
if (values.run) {
  const code = await main(['node', 'cdp', 'run', ...(values['full-refresh'] ? ['--full-refresh'] : [])], {
    cwd: dir,
    env: process.env,
    stdout: () => undefined,
    stderr: (text: string) => process.stderr.write(text),
    interactive: false,
  });
  console.log(`cdp run: ${((performance.now() - started) / 1000).toFixed(2)} s, exit ${code}`);
} else {
  const project = (await loadProject(dir)).project as LoadedProject;
  const warehouse = await DuckDBWarehouse.open({ path: join(dir, '.cdp', 'warehouse.duckdb') });
  try {
    // DuckDB writes its changes into the database file (a checkpoint) once the write-ahead log passes 16 MB, inside
    // whichever statement commits then; deferred, the checkpoint is timed on its own after the build.
    if (values['defer-checkpoint']) await warehouse.execute(`set checkpoint_threshold = '1TB'`);
    const summary = await buildProject({ project, warehouse, runId: `steps_${Date.now()}`, asOf: new Date(), fullRefresh: values['full-refresh'], log: () => undefined });
    console.log(`build: ${((performance.now() - started) / 1000).toFixed(2)} s (identity ${summary.identity?.mode ?? '-'}, profiles ${summary.profiles?.mode ?? '-'})`);
    if (values['defer-checkpoint']) {
      const at = performance.now();
      await warehouse.execute('checkpoint', { label: 'checkpoint' });
      console.log(`checkpoint after the build: ${((performance.now() - at) / 1000).toFixed(2)} s`);
    }
  } finally {
    await warehouse.close();
  }
}
const byLabel = new Map<string, number>();
for (const x of log) byLabel.set(x.label, (byLabel.get(x.label) ?? 0) + x.ms);
console.log(`statements: ${(log.reduce((a, x) => a + x.ms, 0) / 1000).toFixed(2)} s over ${log.length}`);
console.log('seconds per step:');
for (const [label, ms] of [...byLabel].sort((a, b) => b[1] - a[1]).slice(0, values.run ? 30 : 15)) console.log(`  ${(ms / 1000).toFixed(3).padStart(7)}  ${label}`);
console.log('slowest statements:');
for (const x of [...log].sort((a, b) => b.ms - a.ms).slice(0, Number(values.top))) {
  console.log(`  ${(x.ms / 1000).toFixed(3).padStart(7)}  ${x.label.slice(0, 36).padEnd(36)}  ${x.sql.replace(/\s+/g, ' ').slice(0, 100)}`);
}
