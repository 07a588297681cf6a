import type { LoadedProject } from '../config/load-project.js';
import { RunError } from '../diagnostics/diagnostic.js';
import { destinationFactory } from '../destinations/destinations.js';
import type { DriftRead } from '../destinations/drift-reader.js';
import type { TableRef } from '../dialect/dialect.js';
import { cdpTable } from '../model/relations.js';
import type { StageContext } from '../model/stage-context.js';
import { PacedTransport } from '../sync/paced-transport.js';
import type { SyncTuning } from '../sync/sync-tuning.js';
import { pullObjects, pulledColumn, pulledTableName, type PullObject } from './pull-objects.js';
import { createMarksSql, createPulledTableSql, markGoneSql, readMark, setMarkSql, upsertPulledRowsSql, type PulledRow } from './pull-sql.js';

/** What one object's pull did, for the run summary, `--json` and `runs.counts`. */
export interface PullSummary {
  readonly destination: string;
  readonly object: string;
  readonly table: string;
  /** Whether this was a full read (the first pull of the object). */
  readonly full: boolean;
  readonly changed: number;
  readonly deleted: number;
  readonly requests: number;
  readonly seconds: number;
}

/** Re-read this long before the last pull's start: the CRM's search lags (docs/pull.md). `CDP_DRIFT_OVERLAP_MS` overrides it. */
function overlapMs(env: Readonly<Record<string, string | undefined>>): number {
  const raw = Number(env.CDP_DRIFT_OVERLAP_MS);
  return Number.isFinite(raw) && raw >= 0 ? raw : 120_000;
}

/** The destinations named (all of the project's when none), or a usage error. */
export function selectDestinations(project: LoadedProject, names: readonly string[]): string[] {
  const known = Object.keys(project.config.destinations);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new RunError('unknown-destination', `no destination named ${unknown.map((n) => `'${n}'`).join(', ')}`, `destinations: ${known.join(', ') || '(none)'}`);
  return names.length > 0 ? [...names] : known;
}

/**
 * `cdp pull`: copies CRM records into `<schema>.crm_<destination>_<object>` tables. The first pull
 * of an object reads everything; later ones only what changed since the last pull started (less an
 * overlap), through the same reads as drift checks: HubSpot search on the modified date and the
 * archived listing, Salesforce SOQL on SystemModstamp and queryAll for deleted and merged records.
 */
export async function pullProject(
  stage: StageContext,
  destinations: readonly string[],
  tuning: SyncTuning,
  env: Readonly<Record<string, string | undefined>>,
  onPulled?: (summary: PullSummary) => void,
): Promise<PullSummary[]> {
  const summaries: PullSummary[] = [];
  for (const name of destinations) {
    const config = stage.project.config.destinations[name];
    const factory = config ? destinationFactory(config.type) : undefined;
    if (!config || !factory) throw new RunError('unknown-destination', `no destination named '${name}'`);
    const destination = factory.open(name, config, { requestTimeoutMs: tuning.requestTimeoutMs, projectDir: stage.project.dir });
    try {
      const transport = new PacedTransport(name, destination.rateLimit, tuning.retry);
      const reader = destination.drift;
      if (!reader) continue;
      for (const object of pullObjects(stage.project, name)) {
        const started = performance.now();
        const before = transport.stats.requests;
        const result = await pullObject(stage, name, object, env, {
          read: (since) => reader.read({ object: object.object, matchField: object.keyField, fields: object.fields, since }, transport),
          missing: (ids) => reader.missing(object.object, ids, transport),
        });
        const summary = { ...result, requests: transport.stats.requests - before, seconds: Math.round(performance.now() - started) / 1000 };
        summaries.push(summary);
        onPulled?.(summary);
      }
    } finally {
      await destination.close().catch(() => undefined);
    }
  }
  return summaries;
}

/** The two reads a pull makes of one object (a destination's DriftReader, bound to the object). */
interface ObjectReads {
  read(since: Date): Promise<DriftRead>;
  missing(ids: readonly string[]): Promise<{ readonly missing: readonly string[]; readonly survivors: ReadonlyMap<string, string> }>;
}

async function pullObject(
  stage: StageContext,
  destination: string,
  object: PullObject,
  env: Readonly<Record<string, string | undefined>>,
  reads: ObjectReads,
): Promise<Omit<PullSummary, 'requests' | 'seconds'>> {
  const { warehouse, project } = stage;
  const d = warehouse.dialect;
  const table = cdpTable(project, pulledTableName(destination, object.object));
  const marks = cdpTable(project, 'crm_pull_marks');
  const columns = object.fields.map(pulledColumn);
  await warehouse.execute(d.createSchema(table.schema));
  await warehouse.execute(createPulledTableSql(d, table, columns), { label: `create ${table.name}` });
  await warehouse.execute(createMarksSql(d, marks));
  const existing = new Set((await warehouse.columns(table)).map((c) => c.name.toLowerCase()));
  for (const c of columns.filter((c) => !existing.has(c))) await warehouse.execute(d.addColumn(table, c, 'string'));
  // Tables pulled by an older cdp lack the pull's start time; their rows count as pulled long ago.
  if (!existing.has('pulled_ms')) await warehouse.execute(d.addColumn(table, 'pulled_ms', 'integer'));

  const last = readMark(await warehouse.query(`select max(pulled_ms) as ms from ${d.table(marks)} where destination = ${d.literal(destination)} and object = ${d.literal(object.object)}`));
  const startedAt = Date.now();
  const since = new Date(last === undefined ? 0 : Math.max(0, last - overlapMs(env)));
  const result = await reads.read(since);
  const changed: PulledRow[] = result.changed.map((r) => ({ id: r.id, deleted: false, mergedInto: null, values: object.fields.map((f) => r.values[f] ?? null) }));
  const changedIds = new Set(changed.map((c) => c.id));
  const reported = [
    ...result.gone.map((g) => ({ id: g.id, mergedInto: g.mergedInto ?? null })),
    ...result.changed.flatMap((r) => r.mergedIds.map((id) => ({ id, mergedInto: r.id }))),
  ].filter((g) => !changedIds.has(g.id));
  const gone = [...reported, ...(last === undefined ? [] : await vanished(stage, table, result.liveTotal, changedIds, new Set(reported.map((g) => g.id)), reads))];
  const known = new Set<string>();
  for (let i = 0; i < gone.length; i += 500) {
    const ids = gone.slice(i, i + 500).map((g) => d.literal(g.id)).join(', ');
    for (const r of await warehouse.query(`select id from ${d.table(table)} where id in (${ids})`)) known.add(String(r.id));
  }
  // The run's reference time, so that a build in the same run (cdp run --pull) sees the rows as current.
  const now = stage.asOf;
  await warehouse.transaction(
    [...upsertPulledRowsSql(d, table, columns, changed, stage.runId, now, startedAt), ...markGoneSql(d, table, gone, known, stage.runId, now, startedAt), ...setMarkSql(d, marks, destination, object.object, startedAt)],
    { label: `pull ${table.name}` },
  );
  return { destination, object: object.object, table: table.name, full: last === undefined, changed: changed.length, deleted: gone.length };
}

/**
 * Records the table holds as live that the CRM no longer has, though no read reported them gone: an
 * emptied sandbox, records purged from the recycle bin. Only looked for when the CRM's live count is
 * below what the table would hold after this pull, so a quiet pull costs nothing more.
 */
async function vanished(
  stage: StageContext,
  table: TableRef,
  liveTotal: number,
  changed: ReadonlySet<string>,
  reported: ReadonlySet<string>,
  reads: ObjectReads,
): Promise<{ id: string; mergedInto: string | null }[]> {
  const d = stage.warehouse.dialect;
  const live = (await stage.warehouse.query(`select id from ${d.table(table)} where not deleted`, { label: `pull live ids ${table.name}` }))
    .map((r) => String(r.id))
    .filter((id) => !reported.has(id));
  const held = new Set([...live, ...changed]).size;
  if (liveTotal >= held) return [];
  const { missing, survivors } = await reads.missing(live.filter((id) => !changed.has(id)));
  return [...missing.map((id) => ({ id, mergedInto: null })), ...[...survivors].map(([id, survivor]) => ({ id, mergedInto: survivor }))];
}

/** `pull hubspot contacts: 3 new or changed, 1 deleted -> cdp.crm_hubspot_contacts (3 requests, 0.1 s)` */
export function pullLine(schema: string, s: PullSummary): string {
  return `pull ${s.destination} ${s.object}: ${s.changed} new or changed, ${s.deleted} deleted${s.full ? ' (first pull: everything)' : ''} -> ${schema}.${s.table} (${s.requests} requests, ${s.seconds.toFixed(1)} s)`;
}

/** Per object counts for the `runs` table. */
export function pullCounts(summaries: readonly PullSummary[]): Record<string, Record<string, number>> {
  return Object.fromEntries(summaries.map((s) => [`${s.destination}.${s.object}`, { changed: s.changed, deleted: s.deleted, requests: s.requests, full: s.full ? 1 : 0 }]));
}
