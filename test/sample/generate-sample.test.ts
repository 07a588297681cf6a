import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSample, type SampleOptions, type SampleSummary } from '../../src/sample/generate-sample.js';
import { SAMPLE_TABLES, SAMPLE_TABLE_NAMES } from '../../src/sample/sample-tables.js';
import { AS_OF, tempDir } from './sample-fixture.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function generate(opts: Partial<SampleOptions>): Promise<SampleSummary> {
  const outDir = await tempDir();
  dirs.push(outDir);
  return generateSample({ seed: 1, people: 300, asOf: AS_OF, outDir, ...opts });
}

async function fingerprints(summary: SampleSummary): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [table, { file }] of Object.entries(summary.tables)) {
    out[table] = createHash('sha256').update(await readFile(file)).digest('hex');
  }
  return out;
}

describe('generateSample', () => {
  it('writes byte-identical files for identical options', async () => {
    const a = await fingerprints(await generate({}));
    const b = await fingerprints(await generate({}));
    expect(Object.keys(a).sort()).toEqual([...SAMPLE_TABLE_NAMES].sort());
    expect(b).toEqual(a);
  });

  it('writes different data for a different seed, people count, asOf or events per person', async () => {
    const base = await fingerprints(await generate({}));
    for (const change of [{ seed: 2 }, { people: 301 }, { eventsPerPerson: 10 }]) {
      const other = await fingerprints(await generate(change));
      expect(other.web_events, JSON.stringify(change)).not.toBe(base.web_events);
      expect(other.identity_truth, JSON.stringify(change)).not.toBe(base.identity_truth);
    }
    // Moving asOf moves every timestamp but keeps who is who.
    const later = await fingerprints(await generate({ asOf: new Date('2025-06-02T00:00:00Z') }));
    expect(later.web_events).not.toBe(base.web_events);
    expect(later.identity_truth).toBe(base.identity_truth);
  });

  it('writes the same files on worker threads as on the calling thread', async () => {
    const inline = await fingerprints(await generate({ people: 2500, threads: 0 }));
    const threaded = await fingerprints(await generate({ people: 2500, threads: 2 }));
    expect(threaded).toEqual(inline);
  });

  it('scales row counts with the number of people and events per person', async () => {
    const small = await generate({ people: 500 });
    const large = await generate({ people: 1000 });
    const busy = await generate({ people: 500, eventsPerPerson: 40 });
    expect(small.tables.people_truth.rows).toBe(500);
    expect(large.tables.people_truth.rows).toBe(1000);
    const events = (s: SampleSummary): number => s.tables.web_events.rows + s.tables.app_events.rows;
    expect(events(small) / 500).toBeGreaterThan(17);
    expect(events(small) / 500).toBeLessThan(25);
    expect(events(large) / events(small)).toBeGreaterThan(1.7);
    expect(events(large) / events(small)).toBeLessThan(2.3);
    expect(events(busy) / events(small)).toBeGreaterThan(1.7);
    for (const t of ['orders', 'hubspot_contacts', 'email_events', 'consents', 'identity_truth'] as const) {
      expect(large.tables[t].rows / small.tables[t].rows, t).toBeGreaterThan(1.6);
      expect(large.tables[t].rows / small.tables[t].rows, t).toBeLessThan(2.4);
    }
  });

  it('counts rows exactly as written (header excluded)', async () => {
    const summary = await generate({});
    for (const { file, rows } of Object.values(summary.tables)) {
      const text = await readFile(file, 'latin1');
      expect(text.split('\n').length - 2, file).toBe(rows);
    }
  });

  it('writes parquet with the declared column types and the same rows as CSV', async () => {
    const csv = await generate({});
    const parquet = await generate({ format: 'parquet' });
    const instance = await DuckDBInstance.create(':memory:');
    const db = await instance.connect();
    try {
      for (const t of SAMPLE_TABLE_NAMES) {
        const { file, rows } = parquet.tables[t];
        expect(file.endsWith(`${t}.parquet`)).toBe(true);
        expect(rows).toBe(csv.tables[t].rows);
        const reader = await db.runAndReadAll(`describe select * from read_parquet('${file}')`);
        const columns = reader.getRowObjectsJS().map((r) => [r.column_name, r.column_type]);
        expect(columns, t).toEqual(SAMPLE_TABLES[t].map((c) => [c.name, c.type]));
        const count = await db.runAndReadAll(`select count(*)::int as n from read_parquet('${file}')`);
        expect(count.getRowObjectsJS()[0].n, t).toBe(rows);
      }
    } finally {
      db.closeSync();
      instance.closeSync();
    }
  });

  it('rejects options it cannot honour', async () => {
    const outDir = await tempDir();
    dirs.push(outDir);
    const base: SampleOptions = { seed: 1, people: 10, asOf: AS_OF, outDir };
    await expect(generateSample({ ...base, people: 0 })).rejects.toThrow(/people/);
    await expect(generateSample({ ...base, seed: 1.5 })).rejects.toThrow(/seed/);
    await expect(generateSample({ ...base, eventsPerPerson: -1 })).rejects.toThrow(/eventsPerPerson/);
    await expect(generateSample({ ...base, asOf: new Date('nope') })).rejects.toThrow(/asOf/);
    await expect(generateSample({ ...base, threads: -1 })).rejects.toThrow(/threads/);
  });
});
