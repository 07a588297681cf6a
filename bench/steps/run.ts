/**
 * Where one `cdp build` of an existing DuckDB project spends its time, by step and by statement (not a test):
 *
 *   npx tsx bench/steps/run.ts <project dir> [--full-refresh] [--top 25]
 *
 * Builds the project in `<project dir>` (its `.cdp/warehouse.duckdb`, as `cdp build` would, reference time now) with
 * the warehouse's statements timed, then prints the total, the seconds per step label and the slowest statements.
 * Use it after changing a file or a table of a sample project (`cdp init --people 100000`) to see what an
 * incremental build costs at that size.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { buildProject } from '../../src/run/build-project.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'full-refresh': { type: 'boolean', default: false }, top: { type: 'string', default: '25' } },
});
const dir = positionals[0];
if (!dir) throw new Error('usage: npx tsx bench/steps/run.ts <project dir> [--full-refresh] [--top 25]');
const project = (await loadProject(dir)).project as LoadedProject;
const warehouse = await DuckDBWarehouse.open({ path: join(dir, '.cdp', 'warehouse.duckdb') });
const log: { label: string; ms: number; sql: string }[] = [];
const { execute, query } = warehouse;
const timed =
  <A extends unknown[], R>(f: (...args: A) => Promise<R>) =>
  async (...args: A): Promise<R> => {
    const started = performance.now();
    try {
      return await f.apply(warehouse, args);
    } finally {
      const sql = String(args[0]);
      log.push({ label: (args[1] as { label?: string } | undefined)?.label ?? sql.slice(0, 50), ms: performance.now() - started, sql });
    }
  };
Object.assign(warehouse, { execute: timed(execute), query: timed(query) });
try {
  const started = performance.now();
  const summary = await buildProject({ project, warehouse, runId: `steps_${Date.now()}`, asOf: new Date(), fullRefresh: values['full-refresh'], log: () => undefined });
  console.log(`build: ${((performance.now() - started) / 1000).toFixed(2)} s (identity ${summary.identity?.mode ?? '-'}, profiles ${summary.profiles?.mode ?? '-'})`);
  const byLabel = new Map<string, number>();
  for (const x of log) byLabel.set(x.label, (byLabel.get(x.label) ?? 0) + x.ms);
  console.log('seconds per step:');
  for (const [label, ms] of [...byLabel].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${(ms / 1000).toFixed(3).padStart(7)}  ${label}`);
  console.log('slowest statements:');
  for (const x of [...log].sort((a, b) => b.ms - a.ms).slice(0, Number(values.top))) {
    console.log(`  ${(x.ms / 1000).toFixed(3).padStart(7)}  ${x.label.slice(0, 36).padEnd(36)}  ${x.sql.replace(/\s+/g, ' ').slice(0, 100)}`);
  }
} finally {
  await warehouse.close();
}
