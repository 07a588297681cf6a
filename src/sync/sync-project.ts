import { syncEntity } from '../config/sync-entity.js';
import type { Declared, LoadedProject } from '../config/load-project.js';
import type { SyncConfig } from '../config/schema.js';
import { error, ProjectError, RunError } from '../diagnostics/diagnostic.js';
import { suggestion } from '../diagnostics/did-you-mean.js';
import type { DestinationFactory } from '../destinations/destination.js';
import { destinationFactory } from '../destinations/destinations.js';
import type { StageContext } from '../model/stage-context.js';
import type { BoundDriftReader } from './drift/check-drift.js';
import { checkIdentityGate, type IdentityGateCheck } from './identity-gate-check.js';
import { PacedTransport } from './paced-transport.js';
import type { RemovalGate } from './removal-gates.js';
import { discardSync, prepareSync, sendSync, type OpenedDestination, type PreparedSync, type SyncRunContext } from './send-sync.js';
import { SerialQueue } from './serial-queue.js';
import type { ProgressFactory } from './sync-progress.js';
import type { SyncSummary } from './sync-summary.js';
import type { SyncTuning } from './sync-tuning.js';

export interface SyncProjectOptions {
  readonly syncs: readonly Declared<SyncConfig>[];
  readonly fullResync: boolean;
  readonly tuning: SyncTuning;
  readonly progress: ProgressFactory;
  /** Called for each failed sync after the first; the first failure is rethrown once all syncs ran. */
  readonly onSyncFailed?: (sync: string, error: RunError | ProjectError) => void;
  readonly onSyncDone?: (summary: SyncSummary) => void;
  /** Lines the user should see (shared and refused match keys); the stage's log when not given. */
  readonly notice?: (line: string) => void;
  /** Send even though the newest identity build tripped the identity quality gate (and record the acceptance). */
  readonly acceptIdentityChange?: boolean;
  /** Drift checks answered from this run's pulled tables, where it pulled the synced object (docs/drift.md). */
  readonly pulledDrift?: (destination: string, object: string) => BoundDriftReader | undefined;
  /** Send even though removal gates are exceeded (`--accept-removals`; recorded in the run's counts). */
  readonly acceptRemovals?: boolean;
}

/**
 * The removal gates of every selected sync, evaluated before any sync sends (docs/guarantees.md).
 * `open: false`: at least one is exceeded and not accepted, so nothing was sent.
 */
export type RemovalGateCheck =
  | { readonly open: true; readonly accepted: readonly RemovalGate[] }
  | { readonly open: false; readonly held: readonly RemovalGate[] };

export interface ProjectSyncResult {
  readonly syncs: readonly SyncSummary[];
  readonly rejected: number;
  /** The identity quality gate as the syncs found it; `open: false` means nothing was sent. */
  readonly identityGate: IdentityGateCheck;
  readonly removal_gates: RemovalGateCheck;
}

/** The syncs named on the command line (all when none), or a usage error with a "did you mean". */
export function selectSyncs(project: LoadedProject, names: readonly string[]): Declared<SyncConfig>[] {
  if (names.length === 0) return [...project.syncs];
  const known = project.syncs.map((s) => s.sync);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new ProjectError(unknown.map((n) => error('unknown-sync', `no sync named '${n}'`, {}, suggestion(n, known) ?? (known.length > 0 ? `syncs: ${known.join(', ')}` : 'add one in connectors/'))));
  }
  return project.syncs.filter((s) => names.includes(s.sync));
}

export function factoryFor(project: LoadedProject, sync: Declared<SyncConfig>): DestinationFactory {
  const config = project.config.destinations[sync.destination];
  if (!config) throw new RunError('unknown-destination', `sync '${sync.sync}' uses unknown destination '${sync.destination}'`);
  const factory = destinationFactory(config.type);
  if (!factory) throw new RunError('destination-unavailable', `this cdp has no ${config.type} destination yet (sync '${sync.sync}')`, 'remove the connector or wait for a release that adds it');
  return factory;
}

/**
 * Runs the syncs in two phases. Pre-send: each sync's diff is materialised and counted and its removal
 * gates evaluated; if any gate of any sync is exceeded (and not accepted), no sync sends anything.
 * Send: the syncs one after another; destinations are opened once and share their pacing across syncs
 * (rate limits are per account). A sync that fails does not stop the others.
 */
export async function syncProject(stage: StageContext, options: SyncProjectOptions): Promise<ProjectSyncResult> {
  // With no sync selected nothing could be sent, so there is nothing to hold.
  const identityGate: IdentityGateCheck = options.syncs.length === 0 ? { open: true, accepted: [] } : await checkIdentityGate(stage, options.acceptIdentityChange ?? false);
  if (!identityGate.open) return { syncs: [], rejected: 0, identityGate, removal_gates: { open: true, accepted: [] } };
  const opened = new Map<string, OpenedDestination>();
  const queue = new SerialQueue();
  const summaries: SyncSummary[] = [];
  const failures: [string, RunError | ProjectError][] = [];
  const contextFor = (sync: Declared<SyncConfig>): SyncRunContext => {
    const factory = factoryFor(stage.project, sync);
    const open = async (): Promise<OpenedDestination> => {
      const existing = opened.get(sync.destination);
      if (existing) return existing;
      const config = stage.project.config.destinations[sync.destination];
      const destination = factory.open(sync.destination, config, { requestTimeoutMs: options.tuning.requestTimeoutMs, projectDir: stage.project.dir });
      const made = { destination, transport: new PacedTransport(sync.destination, destination.rateLimit, options.tuning.retry) };
      opened.set(sync.destination, made);
      return made;
    };
    return { stage, factory, open, queue, fullResync: options.fullResync, progress: options.progress, notice: options.notice ?? stage.log, pulledDrift: options.pulledDrift };
  };
  const failed = (sync: string, e: unknown): void => {
    if (!(e instanceof RunError || e instanceof ProjectError)) throw e;
    failures.push([sync, e]);
  };
  let gates: RemovalGateCheck = { open: true, accepted: [] };
  try {
    const prepared: PreparedSync[] = [];
    try {
      // Account syncs go first, so that contacts can be associated with the accounts they create.
      const ordered = [...options.syncs].sort((a, b) => Number(syncEntity(b).kind === 'account') - Number(syncEntity(a).kind === 'account'));
      for (const sync of ordered) {
        try {
          prepared.push(await prepareSync(contextFor(sync), sync));
        } catch (e) {
          failed(sync.sync, e);
        }
      }
      const exceeded = prepared.flatMap((p) => p.gates.filter((g) => g.exceeded));
      gates = exceeded.length === 0 || options.acceptRemovals ? { open: true, accepted: exceeded } : { open: false, held: exceeded };
    } catch (e) {
      for (const p of prepared) await discardSync(contextFor(p.sync), p.shape);
      throw e;
    }
    if (!gates.open) {
      for (const p of prepared) await discardSync(contextFor(p.sync), p.shape);
    } else {
      // Account syncs whose send gave accounts other records (created, removed, re-created, dropped; or it failed part-way).
      const moved = new Set<string>();
      const associated = new Set(prepared.flatMap((p) => (p.shape.account ? [p.shape.account.sync.sync] : [])));
      for (const [i, p] of prepared.entries()) {
        try {
          // A person sync associating accounts whose records this run's send changed diffs again (docs/accounts-sync.md).
          // Only association values can differ, so the gates checked above still hold.
          const stale = p.shape.account !== undefined && moved.has(p.shape.account.sync.sync);
          const ready = stale ? await prepareSync(contextFor(p.sync), p.sync) : p;
          const records = associated.has(p.sync.sync) ? await accountRecords(stage, ready) : undefined;
          const summary = await sendSync(contextFor(p.sync), ready).catch(async (e: unknown) => {
            if (records) moved.add(p.sync.sync);
            await records?.drop().catch(() => undefined);
            throw e;
          });
          if (await records?.changed()) moved.add(p.sync.sync);
          summaries.push(summary);
          options.onSyncDone?.(summary);
        } catch (e) {
          // An unexpected error ends the run: the diffs of the syncs not sent yet are dropped first.
          if (!(e instanceof RunError || e instanceof ProjectError)) for (const rest of prepared.slice(i + 1)) await discardSync(contextFor(rest.sync), rest.shape);
          failed(p.sync.sync, e);
        }
      }
    }
  } finally {
    for (const { destination } of opened.values()) await destination.close().catch(() => undefined);
  }
  // The first failure is rethrown (and printed by the CLI); later ones are reported here.
  for (const [sync, e] of failures.slice(1)) options.onSyncFailed?.(sync, e);
  if (failures.length > 0 && gates.open) throw failures[0][1];
  if (failures.length > 0) options.onSyncFailed?.(failures[0][0], failures[0][1]);
  return { syncs: summaries, rejected: summaries.reduce((sum, s) => sum + s.rejected, 0), identityGate, removal_gates: gates };
}

/**
 * An account sync's confirmed records of the accounts in its diff, kept before it sends: `changed()` says whether the
 * send changed any (a record re-created or dropped; or, always, one created or removed by the diff itself), which is
 * what person syncs associating these accounts read. Only a diff of updates alone is compared.
 */
async function accountRecords(stage: StageContext, p: PreparedSync): Promise<{ changed(): Promise<boolean>; drop(): Promise<void> }> {
  // Nothing to send, or records created or removed anyway: nothing to compare.
  if (p.counts.total === 0 || p.counts.enter > 0 || p.counts.leave > 0) {
    const changed = p.counts.total > 0;
    return { changed: async () => changed, drop: async () => undefined };
  }
  const { warehouse } = stage;
  const d = warehouse.dialect;
  const state = d.table(p.shape.tables.state);
  const kept = { ...p.shape.tables.diff, name: `${p.shape.tables.diff.name}_records` };
  const label = `account records ${p.sync.sync}`;
  await warehouse.execute(
    d.createScratchTableAs(kept, `select s.profile_id, s.match_key, s.destination_id from ${state} s where s.profile_id in (select x.profile_id from ${d.scratchTable(p.shape.tables.diff)} x)`),
    { label },
  );
  const drop = async () => {
    await warehouse.execute(d.dropScratchTable(kept), { label });
  };
  return {
    drop,
    async changed() {
      const [row] = await warehouse.query(
        `select count(*) as n
from (select s.profile_id, s.match_key, s.destination_id from ${state} s where s.profile_id in (select k.profile_id from ${d.scratchTable(kept)} k)) a
full outer join ${d.scratchTable(kept)} b on b.profile_id = a.profile_id and b.match_key = a.match_key and coalesce(b.destination_id, '') = coalesce(a.destination_id, '')
where a.profile_id is null or b.profile_id is null`,
        { label },
      );
      await drop();
      return Number(row?.n ?? 0) > 0;
    },
  };
}
