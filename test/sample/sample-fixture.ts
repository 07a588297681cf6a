import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { generateSample, type SampleOptions, type SampleSummary } from '../../src/sample/generate-sample.js';
import { SAMPLE_TABLE_NAMES, readSampleCsvSql } from '../../src/sample/sample-tables.js';

export const AS_OF = new Date('2025-06-01T00:00:00Z');

/** A generated sample in a temp dir, with one DuckDB view per table. */
export interface SampleFixture {
  readonly dir: string;
  readonly summary: SampleSummary;
  readonly db: DuckDBConnection;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  one(sql: string): Promise<number>;
  close(): Promise<void>;
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'cdp-sample-'));
}

export async function sampleFixture(opts: Partial<SampleOptions> = {}): Promise<SampleFixture> {
  const dir = await tempDir();
  const summary = await generateSample({ seed: 7, people: 1000, asOf: AS_OF, outDir: dir, ...opts });
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  for (const t of SAMPLE_TABLE_NAMES) await db.run(`create view ${t} as select * from ${readSampleCsvSql(t, join(dir, `${t}.csv`))}`);
  const rows = async (sql: string): Promise<Record<string, unknown>[]> => (await db.runAndReadAll(sql)).getRowObjectsJS();
  return {
    dir,
    summary,
    db,
    rows,
    one: async (sql) => Number(Object.values((await rows(sql))[0])[0]),
    close: async () => {
      db.closeSync();
      instance.closeSync();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
