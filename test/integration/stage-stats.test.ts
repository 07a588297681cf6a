/**
 * Cost visibility (docs/commands.md#cost-per-stage): `cdp run` prints, and `--json` carries, the rows
 * each build stage read and wrote, and the bytes processed and billed where the engine reports them.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { startSandboxes, type Sandboxes } from '../../src/cli/start-sandboxes.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { cdp, removeProject } from '../helpers/project.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
let sandboxes: Sandboxes;

beforeAll(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'cdp-stats-')), 'project');
  const init = await cdp(ROOT, ['init', dir, '--people', '100']);
  if (init.code !== 0) throw new Error(init.stderr);
  sandboxes = await startSandboxes((await loadProject(dir, {})).project as LoadedProject, dir, { requestsPer10s: 1000 });
}, 120_000);
afterAll(async () => {
  if (sandboxes as Sandboxes | undefined) await sandboxes.close();
  if (dir) await removeProject(join(dir, '..'));
});

async function count(sql: string): Promise<number> {
  const warehouse = await DuckDBWarehouse.open({ path: join(dir, '.cdp', 'warehouse.duckdb') });
  try {
    return Number((await warehouse.query(sql))[0].n);
  } finally {
    await warehouse.close();
  }
}

interface Stage {
  readonly stage: string;
  readonly rows_read: number | null;
  readonly rows_written: number;
  readonly bytes_billed: number | null;
  readonly bytes_processed: number | null;
}

describe('per-stage rows in the run summary', () => {
  it('--json has rows read and written per stage (bytes null on DuckDB), and the human summary one line per stage', async () => {
    const json = await cdp(dir, ['--json', 'run'], sandboxes.env);
    expect(json.code, json.stderr).toBe(0);
    const summary = JSON.parse(json.stdout) as { run_id: string; build: { stages: Stage[] } };
    const stages = summary.build.stages;
    expect(stages.map((s) => s.stage)).toEqual(['models', 'types', 'identity', 'profiles', 'accounts']);
    for (const s of stages) expect({ billed: s.bytes_billed, processed: s.bytes_processed }).toEqual({ billed: null, processed: null });

    // The sample's person sources with identifiers (models/sources.yaml), the contacts exports' company links included.
    const identitySources = [
      'web_events', 'app_events', 'orders', 'hubspot_contacts', 'salesforce_contacts', 'email_events', 'consents', 'contact_emails',
      'salesforce_contact_accounts', 'hubspot_contact_companies',
    ];
    const sourceRows = await count(`select ${identitySources.map((s) => `(select count(*) from cdp.source_${s})`).join(' + ')} as n`);
    const identity = stages.find((s) => s.stage === 'identity');
    expect(identity?.rows_read).toBe(sourceRows);
    const run = `'${summary.run_id}'`;
    const profilesWritten = await count(
      `select (select count(*) from cdp.profiles) + (select count(*) from cdp.segment_members) + (select count(*) from cdp.segment_changes where run_id = ${run}) as n`,
    );
    expect(stages.find((s) => s.stage === 'profiles')?.rows_written).toBe(profilesWritten);
    expect(stages.find((s) => s.stage === 'models')?.rows_written).toBeGreaterThan(0);
    // The account stage reads the account sources (entity: account) and writes every account and membership.
    const accounts = stages.find((s) => s.stage === 'accounts');
    expect(accounts?.rows_read).toBe(await count(`select ${['hubspot_companies', 'salesforce_accounts', 'subscriptions'].map((s) => `(select count(*) from cdp.source_${s})`).join(' + ')} as n`));
    expect(accounts?.rows_written).toBe(await count(`select (select count(*) from cdp.accounts) + (select count(*) from cdp.account_members) as n`));

    const human = await cdp(dir, ['run'], sandboxes.env);
    expect(human.code, human.stderr).toBe(0);
    const lines = human.stdout.split('\n').filter((l) => /^ {2}(models|types|identity|profiles|accounts) +read /.test(l));
    expect(lines.map((l) => l.trim().split(/\s+/)[0])).toEqual(['models', 'types', 'identity', 'profiles', 'accounts']);
    expect(lines[0]).toMatch(/^ {2}models +read - rows, wrote [\d,]+ rows$/);
    expect(lines[2]).toMatch(new RegExp(`^  identity +read ${sourceRows.toLocaleString('en-US')} rows, wrote [\\d,]+ rows$`));

    // Nothing new: an incremental run writes only what changed (no identifier; the recomputed profiles).
    const again = await cdp(dir, ['--json', 'run'], sandboxes.env);
    expect(again.code, again.stderr).toBe(0);
    const next = JSON.parse(again.stdout) as { run_id: string; build: { stages: Stage[]; profiles: { mode: string; recomputed: number; profiles: number } } };
    expect(next.build.profiles.mode).toBe('incremental');
    expect(next.build.profiles.recomputed).toBeLessThan(next.build.profiles.profiles);
    expect(next.build.stages.find((s) => s.stage === 'identity')?.rows_written).toBe(0);
    const membersAndChanges = await count(
      `select (select count(*) from cdp.segment_members) + (select count(*) from cdp.segment_changes where run_id = '${next.run_id}') as n`,
    );
    expect(next.build.stages.find((s) => s.stage === 'profiles')?.rows_written).toBe(next.build.profiles.recomputed + membersAndChanges);
  }, 120_000);
});
