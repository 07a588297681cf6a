import { gateLine, type RemovalGate } from '../sync/removal-gates.js';
import type { LoadedProject } from '../config/load-project.js';
import { RunError } from '../diagnostics/diagnostic.js';
import { identityGateOfRun } from '../identity/identity-gate-store.js';
import type { GateCheck, IdentityGate } from '../identity/identity-gate.js';
import type { IdentityReport, ProfileSize, SizeBucket } from '../identity/identity-report.js';
import { cdpTable } from '../model/relations.js';
import { recentRuns } from '../run/run-log.js';
import type { StageStats } from '../run/stage-stats.js';
import type { Row, Value, Warehouse } from '../warehouse/warehouse.js';

/** Everything `cdp report` draws, also written as JSON beside the HTML (docs/report.md). */
export interface ReportData {
  readonly version: 1;
  readonly project: string;
  readonly generatedAt: string;
  readonly run: RunSection;
  /** Null when the run did not build identity (a `cdp sync`, or a project without identifiers). */
  readonly identity: IdentitySection | null;
  readonly identityTrend: readonly IdentityTrendPoint[];
  readonly segments: SegmentsSection;
  readonly syncs: SyncsSection;
}

export interface RunSection {
  readonly runId: string;
  readonly command: string;
  readonly status: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly seconds: number | null;
  readonly error: string | null;
  /** The build's stages, then one `sync:<name>` stage per sync (rows read: records in its diff; written: records sent). */
  readonly stages: readonly ReportStage[];
}

export type ReportStage = Omit<StageStats, 'stage'> & { readonly stage: string };

export interface IdentitySection {
  readonly profiles: number;
  readonly identifiers: number;
  readonly links: number;
  /** Counted from `profile_events` of the run. */
  readonly changes: { readonly new: number; readonly merge: number; readonly split: number; readonly retire: number };
  readonly histogram: readonly SizeBucket[];
  readonly largest: readonly ProfileSize[];
  readonly guards: { readonly blocklist: number; readonly hubs: number; readonly limits: number; readonly windows: number };
  readonly gate: IdentityGate | null;
}

export interface IdentityTrendPoint {
  readonly runId: string;
  readonly startedAt: string;
  readonly profiles: number;
  readonly merged: number;
  readonly split: number;
  readonly largest: number;
  readonly gate: string | null;
}

export interface SegmentsSection {
  readonly names: readonly string[];
  /** Oldest first: each build's segment sizes and this run's entries and exits (from `segment_changes`). */
  readonly trend: readonly {
    readonly runId: string;
    readonly startedAt: string;
    readonly sizes: Readonly<Record<string, number>>;
    readonly entered: Readonly<Record<string, number>>;
    readonly exited: Readonly<Record<string, number>>;
  }[];
}

export interface SyncRow {
  readonly sync: string;
  readonly created: number;
  readonly updated: number;
  /** Records whose cdp fields were cleared (mirror mode) or that were gone from the destination. */
  readonly removed: number;
  readonly membershipsAdded: number;
  readonly membershipsRemoved: number;
  readonly rejected: number;
  readonly requests: number;
  /** Records in the sync's diff. */
  readonly records: number;
  readonly seconds: number | null;
  /** Drift events the sync recorded, by kind, when this cdp records them. */
  readonly drift: Readonly<Record<string, number>>;
}

export interface SyncsSection {
  readonly perSync: readonly SyncRow[];
  /** Rejections of the run from `sync_log`, by sync and error code. */
  readonly rejections: readonly { readonly sync: string; readonly code: string; readonly records: number; readonly example: string }[];
  /** Gates that held or stopped syncs in this run. */
  readonly gates: readonly { readonly gate: string; readonly detail: string; readonly checks: readonly GateCheck[] }[];
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0) || 0);
const str = (v: Value | undefined): string | null => (v === null || v === undefined ? null : String(v));

function countsOf(row: Row): Json {
  try {
    return obj(typeof row.counts === 'string' ? JSON.parse(row.counts) : null);
  } catch {
    return {};
  }
}

/** The build part of a run's counts: `cdp run` nests it under `build`, `cdp build` stores it as is. */
const buildOf = (counts: Json): Json => (counts.build !== undefined ? obj(counts.build) : counts.stages !== undefined || counts.identity !== undefined ? counts : {});

/** Reads the report of one run (the newest when `runId` is not given) and its recent history. */
export async function collectReportData(warehouse: Warehouse, project: LoadedProject, runId: string | undefined, history = 30): Promise<ReportData> {
  const runs = await recentRuns(warehouse, project, 500);
  if (runs.length === 0) throw new RunError('no-runs', 'no runs recorded yet', 'run `cdp build` or `cdp run` first');
  const index = runId === undefined ? 0 : runs.findIndex((r) => String(r.run_id) === runId);
  if (index < 0) throw new RunError('unknown-run', `no run '${runId}' in the runs table`, 'list runs with `cdp history`');
  const row = runs[index];
  const counts = countsOf(row);
  const build = buildOf(counts);
  const recent = runs.slice(index, index + history).reverse();
  const id = String(row.run_id);
  const syncs = await syncsSection(warehouse, project, id, counts, str(row.error));
  const syncStages = syncs.perSync.map((x): ReportStage => ({
    stage: `sync:${x.sync}`,
    seconds: x.seconds ?? 0,
    rowsRead: x.records,
    rowsWritten: x.created + x.updated + x.removed,
    bytesBilled: null,
    bytes_processed: null,
  }));
  const started = String(row.started_at);
  const finished = str(row.finished_at);
  return {
    version: 1,
    project: project.config.project,
    generatedAt: new Date().toISOString(),
    run: {
      runId: id,
      command: String(row.command),
      status: String(row.status),
      startedAt: started,
      finishedAt: finished,
      seconds: finished ? Math.round(Date.parse(finished) - Date.parse(started)) / 1000 : null,
      error: str(row.error),
      stages: [...(Array.isArray(build.stages) ? (build.stages as StageStats[]) : []), ...syncStages],
    },
    identity: build.identity ? await identitySection(warehouse, project, id, obj(build.identity) as unknown as IdentityReport) : null,
    identityTrend: recent.flatMap((r) => {
      const identity = obj(buildOf(countsOf(r)).identity) as Partial<IdentityReport>;
      if (identity.profiles === undefined) return [];
      const gate = obj(buildOf(countsOf(r)).identityGate).status;
      return [{
        runId: String(r.run_id),
        startedAt: String(r.started_at),
        profiles: num(identity.profiles),
        merged: num(identity.changes?.merge),
        split: num(identity.changes?.split),
        largest: num(identity.largest?.[0]?.identifiers),
        gate: typeof gate === 'string' ? gate : null,
      }];
    }),
    segments: await segmentsSection(warehouse, project, recent),
    syncs,
  };
}

async function identitySection(warehouse: Warehouse, project: LoadedProject, runId: string, report: IdentityReport): Promise<IdentitySection> {
  const d = warehouse.dialect;
  const events = cdpTable(project, 'profile_events');
  const kinds = (await warehouse.tableExists(events))
    ? await warehouse.query(`select kind, count(*) as n from ${d.table(events)} where run_id = ${d.literal(runId)} group by kind`, { label: 'report: profile events' })
    : [];
  const kind = (k: string) => num(kinds.find((r) => r.kind === k)?.n);
  return {
    profiles: num(report.profiles),
    identifiers: num(report.identifiers),
    links: num(report.edges),
    changes: { new: kind('new'), merge: kind('merge'), split: kind('split'), retire: kind('retire') },
    histogram: report.histogram ?? [],
    largest: report.largest ?? [],
    guards: { blocklist: num(report.blockedValues), hubs: num(report.hubs), limits: num(report.droppedByLimit), windows: num(report.droppedByWindow) },
    gate: (await identityGateOfRun(warehouse, project, runId)) ?? null,
  };
}

async function segmentsSection(warehouse: Warehouse, project: LoadedProject, recent: readonly Row[]): Promise<SegmentsSection> {
  const d = warehouse.dialect;
  const changes = cdpTable(project, 'segment_changes');
  const ids = recent.map((r) => String(r.run_id));
  const moved =
    ids.length > 0 && (await warehouse.tableExists(changes))
      ? await warehouse.query(
          `select run_id, segment, change, count(*) as n from ${d.table(changes)} where run_id in (${ids.map((x) => d.literal(x)).join(', ')}) group by run_id, segment, change`,
          { label: 'report: segment changes' },
        )
      : [];
  const trend = recent.flatMap((r) => {
    const segments = obj(buildOf(countsOf(r)).profiles).segments;
    if (!Array.isArray(segments)) return [];
    const id = String(r.run_id);
    const of = (change: string) =>
      Object.fromEntries(segments.map((s) => [String(obj(s).segment), num(moved.find((m) => m.run_id === id && m.segment === obj(s).segment && m.change === change)?.n)]));
    return [{ runId: id, startedAt: String(r.started_at), sizes: Object.fromEntries(segments.map((s) => [String(obj(s).segment), num(obj(s).size)])), entered: of('enter'), exited: of('exit') }];
  });
  return { names: project.segments.map((s) => s.name), trend };
}

async function syncsSection(warehouse: Warehouse, project: LoadedProject, runId: string, counts: Json, error: string | null): Promise<SyncsSection> {
  const d = warehouse.dialect;
  const perSync = Object.entries(obj(counts.syncs)).map(([sync, value]) => {
    const s = obj(value);
    return {
      sync,
      created: num(s.created),
      updated: num(s.updated),
      removed: num(s.cleared) + num(s.gone),
      membershipsAdded: num(s.added),
      membershipsRemoved: num(s.removed),
      rejected: num(s.rejected),
      requests: num(s.requests),
      records: num(s.records),
      seconds: typeof s.seconds === 'number' ? s.seconds : null,
      drift: Object.fromEntries(Object.entries(obj(s.drift)).map(([k, v]) => [k, num(v)])),
    };
  });
  const log = cdpTable(project, 'sync_log');
  const rejections = (await warehouse.tableExists(log))
    ? (
        await warehouse.query(
          `select sync, code, count(*) as n, min(message) as example from ${d.table(log)} where run_id = ${d.literal(runId)} group by sync, code order by sync, code`,
          { label: 'report: rejections' },
        )
      ).map((r) => ({ sync: String(r.sync), code: String(r.code ?? ''), records: num(r.n), example: String(r.example ?? '') }))
    : [];
  const gates: SyncsSection['gates'][number][] = [];
  const identityGate = obj(counts.identity_gate);
  if (identityGate.open === false && Array.isArray(identityGate.held)) {
    for (const held of identityGate.held as IdentityGate[]) {
      gates.push({ gate: 'identity', detail: `build ${held.runId} tripped the identity gate; nothing was sent`, checks: held.checks.filter((c) => c.exceeded) });
    }
  }
  for (const accepted of Array.isArray(identityGate.accepted) ? (identityGate.accepted as IdentityGate[]) : []) {
    gates.push({ gate: 'identity (accepted)', detail: `the change of build ${accepted.runId} was accepted by this run`, checks: accepted.checks.filter((c) => c.exceeded) });
  }
  if (error !== null && error.includes('max_removals_pct')) gates.push({ gate: 'max_removals_pct', detail: error, checks: [] });
  // Removal gates (docs/guarantees.md): held ones stopped every sync, accepted ones were passed with --accept-removals.
  const removals = obj(counts.removal_gates);
  for (const [list, label] of [[removals.held, 'removals'], [removals.accepted, 'removals (accepted)']] as const) {
    for (const g of Array.isArray(list) ? (list as RemovalGate[]) : []) gates.push({ gate: `${label}: ${g.gate}`, detail: gateLine(g), checks: [] });
  }
  return { perSync, rejections, gates };
}
