/**
 * Bytes processed and billed per stage (docs/commands.md#cost-per-stage): read from BigQuery's job
 * statistics. The bqemulator reports `totalBytesProcessed` as 0 and no `totalBytesBilled`
 * (EMULATOR_GAPS.md §3), so the service's shape is checked on recorded statistics, and the emulator
 * run checks the plumbing: a reported figure becomes a number, a missing one stays null.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobStatisticsBytes } from '../../src/engines/bigquery/warehouse.js';
import type { Warehouse } from '../../src/warehouse/warehouse.js';
import { stageBytes } from '../../src/run/stage-stats.js';
import { warehouseTargets, type RunningTarget } from './warehouse-targets.js';

describe('BigQuery job statistics', () => {
  it('reads totalBytesProcessed and totalBytesBilled as the service reports them (int64 as strings, under statistics.query)', () => {
    // The shape of jobs.get for a finished query job (https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobStatistics2).
    const service = {
      creationTime: '1733389200000',
      totalBytesProcessed: '73400320',
      query: { totalBytesProcessed: '73400320', totalBytesBilled: '74448896', billingTier: 1, cacheHit: false, statementType: 'SELECT' },
    };
    expect(jobStatisticsBytes(service)).toEqual({ processed: 73_400_320, billed: 74_448_896 });
    expect(jobStatisticsBytes({ query: { totalBytesProcessed: '0', statementType: 'SELECT' } })).toEqual({ processed: 0, billed: null });
    expect(jobStatisticsBytes(undefined)).toEqual({ processed: null, billed: null });
    expect(jobStatisticsBytes({ query: { totalBytesBilled: 'n/a' } })).toEqual({ processed: null, billed: null });
  });

  it('a stage gets what its statements added; null where the engine never reported the figure', () => {
    expect(stageBytes({ processed: 100, billed: null }, { processed: 350, billed: 10_485_760 })).toEqual({ processed: 250, billed: 10_485_760 });
    expect(stageBytes(undefined, undefined)).toEqual({ processed: null, billed: null });
    expect(stageBytes({ processed: null, billed: null }, { processed: null, billed: null })).toEqual({ processed: null, billed: null });
  });
});

const targets = await warehouseTargets();
const bigquery = targets.find((t) => t.name === 'bigquery');

describe.skipIf(!bigquery?.available)('BigQuery emulator job statistics', () => {
  let running: RunningTarget;
  let warehouse: Warehouse;
  beforeAll(async () => {
    running = await (bigquery as NonNullable<typeof bigquery>).start();
    warehouse = await running.open();
  }, 120_000);
  afterAll(async () => {
    await warehouse?.close();
    await running?.stop();
  });

  it('totals the bytes of every job: processed reported (0 in the emulator), billed never reported (null)', async () => {
    expect(warehouse.jobBytes?.()).toEqual({ processed: null, billed: null });
    await warehouse.execute('create schema if not exists jb');
    await warehouse.execute('create table jb.t as select 1 as a union all select 2 as a');
    expect(await warehouse.query('select count(*) as n from jb.t')).toEqual([{ n: 2 }]);
    expect(warehouse.jobBytes?.()).toEqual({ processed: 0, billed: null });
    // A second session reports its own jobs (the run lock's heartbeat does not count towards a stage).
    const session = await warehouse.session();
    await session.query('select 1 as x');
    expect(session.jobBytes?.()).toEqual({ processed: 0, billed: null });
    await session.close();
  });
});
