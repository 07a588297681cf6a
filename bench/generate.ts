/**
 * Sample generator throughput, against DuckDB copying the very same CSV files in the same run.
 *
 *   npx tsx bench/generate.ts [--people 500000] [--events-per-person 20] [--threads N] [--keep]
 *
 * Default: 500k people ≈ 10M web + app events (plus ~6M rows of CRM, email, consent and truth tables).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateSample } from '../src/sample/generate-sample.js';
import { readSampleCsvSql, SAMPLE_TABLE_NAMES } from '../src/sample/sample-tables.js';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '500000' },
    'events-per-person': { type: 'string', default: '20' },
    threads: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

const people = Number(values.people);
const outDir = await mkdtemp(join(tmpdir(), 'cdp-bench-generate-'));
const rate = (n: number, s: number): string => `${(n / s / 1e6).toFixed(2)}M/s`;

try {
  const summary = await generateSample({
    seed: 1,
    people,
    eventsPerPerson: Number(values['events-per-person']),
    asOf: new Date('2025-06-01T00:00:00Z'),
    outDir,
    threads: values.threads === undefined ? undefined : Number(values.threads),
  });
  const events = summary.tables.web_events.rows + summary.tables.app_events.rows;
  const rows = Object.values(summary.tables).reduce((sum, t) => sum + t.rows, 0);
  let bytes = 0;
  for (const t of Object.values(summary.tables)) bytes += (await stat(t.file)).size;
  console.log(`cores ${availableParallelism()}, people ${people}, events ${events}, rows ${rows}, ${(bytes / 1e6).toFixed(0)} MB CSV`);
  console.log(`generate    ${summary.seconds.toFixed(2)} s  events ${rate(events, summary.seconds)}  rows ${rate(rows, summary.seconds)}  ${(bytes / 1e6 / summary.seconds).toFixed(0)} MB/s`);

  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  const started = performance.now();
  for (const t of SAMPLE_TABLE_NAMES) {
    await db.run(`copy (select * from ${readSampleCsvSql(t, summary.tables[t].file)}) to '${join(outDir, `${t}.copy.csv`)}' (header)`);
  }
  const duckSeconds = (performance.now() - started) / 1000;
  db.closeSync();
  instance.closeSync();
  console.log(`duckdb copy ${duckSeconds.toFixed(2)} s  rows ${rate(rows, duckSeconds)}  (read + parse + write the same CSV files)`);
  console.log(`ratio generator/duckdb rows/s: ${(duckSeconds / summary.seconds).toFixed(2)}`);
} finally {
  if (values.keep) console.log(`kept ${outDir}`);
  else await rm(outDir, { recursive: true, force: true });
}
