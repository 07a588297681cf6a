import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import { PEOPLE_PER_BATCH, type BatchSource } from './batch-source.js';
import { CsvTableWriter } from './csv-table-writer.js';
import { takeRows, type BatchResult } from './generate-batch.js';
import { InlineBatchSource } from './inline-batch-source.js';
import { createBuffers } from './sample-buffers.js';
import { createContext } from './sample-context.js';
import type { MessRates } from './sample-rates.js';
import { SAMPLE_TABLES, SAMPLE_TABLE_NAMES, type SampleTableName } from './sample-tables.js';
import { csvToParquet } from './csv-to-parquet.js';
import { SharedValues, type SharedValue } from './shared-values.js';
import { writeCompanies, writeSharedTruth } from './truth-rows.js';
import { WorkerBatchSource } from './worker-batch-source.js';

export interface SampleOptions {
  readonly seed: number;
  readonly people: number;
  /** Mean behavioural events (web + app) per person; default 20. */
  readonly eventsPerPerson?: number;
  /** Events fall in the 120 days before asOf, plus a few late ones up to 36 hours after it. */
  readonly asOf: Date;
  readonly outDir: string;
  readonly format?: 'csv' | 'parquet';
  /** Overrides of the default mess rates (part of what determines the output). */
  readonly rates?: Partial<MessRates>;
  /** Worker threads generating rows (0 = this thread). Does not change the output. Default: by size. */
  readonly threads?: number;
}

export interface SampleSummary {
  readonly tables: Readonly<Record<string, { file: string; rows: number }>>;
  readonly seconds: number;
}

export const DEFAULT_EVENTS_PER_PERSON = 20;

/**
 * Writes a deterministic synthetic customer data set — web and app events, orders, CRM exports, email
 * events, consents — and its identity ground truth, one file per table in `outDir`. Identical options
 * give byte-identical files, whatever the number of threads.
 */
export async function generateSample(opts: SampleOptions): Promise<SampleSummary> {
  const started = performance.now();
  validate(opts);
  const eventsPerPerson = opts.eventsPerPerson ?? DEFAULT_EVENTS_PER_PERSON;
  const ctx = createContext(opts.seed, opts.people, opts.asOf, eventsPerPerson, opts.rates);
  const format = opts.format ?? 'csv';
  await mkdir(opts.outDir, { recursive: true });
  const csvFile = (t: SampleTableName): string => join(opts.outDir, format === 'csv' ? `${t}.csv` : `.${t}.tmp.csv`);
  const writers = SAMPLE_TABLE_NAMES.map((t) => new CsvTableWriter(csvFile(t), SAMPLE_TABLES[t].map((c) => c.name)));
  const threads = opts.threads ?? defaultThreads(opts.people * eventsPerPerson);
  const source: BatchSource =
    threads > 0
      ? new WorkerBatchSource({ seed: opts.seed, people: opts.people, asOfMs: opts.asOf.getTime(), eventsPerPerson, rates: opts.rates ?? {} }, threads)
      : new InlineBatchSource(ctx);
  try {
    const batches = Math.ceil(opts.people / PEOPLE_PER_BATCH);
    for (let k = 0; k < batches; k++) await write(writers, await source.next());
    const buffers = createBuffers();
    writeSharedTruth(mergeShared(await source.finish()), buffers);
    writeCompanies(ctx, buffers);
    await write(writers, takeRows(buffers));
  } finally {
    await source.close();
    await Promise.all(writers.map((w) => w.close()));
  }
  const tables: Record<string, { file: string; rows: number }> = {};
  for (const [k, table] of SAMPLE_TABLE_NAMES.entries()) tables[table] = { file: join(opts.outDir, `${table}.${format}`), rows: writers[k].rows };
  if (format === 'parquet') {
    await csvToParquet(SAMPLE_TABLE_NAMES.map((table) => ({ table, csvFile: csvFile(table), parquetFile: tables[table].file })));
  }
  return { tables, seconds: (performance.now() - started) / 1000 };
}

/** Worker threads for a sample of this many events: none for small ones (starting workers costs more). */
function defaultThreads(events: number): number {
  return events < 400_000 ? 0 : Math.max(1, Math.min(availableParallelism(), 8));
}

function mergeShared(values: readonly SharedValue[]): readonly SharedValue[] {
  const registry = new SharedValues();
  for (const v of values) registry.use(v.type, v.value, v.kind, v.reason);
  return registry.values();
}

async function write(writers: readonly CsvTableWriter[], batch: BatchResult): Promise<void> {
  await Promise.all(writers.map((w, k) => w.write(batch.chunks[k], batch.rows[k])));
}

function validate(opts: SampleOptions): void {
  if (!Number.isSafeInteger(opts.seed)) throw new RangeError(`seed must be an integer, got ${opts.seed}`);
  if (!Number.isSafeInteger(opts.people) || opts.people < 1 || opts.people >= 2 ** 35) {
    throw new RangeError(`people must be a whole number from 1 to 2^35, got ${opts.people}`);
  }
  const events = opts.eventsPerPerson ?? DEFAULT_EVENTS_PER_PERSON;
  if (!(events >= 0 && events <= 500)) throw new RangeError(`eventsPerPerson must be from 0 to 500, got ${events}`);
  if (Number.isNaN(opts.asOf.getTime())) throw new RangeError('asOf must be a valid date');
  if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads >= 0 && opts.threads <= 64)) {
    throw new RangeError(`threads must be a whole number from 0 to 64, got ${opts.threads}`);
  }
}
