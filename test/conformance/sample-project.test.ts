/**
 * End-to-end conformance: the repository's own sample project (cdp.config.yaml, models/, connectors/)
 * on `cdp generate` data, built with `cdp build` and synced with `cdp sync` to fresh HubSpot and
 * Salesforce sandboxes, once per engine, then built and synced again three days later (scoped diffs). DuckDB reads the CSV files (`path:` sources, as shipped);
 * on the emulators the same files are loaded into `raw.*` tables in test set-up and the sources say
 * `table: raw.<name>` (`path:` is DuckDB-only). Every engine must end with the same identity
 * partitions (the identifiers table, profile ids included), traits, segment members, and the same
 * records, fields, list and campaign memberships in both CRMs.
 *
 * The engines run concurrently (each emulator is its own process), so the file takes about as long
 * as the slowest engine (BigQuery: roughly 300 jobs per build).
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { generateSample } from '../../src/sample/generate-sample.js';
import { startSandboxes } from '../../src/cli/start-sandboxes.js';
import { openWarehouse } from '../../src/engines/open-warehouse.js';
import type { Row } from '../../src/warehouse/warehouse.js';
import { cdp, type CliResult } from '../helpers/project.js';
import { crmState, type CrmState } from './crm-state.js';
import { REPO_ROOT } from './emulators.js';
import { loadSampleTables } from './load-sample-tables.js';
import { warehouseTargets, type WarehouseTarget } from './warehouse-targets.js';

const AS_OF = '2025-06-01T00:00:00.000Z';
const LATER = '2025-06-04T00:00:00.000Z';
const SAMPLE = { seed: 11, people: 80, eventsPerPerson: 3 } as const;

interface EngineOutcome {
  readonly build: CliResult;
  readonly sync: CliResult;
  readonly identifiers: readonly Row[];
  readonly profiles: readonly Row[];
  readonly members: readonly Row[];
  readonly crm: CrmState;
  /** A second `cdp sync` with nothing changed: its exit code and the write requests each CRM saw. */
  readonly resync: { readonly code: number; readonly hubspotWrites: number; readonly salesforceWrites: number };
  /**
   * Three days later (`--as-of`), with no new data: an incremental build (7-day windows move) and a sync whose diffs
   * read only the profiles and accounts that build changed (docs/incremental.md#syncs).
   */
  readonly later: { readonly build: CliResult; readonly sync: CliResult; readonly crm: CrmState } | undefined;
  /** A fourth `cdp sync` after renaming the list and the campaign in the connectors (docs/sync-renames.md). */
  readonly renamed: { readonly sync: CliResult; readonly crm: CrmState } | undefined;
}

const targets = (await warehouseTargets()).filter((t) => t.available);
const outcomes = new Map<string, EngineOutcome>();
let dataDir: string;
const projectDirs: string[] = [];

/** The sample project in a fresh folder, pointed at the target's warehouse. */
async function sampleProject(target: WarehouseTarget, warehouse: object | undefined): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `cdp-conformance-${target.name}-`));
  projectDirs.push(dir);
  for (const entry of ['cdp.config.yaml', 'models', 'connectors']) await cp(join(REPO_ROOT, entry), join(dir, entry), { recursive: true });
  if (warehouse === undefined) {
    await cp(dataDir, join(dir, 'data'), { recursive: true });
    return dir;
  }
  const configPath = join(dir, 'cdp.config.yaml');
  const config: unknown = parse(await readFile(configPath, 'utf8'));
  await writeFile(configPath, stringify({ ...(config as Record<string, unknown>), warehouse }));
  const sourcesPath = join(dir, 'models', 'sources.yaml');
  const file = parse(await readFile(sourcesPath, 'utf8')) as { sources: Record<string, unknown>[] };
  const sources = file.sources.map(({ path, ...rest }) =>
    typeof path === 'string' ? { ...rest, table: `raw.${/([a-z_]+)[^/]*\.csv$/.exec(path)?.[1] ?? String(rest.name)}` } : rest,
  );
  await writeFile(sourcesPath, stringify({ ...file, sources }));
  return dir;
}

async function runEngine(target: WarehouseTarget): Promise<EngineOutcome> {
  const running = await target.start();
  try {
    const onEmulator = running.config.type !== 'duckdb';
    const dir = await sampleProject(target, onEmulator ? running.config : undefined);
    if (onEmulator) {
      const raw = await running.open();
      try {
        await loadSampleTables(raw, dataDir);
      } finally {
        await raw.close();
      }
    }
    const project = (await loadProject(dir, {})).project as LoadedProject;
    const sandboxes = await startSandboxes(project, dir, { requestsPer10s: 0 });
    try {
      const build = await cdp(dir, ['build', '--as-of', AS_OF], sandboxes.env);
      const resync = { code: -1, hubspotWrites: -1, salesforceWrites: -1 };
      if (build.code !== 0) return { build, sync: build, identifiers: [], profiles: [], members: [], crm: crmState(sandboxes), resync, later: undefined, renamed: undefined };
      const sync = await cdp(dir, ['sync', '--as-of', AS_OF], sandboxes.env);
      const crm = crmState(sandboxes);
      sandboxes.hubspot.resetStats();
      sandboxes.salesforce.resetStats();
      const again = await cdp(dir, ['sync', '--as-of', AS_OF], sandboxes.env);
      Object.assign(resync, { code: again.code, hubspotWrites: sandboxes.hubspot.stats.writeRequests, salesforceWrites: sandboxes.salesforce.stats.writeRequests });
      // The first build's identity, traits and segments (a later split mints ids salted with each engine's run id).
      const w = await openWarehouse(project.config.warehouse, dir);
      const built = await (async () => {
        try {
          const t = (name: string) => w.dialect.table({ schema: project.config.schema, name });
          const identifiers = await w.query(`select id_type, id_value, profile_id, first_seen, last_seen from ${t('identifiers')} order by id_type, id_value`);
          const profiles = await w.query(`select * from ${t('profiles')} order by profile_id`);
          const members = await w.query(`select segment, profile_id, entered_at from ${t('segment_members')} order by segment, profile_id`);
          return { identifiers, profiles, members };
        } finally {
          await w.close();
        }
      })();
      const laterBuild = await cdp(dir, ['build', '--as-of', LATER], sandboxes.env);
      const laterSync = await cdp(dir, ['sync', '--json', '--as-of', LATER], sandboxes.env);
      const later = { build: laterBuild, sync: laterSync, crm: crmState(sandboxes) };
      for (const [file, from, to] of [
        ['hubspot_contacts.yaml', '"CDP: High intent"', '"CDP: High intent (renamed)"'],
        ['salesforce_contacts.yaml', '"CDP: Churn risk"', '"CDP: Churn risk (renamed)"'],
      ] as const) {
        const path = join(dir, 'connectors', file);
        await writeFile(path, (await readFile(path, 'utf8')).replace(from, to));
      }
      const renamedSync = await cdp(dir, ['sync', '--as-of', AS_OF], sandboxes.env);
      const renamed = { sync: renamedSync, crm: crmState(sandboxes) };
      return { build, sync, ...built, crm, resync, later, renamed };
    } finally {
      await sandboxes.close();
    }
  } finally {
    await running.stop();
  }
}

describe('sample project end to end: cdp build and cdp sync on every engine', () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cdp-conformance-data-'));
    await generateSample({ ...SAMPLE, asOf: new Date(AS_OF), outDir: dataDir, format: 'csv' });
    const results = await Promise.all(targets.map(async (t) => [t.name, await runEngine(t)] as const));
    for (const [name, outcome] of results) outcomes.set(name, outcome);
    // Three engines at once on 2 cores, each with six commands; the emulators answer slowly.
  }, 480_000);

  afterAll(async () => {
    for (const dir of [dataDir, ...projectDirs]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(targets.map((t) => t.name))('%s: build and sync succeed and produce something to compare', (name) => {
    const o = outcomes.get(name) as EngineOutcome;
    expect(o.build.code, o.build.stderr).toBe(0);
    expect(o.sync.code, o.sync.stderr).toBe(0);
    expect(o.identifiers.length).toBeGreaterThan(100);
    expect(o.profiles.length).toBeGreaterThan(20);
    expect(new Set(o.members.map((m) => m.segment)).size).toBeGreaterThanOrEqual(3);
    expect(o.crm.hubspot.contacts.length).toBeGreaterThan(10);
    expect(o.crm.salesforce.contacts.length).toBeGreaterThan(5);
    expect(Object.values(o.crm.hubspot.lists).flat().length + o.crm.salesforce.campaignMembers.length).toBeGreaterThan(0);
  });

  it.each(targets.map((t) => t.name))('%s: the build prints rows read and written per stage, and bytes where the engine reports them', (name) => {
    const lines = (outcomes.get(name) as EngineOutcome).build.stdout.split('\n').filter((l) => /^ {2}(models|types|identity|profiles|accounts) +read /.test(l));
    expect(lines.map((l) => l.trim().split(/\s+/)[0])).toEqual(['models', 'types', 'identity', 'profiles', 'accounts']);
    // BigQuery: bytes from job statistics (the bqemulator reports 0 processed and no billed bytes: EMULATOR_GAPS.md §3).
    const bytes = name === 'bigquery' ? ', 0 B processed, ? bytes billed' : '';
    for (const line of lines) expect(line).toMatch(new RegExp(`^ {2}\\w+ +read (-|[\\d,]+) rows, wrote [\\d,]+ rows${bytes.replace(/\?/g, '\\?')}$`));
  });

  it.each(targets.map((t) => t.name))('%s: a second sync with nothing changed sends no write request', (name) => {
    expect(outcomes.get(name)?.resync).toEqual({ code: 0, hubspotWrites: 0, salesforceWrites: 0 });
  });

  it.each(targets.map((t) => t.name))('%s: three days later, each sync diffs only what changed and sends the window moving', (name) => {
    const o = outcomes.get(name) as EngineOutcome;
    expect(o.later?.build.code, o.later?.build.stderr).toBe(0);
    expect(o.later?.sync.code, o.later?.sync.stderr).toBe(0);
    const syncs = (JSON.parse(o.later?.sync.stdout ?? '{}') as { syncs?: { sync: string; match_keys: { among: string } }[] }).syncs ?? [];
    expect(syncs.map((x) => [x.sync, x.match_keys.among])).toEqual(syncs.map((x) => [x.sync, 'changed']));
    expect(syncs.length).toBe(4);
    // The 7-day pricing window moved: some people left the High intent list.
    expect(o.later?.crm.hubspot.lists['CDP: High intent']).not.toEqual(o.crm.hubspot.lists['CDP: High intent']);
  });

  it.each(targets.map((t) => t.name))('%s: a renamed list and campaign get the members, the old ones are emptied', (name) => {
    const o = outcomes.get(name) as EngineOutcome;
    expect(o.renamed?.sync.code, o.renamed?.sync.stderr).toBe(0);
    const lists = o.renamed?.crm.hubspot.lists ?? {};
    const before = o.later?.crm;
    expect(before?.hubspot.lists['CDP: High intent']?.length).toBeGreaterThan(0);
    expect(lists['CDP: High intent (renamed)']).toEqual(before?.hubspot.lists['CDP: High intent']);
    expect(lists['CDP: High intent']).toEqual([]);
    const members = (crm: CrmState | undefined, campaign: string) => (crm?.salesforce.campaignMembers ?? []).filter((m) => m.campaign === campaign).map((m) => m.email);
    expect(members(before, 'CDP: Churn risk').length).toBeGreaterThan(0);
    expect(members(o.renamed?.crm, 'CDP: Churn risk (renamed)')).toEqual(members(before, 'CDP: Churn risk'));
    expect(members(o.renamed?.crm, 'CDP: Churn risk')).toEqual([]);
  });

  const others = targets.filter((t) => t.name !== 'duckdb').map((t) => t.name);
  const reference = () => outcomes.get('duckdb') as EngineOutcome;

  it.skipIf(others.length === 0).each(others)('%s: identical identity partitions and profile ids', (name) => {
    expect(outcomes.get(name)?.identifiers).toEqual(reference().identifiers);
  });
  it.skipIf(others.length === 0).each(others)('%s: identical traits', (name) => {
    expect(outcomes.get(name)?.profiles).toEqual(reference().profiles);
  });
  it.skipIf(others.length === 0).each(others)('%s: identical segment members', (name) => {
    expect(outcomes.get(name)?.members).toEqual(reference().members);
  });
  it.skipIf(others.length === 0).each(others)('%s: identical CRM end state (records, fields, lists, campaigns)', (name) => {
    expect(outcomes.get(name)?.crm).toEqual(reference().crm);
  });
  it.skipIf(others.length === 0).each(others)('%s: identical CRM state after the scoped syncs three days later', (name) => {
    expect(outcomes.get(name)?.later?.crm).toEqual(reference().later?.crm);
  });
});
