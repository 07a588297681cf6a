/**
 * `executePlan`, the one interpreter of the build plan (docs/architecture.md#parse-manifest-plan-execute), on
 * a real in-memory DuckDB: loops stop on their count, decisions take the branch their read names, computed
 * steps write from the rows they read, and a session's exit runs even when a step inside it fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunError } from '../../src/diagnostics/diagnostic.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { executePlan } from '../../src/model/execute-plan.js';
import { statementsStep, type PlanStep } from '../../src/model/plan.js';

let w: DuckDBWarehouse;
beforeAll(async () => {
  w = await DuckDBWarehouse.open({ path: ':memory:', threads: 1 });
});
afterAll(async () => {
  await w.close();
});

const st = (id: string, ...statements: string[]) => statementsStep('setup', id, id, statements);
const values = async (sql: string) => (await w.query(sql)).map((r) => Number(r.v));

describe('executePlan', () => {
  it('runs a loop until its count is 0, then its after step with the rounds; decisions and computed steps follow what they read', async () => {
    const steps: PlanStep[] = [
      st('setup', 'create or replace table todo as select * from range(5) t(v)', 'create or replace table done (v integer)', 'create or replace table log (v integer)'),
      {
        kind: 'loop',
        id: 'drain',
        stage: 'setup',
        label: 'drain',
        count: () => 'select count(*) as n from todo',
        body: (r) => [st(`round ${r}`, 'insert into done select min(v) from todo', 'delete from todo where v = (select min(v) from todo)')],
        after: (rounds) => [st('after', `insert into log values (${rounds})`)],
        maxRounds: 10,
        exceeded: () => new RunError('too-many', 'too many rounds'),
        shown: { rounds: [1], after: [1] },
      },
      {
        kind: 'decide',
        id: 'size',
        stage: 'setup',
        label: 'size',
        on: { query: 'select count(*) as n from done' },
        choose: ({ rows }) => (Number(rows[0].n) > 3 ? 'big' : 'small'),
        branches: { big: { when: 'more than 3', steps: [st('big', 'insert into log values (100)')] }, small: { when: 'else', steps: [st('small', 'insert into log values (200)')] } },
      },
      {
        kind: 'decide',
        id: 'again',
        stage: 'setup',
        label: 'again',
        on: { decision: 'size' },
        choose: ({ answer }) => answer,
        branches: { big: { when: 'big', steps: [st('again big', 'insert into log values (101)')] }, small: { when: 'small', steps: [] } },
      },
      {
        kind: 'compute',
        id: 'double',
        stage: 'setup',
        label: 'double',
        read: 'select v from done where v >= 3',
        write: (rows) => ({ statements: rows.map((r) => `insert into log values (${Number(r.v) * 2})`) }),
        shown: [],
      },
    ];
    const run = await executePlan(w, steps);
    expect(await values('select v from done order by v')).toEqual([0, 1, 2, 3, 4]);
    expect(await values('select v from log order by v')).toEqual([5, 6, 8, 100, 101]);
    expect(run.rounds.get('drain')).toBe(5);
    expect(run.decisions).toEqual(new Map([['size', 'big'], ['again', 'big']]));
    expect(run.reads.get('double')).toHaveLength(2);
  });

  it('stops a loop past its rounds with its error, and runs a session exit when a step inside fails', async () => {
    const endless: PlanStep = {
      kind: 'loop',
      id: 'endless',
      stage: 'setup',
      label: 'endless',
      count: () => 'select 1 as n',
      body: () => [],
      maxRounds: 3,
      exceeded: () => new RunError('too-many', 'did not converge within 3 rounds'),
      shown: { rounds: [1], after: [] },
    };
    const session: PlanStep = {
      kind: 'session',
      id: 'session',
      stage: 'setup',
      label: 'session',
      enter: ['set preserve_insertion_order = false'],
      steps: [endless],
      exit: ['set preserve_insertion_order to default'],
    };
    await expect(executePlan(w, [session])).rejects.toThrow(/did not converge within 3 rounds/);
    expect(await w.query(`select current_setting('preserve_insertion_order') as v`)).toEqual([{ v: true }]);
  });
});
