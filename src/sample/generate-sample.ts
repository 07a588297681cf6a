import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeBehaviour } from './behaviour-events.js';
import { CsvTableWriter } from './csv-table-writer.js';
import { buildPerson } from './person.js';
import { writeRecords } from './person-records.js';
import { createBuffers, type SampleBuffers } from './sample-buffers.js';
import { createContext } from './sample-context.js';
import type { MessRates } from './sample-rates.js';
import { SAMPLE_TABLES, SAMPLE_TABLE_NAMES, type SampleTableName } from './sample-tables.js';
import { csvToParquet } from './csv-to-parquet.js';
import { SharedValues } from './shared-values.js';
import { writePersonTruth, writeSharedTruth } from './truth-rows.js';

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
}

export interface SampleSummary {
  readonly tables: Readonly<Record<string, { file: string; rows: number }>>;
  readonly seconds: number;
}

export const DEFAULT_EVENTS_PER_PERSON = 20;
const PEOPLE_PER_BATCH = 1000;

/**
 * Writes a deterministic synthetic customer data set — web and app events, orders, CRM exports, email
 * events, consents — and its identity ground truth, one file per table in `outDir`. Identical options
 * give byte-identical files.
 */
export async function generateSample(opts: SampleOptions): Promise<SampleSummary> {
  const started = performance.now();
  validate(opts);
  const ctx = createContext(opts.seed, opts.people, opts.asOf, opts.eventsPerPerson ?? DEFAULT_EVENTS_PER_PERSON, opts.rates);
  const format = opts.format ?? 'csv';
  await mkdir(opts.outDir, { recursive: true });
  const csvFile = (t: SampleTableName): string => join(opts.outDir, format === 'csv' ? `${t}.csv` : `.${t}.tmp.csv`);
  const writers = SAMPLE_TABLE_NAMES.map((t) => new CsvTableWriter(csvFile(t), SAMPLE_TABLES[t].map((c) => c.name)));
  const buffers = createBuffers();
  const shared = new SharedValues();
  try {
    for (let from = 0; from < opts.people; from += PEOPLE_PER_BATCH) {
      const to = Math.min(opts.people, from + PEOPLE_PER_BATCH);
      for (let i = from; i < to; i++) {
        const person = buildPerson(ctx, i);
        writeBehaviour(ctx, person, shared, buffers);
        writeRecords(ctx, person, shared, buffers);
        writePersonTruth(ctx, person, buffers);
      }
      await flush(writers, buffers);
    }
    writeSharedTruth(shared.values(), buffers);
    await flush(writers, buffers);
  } finally {
    await Promise.all(writers.map((w) => w.close()));
  }
  const tables: Record<string, { file: string; rows: number }> = {};
  for (const [k, t] of SAMPLE_TABLE_NAMES.entries()) {
    const file = join(opts.outDir, `${t}.${format}`);
    if (format === 'parquet') await csvToParquet(t, csvFile(t), file);
    tables[t] = { file, rows: writers[k].rows };
  }
  return { tables, seconds: (performance.now() - started) / 1000 };
}

async function flush(writers: readonly CsvTableWriter[], buffers: SampleBuffers): Promise<void> {
  await Promise.all(SAMPLE_TABLE_NAMES.map((t, k) => writers[k].write(buffers[t])));
}

function validate(opts: SampleOptions): void {
  if (!Number.isSafeInteger(opts.seed)) throw new RangeError(`seed must be an integer, got ${opts.seed}`);
  if (!Number.isSafeInteger(opts.people) || opts.people < 1 || opts.people >= 2 ** 35) {
    throw new RangeError(`people must be a whole number from 1 to 2^35, got ${opts.people}`);
  }
  const events = opts.eventsPerPerson ?? DEFAULT_EVENTS_PER_PERSON;
  if (!(events >= 0 && events <= 500)) throw new RangeError(`eventsPerPerson must be from 0 to 500, got ${events}`);
  if (Number.isNaN(opts.asOf.getTime())) throw new RangeError('asOf must be a valid date');
}
