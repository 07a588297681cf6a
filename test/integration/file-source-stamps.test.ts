import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { cdp, removeProject, writeProject, yaml } from '../helpers/project.js';

/**
 * A source with `path:` is read again only when its files changed (docs/incremental.md#file-sources): a build
 * with the same files writes nothing for it, and any change to the set of files or to one file's bytes, even
 * at the same size within the same second, is read.
 */
const MODELS = yaml`
  sources:
    - name: events
      path: data/events*.csv
      timestamp: ts
      identifiers: [{ column: email, type: email }]
  identity:
    id_types:
      email: { priority: 1 }
  traits:
    - { name: views, from: events, aggregate: count }
`;

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeProject));
});

interface Stage {
  readonly stage: string;
  readonly rows_written: number;
}

async function build(dir: string, ...flags: string[]): Promise<number> {
  const result = await cdp(dir, ['--json', 'build', ...flags]);
  expect(result.code, result.stderr).toBe(0);
  const stages = (JSON.parse(result.stdout) as { stages: Stage[] }).stages;
  return stages.find((s) => s.stage === 'models')?.rows_written ?? -1;
}

async function rows(dir: string, sql: string): Promise<string> {
  const w = await DuckDBWarehouse.open({ path: join(dir, '.cdp', 'warehouse.duckdb') });
  try {
    return JSON.stringify(await w.query(sql));
  } finally {
    await w.close();
  }
}

describe('file sources', () => {
  it('are read again only when their files changed', async () => {
    const dir = await writeProject({
      'cdp.config.yaml': 'project: t\n',
      'models/m.yaml': MODELS,
      'data/events_1.csv': 'email,ts\na@x.com,2026-01-01 00:00:00\nb@x.com,2026-01-02 00:00:00\n',
    });
    dirs.push(dir);
    const views = () => rows(dir, 'select p.views from cdp.profiles p join cdp.identifiers i using (profile_id) order by i.id_value');

    expect(await build(dir)).toBe(2);
    expect(await build(dir)).toBe(0);

    // The same size, at once: a rewritten file is read.
    await writeFile(join(dir, 'data/events_1.csv'), 'email,ts\na@x.com,2026-01-01 00:00:00\na@x.com,2026-01-02 00:00:00\n');
    expect(await build(dir)).toBe(2);
    expect(await views()).toBe(JSON.stringify([{ views: 2 }]));

    // A new file that the glob matches: only its rows are read (and counted), then a removed one.
    await writeFile(join(dir, 'data/events_2.csv'), 'email,ts\nc@x.com,2026-01-03 00:00:00\n');
    expect(await build(dir)).toBe(1);
    expect(await rows(dir, 'select count(*) as n from cdp.source_events')).toBe(JSON.stringify([{ n: 3 }]));
    expect(await views()).toBe(JSON.stringify([{ views: 2 }, { views: 1 }]));
    await rm(join(dir, 'data/events_1.csv'));
    expect(await build(dir)).toBe(1);
    expect(await views()).toBe(JSON.stringify([{ views: 1 }]));

    // The table gone, or --full-refresh: read again although the files are the same.
    await rows(dir, 'drop table cdp.source_events');
    expect(await build(dir)).toBe(1);
    expect(await build(dir, '--full-refresh')).toBe(1);
    expect(await build(dir)).toBe(0);
  }, 60_000);

  it('take only the rows of added files, as a whole read gives them, and read whole when the new files read differently', async () => {
    const dir = await writeProject({
      'cdp.config.yaml': 'project: t\n',
      'models/m.yaml': MODELS,
      'data/events_1.csv': 'email,ts\na@x.com,2026-01-01 00:00:00\nb@x.com,2026-01-02 00:00:00\n',
    });
    dirs.push(dir);
    /** The source's table after this build, then the same after a --full-refresh build of the same files. */
    const table = async () => {
      const incremental = await rows(dir, 'select * from cdp.source_events order by all');
      expect(await build(dir, '--full-refresh')).toBeGreaterThan(0);
      return [incremental, await rows(dir, 'select * from cdp.source_events order by all')];
    };
    expect(await build(dir)).toBe(2);

    // Two files at once, one with a quoted value and a row the first file repeats: only their rows are read.
    await writeFile(join(dir, 'data/events_2.csv'), 'email,ts\n"c@x.com",2026-01-03 00:00:00\na@x.com,2026-01-01 00:00:00\n');
    await writeFile(join(dir, 'data/events_3.csv'), 'email,ts\nd@x.com,2026-01-04 10:30:00\n');
    expect(await build(dir)).toBe(3);
    const [appended, whole] = await table();
    expect(appended).toBe(whole);
    expect(JSON.parse(appended)).toHaveLength(5);

    // A file whose times are dates makes the whole read's column text: the source is read whole.
    await writeFile(join(dir, 'data/events_4.csv'), 'email,ts\ne@x.com,2026-01-05\n');
    expect(await build(dir)).toBe(6);
    expect(new Set(await table()).size).toBe(1);

    // The first file rewritten while another is added: read whole.
    await writeFile(join(dir, 'data/events_1.csv'), 'email,ts\na@x.com,2026-01-01 00:00:00\n');
    await writeFile(join(dir, 'data/events_5.csv'), 'email,ts\nf@x.com,2026-01-06 00:00:00\n');
    expect(await build(dir)).toBe(6);
    expect(new Set(await table()).size).toBe(1);

    // A file that sorts before the others: read whole (a multi-file read takes its dialect from the first file).
    await writeFile(join(dir, 'data/events_0.csv'), 'email,ts\ng@x.com,2026-01-07 00:00:00\n');
    expect(await build(dir)).toBe(7);
  }, 60_000);

  it('read new CSV files alone when each is written like the first, and gives the rows a whole read gives', async () => {
    const dir = await writeProject({
      'cdp.config.yaml': 'project: t\n',
      'models/m.yaml': MODELS,
      // Quoted values: the first file's dialect quotes with ".
      'data/events_1.csv': 'email,ts\n"a@x.com",2026-01-01 00:00:00\n"b, or c@x.com",2026-01-02 00:00:00\n',
    });
    dirs.push(dir);
    const table = () => rows(dir, 'select * from cdp.source_events order by all');
    /** The labels of the steps a build ran (`--verbose`), and the rows it appended. */
    const verbose = async () => {
      const result = await cdp(dir, ['build', '--verbose']);
      expect(result.code, result.stderr).toBe(0);
      return result.stdout + result.stderr;
    };
    expect(await build(dir)).toBe(2);

    // One file with quotes, one without any (it sniffs as unquoted, which cannot change how it reads): read alone.
    await writeFile(join(dir, 'data/events_2.csv'), 'email,ts\n"d, or e@x.com",2026-01-03 00:00:00\n');
    await writeFile(join(dir, 'data/events_3.csv'), 'email,ts\nf@x.com,2026-01-04 10:30:00\n');
    expect(await verbose()).toContain('source events (new files, read alone)');
    const appended = await table();
    expect(JSON.parse(appended)).toHaveLength(4);
    expect(await build(dir, '--full-refresh')).toBe(4);
    expect(await table()).toBe(appended);

    // A file that sniffs as unquoted but holds a quote character: picked out of the whole read instead.
    await writeFile(join(dir, 'data/events_4.csv'), 'email,ts\ng"h@x.com,2026-01-05 00:00:00\n');
    const log = await verbose();
    expect(log).toContain('source events (new files)');
    expect(log).not.toContain('read alone');
    const again = await table();
    expect(await build(dir, '--full-refresh')).toBe(5);
    expect(await table()).toBe(again);
  }, 60_000);

  it.each(['parquet', 'json'])('take only the rows of added %s files too', async (format) => {
    const dir = await writeProject({ 'cdp.config.yaml': 'project: t\n', 'models/m.yaml': MODELS.replace('data/events*.csv', `data/events*.${format}`) });
    await mkdir(join(dir, 'data'));
    dirs.push(dir);
    const write = async (name: string, rows: string) => {
      const w = await DuckDBWarehouse.open({ path: ':memory:' });
      try {
        await w.execute(`copy (select * from (values ${rows}) t(email, ts)) to '${join(dir, 'data', name)}' (format ${format})`);
      } finally {
        await w.close();
      }
    };
    const table = () => rows(dir, 'select * from cdp.source_events order by all');
    await write(`events_1.${format}`, "('a@x.com', timestamp '2026-01-01 00:00:00'), ('b@x.com', timestamp '2026-01-02 00:00:00')");
    expect(await build(dir)).toBe(2);
    await write(`events_2.${format}`, "('c@x.com', timestamp '2026-01-03 00:00:00')");
    expect(await build(dir)).toBe(1);
    const appended = await table();
    expect(await build(dir, '--full-refresh')).toBe(3);
    expect(await table()).toBe(appended);
  }, 60_000);
});
