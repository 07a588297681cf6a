import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject, type Declared, type LoadedProject } from '../../src/config/load-project.js';
import type { SyncConfig } from '../../src/config/schema.js';
import { dialects } from '../../src/engines/dialects.js';
import { compileDiffCounts, readDiffCounts } from '../../src/sync/diff-counts.js';
import { readDiffRecord } from '../../src/sync/diff-record.js';
import { compileDiffSelect } from '../../src/sync/diff-sql.js';
import { operationsFor } from '../../src/sync/record-operations.js';
import { createStateTableSql, writeStateRowsSql } from '../../src/sync/state-sql.js';
import { syncShape, type SyncShape } from '../../src/sync/sync-shape.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { removeProject } from '../helpers/project.js';
import { makeProject } from './sync-fixture.js';

let dir: string;
let sync: Declared<SyncConfig>;
let project: LoadedProject;
beforeAll(async () => {
  dir = await makeProject({ where: 'marketing_consent', fields: { firstname: 'first_name', cdp_ltv: 'lifetime_value' }, segments: 'segments:\n  high_value: { list: "CDP: High value" }' });
  const loaded = (await loadProject(dir, {})).project;
  if (!loaded) throw new Error('project did not load');
  project = loaded;
  sync = project.syncs[0];
  shape = syncShape(project, sync, new Map([['email', 'string'], ['first_name', 'string'], ['lifetime_value', 'float']]), true);
});
afterAll(() => removeProject(dir));
let shape: SyncShape;

describe('diff SQL', () => {
  it('is written for every dialect, with its quoting and types', () => {
    const duck = compileDiffSelect(shape, dialects.duckdb, { stateColumns: new Set(), fullResync: false });
    expect(duck).toContain(`select p.*, nullif(lower(trim(cast(p."email" as varchar))), '') as raw_key, true as key_ok from "cdp"."profiles" p`);
    expect(duck).toContain(`case when p.key_ok then p.raw_key end as match_key, case when not p.key_ok then p.raw_key end as refused_key, (coalesce((marketing_consent), false)) as in_scope, p."first_name" as v0, p."lifetime_value" as v1`);
    expect(duck).toContain('desired as (select * from ranked where dup_rank = 1 and dup_n = 1)');
    expect(duck).toContain('from desired d full outer join st on st.match_key = d.match_key');
    expect(duck).toContain(`max(case when segment = 'high_value' then 1 else 0 end) as d0`);
    expect(duck).toContain(`(op <> 'leave' and (t0 is not null and t0 is distinct from s0)) as c0`);
    expect(duck).toMatch(/where op <> 'change' or c0 or c1 or a0 or r0$/);
    expect(compileDiffSelect(shape, dialects.bigquery, { stateColumns: undefined, fullResync: false })).toContain("nullif(lower(trim(cast(p.`email` as STRING))), '')");
    const snow = compileDiffSelect(shape, dialects.snowflake, { stateColumns: new Set(['match_key', 'destination_id', 'profile_id', 'f_firstname']), fullResync: true });
    expect(snow).toContain(`nullif(lower(trim(cast(p."EMAIL" as varchar))), '')`);
    expect(snow).toContain(`"F_FIRSTNAME" as s0, cast(null as varchar) as s1, cast(null as boolean) as sm0 from "CDP"."SYNC_STATE_CONTACTS"`);
    expect(snow).not.toContain('where op <>');
  });

  it('keeps only records that enter, change or leave; one profile per key; nulls never sent with nulls: skip', async () => {
    const shape = syncShape(project, { ...sync, match: { ...sync.match, on_collision: 'keep_one' } }, new Map([['email', 'string'], ['first_name', 'string'], ['lifetime_value', 'float']]), true);
    const w = await DuckDBWarehouse.open({ path: ':memory:' });
    try {
      const d = w.dialect;
      await w.execute('create schema cdp');
      await w.execute('create table cdp.profiles (profile_id varchar, email varchar, first_name varchar, lifetime_value double, marketing_consent boolean)');
      await w.execute(`insert into cdp.profiles values
        ('p1', 'a@x.com', 'A', 10, true),
        ('p2', 'B@x.com', 'B', 20, true),
        ('p3', ' b@x.com', 'Shadow', 99, true),
        ('p4', 'c@x.com', 'C', 30, false),
        ('p5', null, 'NoEmail', 40, true),
        ('p6', 'd@x.com', 'D', 50, null),
        ('p7', 'e@x.com', 'E', null, true)`);
      await w.execute('create table cdp.segment_members (segment varchar, profile_id varchar, entered_at timestamp)');
      await w.execute(`insert into cdp.segment_members values ('high_value', 'p2', now()), ('high_value', 'p6', now())`);
      await w.execute(createStateTableSql(shape, d));
      const state = (key: string, id: string, profile: string, texts: (string | null)[], member: boolean) => ({ key, destinationId: id, profileId: profile, texts, members: [member] });
      for (const sql of writeStateRowsSql(shape, d, [state('a@x.com', '1', 'p1', ['A', '10.0'], false), state('b@x.com', '2', 'p2', ['B', '19.0'], false), state('c@x.com', '3', 'p4', ['C', '30.0'], true)], new Date())) {
        await w.execute(sql);
      }
      const select = compileDiffSelect(shape, d, { stateColumns: new Set(['match_key', 'destination_id', 'profile_id', 'synced_at', 'f_firstname', 'f_cdp_ltv', 'm_high_value']), fullResync: false });
      const rows = await w.query(`select * from (${select}) x order by match_key`);
      const records = rows.map((r) => readDiffRecord(shape, r));
      expect(records.map((r) => [r.key, r.op, r.profileId, r.destinationId])).toEqual([
        ['b@x.com', 'change', 'p2', '2'],
        ['c@x.com', 'leave', 'p4', '3'],
        ['e@x.com', 'enter', 'p7', null],
      ]);
      expect(records[0]).toMatchObject({ changed: [false, true], add: [true], remove: [false], texts: ['B', '20.0'] });
      expect(records[2]).toMatchObject({ changed: [true, false], values: ['E', null] });
      expect(operationsFor(shape, records[0], { mode: 'upsert', fullResync: false })).toMatchObject({ write: { kind: 'upsert', fields: { cdp_ltv: 20 } }, add: [0], remove: [] });
      expect(operationsFor(shape, records[1], { mode: 'mirror', fullResync: false })).toMatchObject({ write: { kind: 'update', operation: 'clear', fields: { firstname: null, cdp_ltv: null } }, remove: [0] });
      // every mode takes back the membership cdp added; only mirror clears fields
      expect(operationsFor(shape, records[1], { mode: 'upsert', fullResync: false })).toMatchObject({ forget: false, add: [], remove: [0] });
      expect(operationsFor(shape, records[1], { mode: 'upsert', fullResync: false }).write).toBeUndefined();
      const counts = readDiffCounts(shape, (await w.query(compileDiffCounts(shape, `(${select}) diff`)))[0]);
      expect(counts).toMatchObject({ total: 3, enter: 1, change: 1, leave: 1, leaveWithState: 1, leaveWithMembers: 1, exiting: 0, fieldUpdates: [0, 1], fieldSets: [1, 0], fieldClears: [0, 0], adds: [1], removes: [0], leaveMembers: [1] });
      // match.on_collision: skip (the default) sends neither profile sharing b@x.com: the record leaves
      const skipping = compileDiffSelect(syncShape(project, sync, new Map([['email', 'string'], ['first_name', 'string'], ['lifetime_value', 'float']]), true), d, {
        stateColumns: new Set(['match_key', 'destination_id', 'profile_id', 'synced_at', 'f_firstname', 'f_cdp_ltv', 'm_high_value']),
        fullResync: false,
      });
      expect((await w.query(`select match_key, op from (${skipping}) x order by match_key`)).map((r) => [r.match_key, r.op])).toEqual([
        ['b@x.com', 'leave'],
        ['c@x.com', 'leave'],
        ['e@x.com', 'enter'],
      ]);
    } finally {
      await w.close();
    }
  });
});
