import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { buildProject } from '../../src/run/build-project.js';
import type { Row } from '../../src/warehouse/warehouse.js';
import { IDENTIFIERS_SQL } from '../helpers/identity-state.js';
import { removeProject, writeProject, yaml } from '../helpers/project.js';

/**
 * A snapshot source read from files is not hashed again while its files are unchanged (docs/incremental.md): its
 * rows are the ones the last build hashed. Its rows whose identifier changed profile still touch both profiles, and
 * once its files change, the hashes stored before identity moved its rows still give what `--full-refresh` gives.
 */
const MODELS = yaml`
  sources:
    - name: events
      path: data/events*.csv
      timestamp: ts
      changes: append
      identifiers: [{ column: anon, type: anonymous_id }, { column: email, type: email }]
    - name: crm
      path: data/crm.csv
      timestamp: updated_at
      changes: snapshot
      identifiers: [{ column: email, type: email }]
  identity:
    id_types:
      email: { priority: 1 }
      anonymous_id: { priority: 9 }
  traits:
    - { name: views, from: events, aggregate: count }
    - { name: plan, from: crm, aggregate: last, column: plan }
    - { name: crm_rows, from: crm, aggregate: count }
  segments:
    - { name: paying, where: "plan in ('pro', 'team')" }
`;

interface Side {
  readonly dir: string;
  readonly project: LoadedProject;
  readonly warehouse: DuckDBWarehouse;
}

const dirs: string[] = [];
const sides: Side[] = [];
afterEach(async () => {
  await Promise.all(sides.splice(0).map((s) => s.warehouse.close()));
  await Promise.all(dirs.splice(0).map(removeProject));
});

const CRM = 'email,plan,updated_at\nu1@x.com,pro,2026-01-01 00:00:00\nu2@x.com,free,2026-01-01 00:00:00\n';

async function side(): Promise<Side> {
  const dir = await writeProject({
    'cdp.config.yaml': 'project: t\n',
    'models/m.yaml': MODELS,
    'data/events_1.csv': 'anon,email,ts\na1,u1@x.com,2026-01-02 00:00:00\na1,,2026-01-03 00:00:00\na2,,2026-01-03 00:00:00\na2,,2026-01-04 00:00:00\n',
    'data/crm.csv': CRM,
  });
  dirs.push(dir);
  const project = (await loadProject(dir)).project as LoadedProject;
  const s = { dir, project, warehouse: await DuckDBWarehouse.open({ path: ':memory:' }) };
  sides.push(s);
  return s;
}

/** Builds and returns every statement the build sent. */
async function build(s: Side, runId: string, fullRefresh: boolean, asOf = new Date('2026-02-01T00:00:00Z')): Promise<string[]> {
  const sent: string[] = [];
  const { execute } = s.warehouse;
  s.warehouse.execute = async (sql, options) => {
    sent.push(sql);
    return execute.call(s.warehouse, sql, options);
  };
  try {
    const summary = await buildProject({ project: s.project, warehouse: s.warehouse, runId, asOf, fullRefresh, log: () => {} });
    expect(summary.profiles?.mode).toBe(fullRefresh || runId === 'r1' ? 'full' : 'incremental');
  } finally {
    s.warehouse.execute = execute;
  }
  return sent;
}

async function tables(s: Side): Promise<Record<string, Row[]>> {
  const q = (sql: string) => s.warehouse.query(sql);
  return {
    identifiers: await q(IDENTIFIERS_SQL),
    profiles: await q('select * from cdp.profiles order by profile_id'),
    segment_members: await q('select * from cdp.segment_members order by all'),
    segment_changes: await q('select * from cdp.segment_changes order by all'),
  };
}

/** Writes the same file into both projects. */
async function write(a: Side, b: Side, name: string, text: string): Promise<void> {
  for (const s of [a, b]) await writeFile(join(s.dir, 'data', name), text);
}

const hashesCrm = (sent: readonly string[]) => sent.some((sql) => /^create[^\n]*profiles_rows_now_crm/.test(sql));
/** Identity groups the CRM table's rows (source 1), rather than reading the groups it kept (observation-sql.ts). */
const groupsCrm = (sent: readonly string[]) => {
  const made = sent.filter((sql) => /^create[^\n]*_identity_tmp_grp_1"/.test(sql));
  expect(made).toHaveLength(1);
  return !made[0].includes('_identity_files_crm');
};

describe('a snapshot source read from files', () => {
  it('is hashed again only when its files change, and incremental builds still equal --full-refresh', async () => {
    const [inc, full] = [await side(), await side()];
    const first = await build(inc, 'r1', false);
    expect(hashesCrm(first)).toBe(true);
    expect(groupsCrm(first)).toBe(true);
    await build(full, 'r1', true);
    expect(await tables(inc)).toEqual(await tables(full));

    // a2 logs in as u2: its profile and u2's merge, and u2's CRM row moves with it. The CRM file is the same.
    await write(inc, full, 'events_2.csv', 'anon,email,ts\na2,u2@x.com,2026-01-05 00:00:00\n');
    const second = await build(inc, 'r2', false);
    expect(hashesCrm(second)).toBe(false);
    expect(groupsCrm(second)).toBe(false);
    await build(full, 'r2', true);
    expect(await tables(inc)).toEqual(await tables(full));
    const [u2] = await inc.warehouse.query(`select p.views, p.plan, p.crm_rows from cdp.profiles p join cdp.identifiers i using (profile_id) where i.id_value = 'u2@x.com'`);
    expect(u2).toEqual({ views: 3, plan: 'free', crm_rows: 1 });

    // Nothing new at all: nothing is hashed or recomputed.
    const third = await build(inc, 'r3', false);
    expect(hashesCrm(third)).toBe(false);
    expect(groupsCrm(third)).toBe(false);
    await build(full, 'r3', true);
    expect(await tables(inc)).toEqual(await tables(full));

    // The CRM export is rewritten: u2 upgrades, u1 goes, u3 arrives. It is hashed again against hashes stored before
    // u2's row moved profile.
    await write(inc, full, 'crm.csv', 'email,plan,updated_at\nu2@x.com,team,2026-01-06 00:00:00\nu3@x.com,pro,2026-01-06 00:00:00\n');
    const fourth = await build(inc, 'r4', false);
    expect(hashesCrm(fourth)).toBe(true);
    expect(groupsCrm(fourth)).toBe(true);
    await build(full, 'r4', true);
    expect(await tables(inc)).toEqual(await tables(full));
    expect(await inc.warehouse.query(`select i.id_value, p.plan from cdp.profiles p join cdp.identifiers i using (profile_id) where i.id_type = 'email' order by 1`)).toEqual([
      { id_value: 'u1@x.com', plan: null },
      { id_value: 'u2@x.com', plan: 'team' },
      { id_value: 'u3@x.com', plan: 'pro' },
    ]);
  });

  it('groups its rows again exactly when a row the last build did not know yet is known now', async () => {
    const [inc, full] = [await side(), await side()];
    // u3's CRM row is dated after the as-of of the first two builds: they do not know it. The second knows the same rows
    // as the first, so it keeps its groups; the third is the first to know u3's row, so it groups again; the fourth
    // knows the same rows as the third.
    await write(inc, full, 'crm.csv', `${CRM}u3@x.com,pro,2026-02-10 00:00:00\n`);
    const days = (d: number) => new Date(Date.UTC(2026, 1, d));
    for (const [runId, asOf, groups] of [['r1', days(1), true], ['r2', days(5), false], ['r3', days(11), true], ['r4', days(12), false]] as const) {
      expect(groupsCrm(await build(inc, runId, false, asOf)), runId).toBe(groups);
      await build(full, runId, true, asOf);
      expect(await tables(inc)).toEqual(await tables(full));
    }
    expect(await inc.warehouse.query(`select count(*) as n from cdp.identifiers where id_value = 'u3@x.com'`)).toEqual([{ n: 1 }]);
  });
});
