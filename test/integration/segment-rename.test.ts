import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { cdp, removeProject, writeProject, yaml } from '../helpers/project.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(removeProject));
});

const people = ['email,amount,updated_at', ...Array.from({ length: 20 }, (_, i) => `person${i}@acme.io,${i * 10},2026-01-0${1 + (i % 9)} 00:00:00`)].join('\n');

async function project(): Promise<string> {
  const dir = await writeProject({
    'cdp.config.yaml': 'project: t\nwarehouse: { type: duckdb, path: .cdp/w.duckdb }\n',
    'data/people.csv': `${people}\n`,
    'models/people.yaml': yaml`
      sources:
        - { name: people, path: data/people.csv, timestamp: updated_at, identifiers: [{ column: email, type: email }] }
      identity:
        id_types: { email: { priority: 1 } }
      traits:
        - { name: lifetime_value, from: people, aggregate: sum, column: amount }
      segments:
        - { name: high_value, where: "lifetime_value > 100" }
        - { name: small, where: "lifetime_value < 30" }
    `,
  });
  dirs.push(dir);
  return dir;
}

async function rows(dir: string, sql: string): Promise<Record<string, unknown>[]> {
  const w = await DuckDBWarehouse.open({ path: join(dir, '.cdp/w.duckdb') });
  try {
    return await w.query(sql);
  } finally {
    await w.close();
  }
}

async function rename(dir: string, from: string, to: string): Promise<void> {
  const file = join(dir, 'models/people.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace(from, to));
}

describe('a segment renamed in the model (issue 15, item 7)', () => {
  it('records no exits and entries when its members are the same, and keeps entered_at', async () => {
    const dir = await project();
    const first = await cdp(dir, ['build', '--as-of', '2026-02-01T00:00:00Z']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const before = await rows(dir, `select profile_id, entered_at from cdp.segment_members where segment = 'high_value' order by profile_id`);
    expect(before).toHaveLength(9);

    await rename(dir, 'name: high_value', 'name: big_spenders');
    const second = await cdp(dir, ['build', '--as-of', '2026-02-02T00:00:00Z']);
    expect(second.code).toBe(0);
    const [{ run_id: runId }] = await rows(dir, `select run_id from cdp.runs order by started_at desc limit 1`);
    expect(await rows(dir, `select count(*) as n from cdp.segment_changes where run_id = '${runId}'`)).toEqual([{ n: 0 }]);
    expect(await rows(dir, `select profile_id, entered_at from cdp.segment_members where segment = 'big_spenders' order by profile_id`)).toEqual(before);
    expect(await rows(dir, `select count(*) as n from cdp.segment_members where segment = 'high_value'`)).toEqual([{ n: 0 }]);
  });

  it('records exits and entries when the renamed segment also changed who is in it', async () => {
    const dir = await project();
    expect((await cdp(dir, ['build', '--as-of', '2026-02-01T00:00:00Z'])).code).toBe(0);
    await rename(dir, '{ name: high_value, where: "lifetime_value > 100" }', '{ name: big_spenders, where: "lifetime_value > 150" }');
    const second = await cdp(dir, ['build', '--as-of', '2026-02-02T00:00:00Z']);
    expect(second.code).toBe(0);
    const changes = await rows(dir, `select segment, change, count(*) as n from cdp.segment_changes group by segment, change order by segment, change`);
    expect(changes).toEqual(expect.arrayContaining([
      { segment: 'big_spenders', change: 'enter', n: 4 },
      { segment: 'high_value', change: 'exit', n: 9 },
    ]));
  });
});
