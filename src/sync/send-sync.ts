import type { Declared, LoadedProject } from '../config/load-project.js';
import type { SyncConfig } from '../config/schema.js';
import { ProjectError } from '../diagnostics/diagnostic.js';
import type { Destination, DestinationFactory } from '../destinations/destination.js';
import { destinationScrubber } from '../destinations/destination-secrets.js';
import type { StageContext } from '../model/stage-context.js';
import { compileDiffCounts, readDiffCounts, type DiffCounts } from './diff-counts.js';
import { readDiffRecord } from './diff-record.js';
import { compileCollidedKeys, compileDiffSelect, compileKeyReport, compileNewRefusedKeys, compileSharedKeys, REFUSED_KEY_CODE } from './diff-sql.js';
import type { Dialect } from '../dialect/dialect.js';
import { keyRules } from './key-rules.js';
import { compileStateCounts, readStateCounts, removalGates, type RemovalGate } from './removal-gates.js';
import type { LogRow } from './state-sql.js';
import { loadSyncShape } from './load-sync-shape.js';
import type { PacedTransport } from './paced-transport.js';
import { operationsFor } from './record-operations.js';
import type { SerialQueue } from './serial-queue.js';
import { SyncPipeline } from './sync-pipeline.js';
import type { ProgressFactory } from './sync-progress.js';
import { syncSpec } from './sync-shape.js';
import { SyncStateStore } from './sync-state-store.js';
import { pruneRetiredTargets, readTargets, sameTargets, shapeTargets, writeTargets } from './sync-targets.js';
import type { SyncShape } from './sync-shape.js';
import { bindDriftReader, checkDrift, markDriftChecked, type BoundDriftReader, type DriftSummary } from './drift/check-drift.js';
import { diffFingerprint, readPosition, savePositionSql, type SyncPosition } from './sync-position.js';
import { createProfileChangesSql, logProfilesSql } from '../model/profile-changes.js';
import { cdpTable } from '../model/relations.js';
import { applyHoldsSql, driftTables } from './drift/drift-sql.js';
import { diffSummary, matchKeyLines, type DiffSummary, type SyncSummary } from './sync-summary.js';

/** Diff rows read from the warehouse per query. */
const PAGE_ROWS = 2_000;

export interface OpenedDestination {
  readonly destination: Destination;
  readonly transport: PacedTransport;
}

export interface SyncRunContext {
  readonly stage: StageContext;
  readonly factory: DestinationFactory;
  /** Opens the destination on first use, so a sync with nothing to send never contacts it. */
  readonly open: () => Promise<OpenedDestination>;
  readonly queue: SerialQueue;
  readonly fullResync: boolean;
  readonly progress: ProgressFactory;
  /** Drift read from the tables this run's pull wrote (docs/drift.md), when it pulled the sync's object. */
  readonly pulledDrift?: (destination: string, object: string) => BoundDriftReader | undefined;
  /** Lines the user should see without --verbose (shared and refused match keys). */
  readonly notice: (line: string) => void;
}

/** What the key checks found (docs/guarantees.md): keys shared by several profiles, keys the destination refuses. */
export interface MatchKeyReport {
  readonly on_collision: SyncConfig['match']['on_collision'];
  /** Keys shared by more than one in-scope profile, and those profiles (`skip`: none of them is sent). */
  readonly collided_keys: number;
  readonly collided_profiles: number;
  /** In-scope profiles whose only key the destination would refuse on every run: never sent. */
  readonly refused_keys: number;
  /** Of those, the ones reported for the first time (logged in sync_log as `refused-key`). */
  readonly new_refused_keys: number;
  /** Counted among every profile, or among the profiles the diff read: those changed since the last sync (docs/incremental.md#syncs). */
  readonly among?: 'all' | 'changed';
}

/** A sync whose diff is materialised and counted, and whose gates are known: nothing has been sent yet. */
export interface PreparedSync {
  readonly sync: Declared<SyncConfig>;
  readonly shape: SyncShape;
  readonly counts: DiffCounts;
  readonly diff: DiffSummary;
  readonly gates: readonly RemovalGate[];
  readonly keys: MatchKeyReport;
  readonly newRefused: readonly LogRow[];
  readonly drift?: DriftSummary;
  /** Where this diff stands in `profile_changes`, stored when the sync finishes; none for `cdp forget`'s diffs. */
  readonly position?: SyncPosition;
  /** Keys several profiles hold (`on_collision: skip`): the next scoped diff looks at them again. */
  readonly collided?: readonly string[];
  /** How long preparing took: a sync's seconds are its own prepare and send, not the other syncs' in between. */
  readonly prepareSeconds: number;
}

/**
 * The pre-send phase of one sync: drift repair (reads only), the diff materialised in the warehouse, its
 * counts, the removal gates and the key report. Nothing is written to the destination; `sendSync` or
 * `discardSync` must follow (the diff is a scratch table).
 */
export async function prepareSync(ctx: SyncRunContext, sync: Declared<SyncConfig>): Promise<PreparedSync> {
  const started = performance.now();
  const { warehouse, project } = ctx.stage;
  const d = warehouse.dialect;
  const shape = await loadSyncShape(warehouse, project, sync, keyRules(project, sync));
  const stateColumns = await SyncStateStore.ensureTables(warehouse, shape);
  // Before anything is sent: which column now belongs to which target (docs/sync-renames.md).
  const targets = shapeTargets(shape);
  if (!sameTargets(await readTargets(warehouse, project, sync.sync), targets)) await ctx.queue.run(() => writeTargets(warehouse, project, sync.sync, targets));
  // Drift repairs forget the sync's position in their transaction (check-drift.ts): its tables must exist first.
  for (const sql of createProfileChangesSql(d, shape.tables.state.schema)) await ctx.queue.run(() => warehouse.execute(sql, { label: 'create sync position tables' }));
  const drift = sync.drift ? await driftBeforeDiff(ctx, shape) : undefined;
  const diff = d.scratchTable(shape.tables.diff);
  // The diff reads only the profiles changed since this sync's last diff when it can (docs/incremental.md#syncs).
  const whole = compileDiffSelect(shape, d, { stateColumns, fullResync: false });
  const sharedSql = compileSharedKeys(shape, d);
  const shared = sharedSql ? await warehouse.query(sharedSql, { label: `shared keys ${sync.sync}` }) : [];
  // A diff compared with an existing state may be scoped, and moves state rows whose key went to another profile.
  const owners = !ctx.fullResync && stateColumns !== undefined;
  const position = await ctx.queue.run(() => readPosition(warehouse, shape, diffFingerprint(whole, shared), owners));
  const { scope } = position;
  const select = compileDiffSelect(shape, d, { stateColumns, fullResync: ctx.fullResync, scope, owners });
  await warehouse.execute(d.createScratchTableAs(shape.tables.diff, `select row_number() over (order by op, match_key) as seq, x.*\nfrom (\n${select}\n) x`), {
    label: `diff ${sync.sync}`,
  });
  try {
    // Person syncs associating these accounts read this sync's state, which this send (or a crash in it) changes:
    // the members of every account in the diff are logged before (docs/incremental.md#syncs).
    if (associated(project, shape)) await ctx.queue.run(() => warehouse.execute(logMembersSql(project, d, diff), { label: `log members ${sync.sync}` }));
    // Records whose key went to another profile with the same values: nothing to send, the state row follows the key.
    if (owners) await ctx.queue.run(() => warehouse.transaction(ownerMovesSql(shape, d), { label: `state owners ${sync.sync}` }));
    // The key report counts what the two lists below would hold: each is read only when it is not empty.
    const report = (await warehouse.query(compileKeyReport(shape, d, scope), { label: `match keys ${sync.sync}` }))[0];
    const collided =
      sync.match.on_collision === 'skip' && Number(report.duplicated_keys ?? 0) > 0
        ? (await warehouse.query(compileCollidedKeys(shape, d, scope), { label: `collided keys ${sync.sync}` })).map((r) => String(r.match_key))
        : [];
    if (drift) for (const sql of applyHoldsSql(shape, d, diff, driftTables(shape).holds)) await warehouse.execute(sql, { label: `drift holds ${sync.sync}` });
    const counts = readDiffCounts(shape, (await warehouse.query(compileDiffCounts(shape, diff), { label: `count diff ${sync.sync}` }))[0]);
    const stateSql = compileStateCounts(shape, d, stateColumns);
    const state = readStateCounts(shape, stateSql ? (await warehouse.query(stateSql, { label: `count state ${sync.sync}` }))[0] : undefined);
    const refused = Number(report.refused_keys ?? 0) > 0 ? await warehouse.query(compileNewRefusedKeys(shape, d, scope), { label: `refused keys ${sync.sync}` }) : [];
    const newRefused = refused.map(
      (r): LogRow => ({ key: String(r.refused_key), profileId: r.profile_id === null ? null : String(r.profile_id), operation: 'match', code: REFUSED_KEY_CODE, message: `${sync.destination} refuses '${String(r.refused_key)}' as ${shape.matchField} on every run; not sent` }),
    );
    const keys: MatchKeyReport = {
      on_collision: sync.match.on_collision,
      collided_keys: Number(report.collided_keys ?? 0),
      collided_profiles: Number(report.collided_profiles ?? 0),
      refused_keys: Number(report.refused_keys ?? 0),
      new_refused_keys: newRefused.length,
      among: scope ? 'changed' : 'all',
    };
    return { sync, shape, counts, diff: diffSummary(shape, counts, state.records), gates: removalGates(shape, counts, state), keys, newRefused, ...(drift ? { drift } : {}), position, collided, prepareSeconds: elapsed(started) };
  } catch (error) {
    await discardSync(ctx, shape);
    throw error;
  }
}

/** Drops a prepared sync's diff (the gates held, or it was never sent). */
export async function discardSync(ctx: SyncRunContext, shape: SyncShape): Promise<void> {
  const { warehouse } = ctx.stage;
  await ctx.queue.run(() => warehouse.execute(warehouse.dialect.dropScratchTable(shape.tables.diff))).catch(() => undefined);
}

/**
 * The send phase of one prepared sync: prepare the destination, stream the diff through the pipeline,
 * then drop the state of records that left and hold nothing cdp added.
 */
export async function sendSync(ctx: SyncRunContext, prepared: PreparedSync): Promise<SyncSummary> {
  const { sync, shape, counts, drift } = prepared;
  const sending = performance.now();
  const seconds = () => Math.round(1000 * prepared.prepareSeconds + performance.now() - sending) / 1000;
  const { warehouse, project } = ctx.stage;
  const diff = warehouse.dialect.scratchTable(shape.tables.diff);
  try {
    const base = { sync: sync.sync, destination: sync.destination, object: sync.object, mode: sync.mode, diff: prepared.diff, match_keys: prepared.keys, gates: prepared.gates, ...(drift ? { drift } : {}) };
    const idle = { created: 0, updated: 0, cleared: 0, skipped: 0, gone: 0, added: 0, removed: 0 };
    const store = new SyncStateStore(warehouse, shape, ctx.stage.runId, ctx.queue, destinationScrubber(project.config.destinations[sync.destination]));
    if (prepared.newRefused.length > 0) {
      await store.commit({ rejected: prepared.newRefused });
      ctx.notice(`  ${sync.sync}: ${prepared.newRefused.length} profile${prepared.newRefused.length === 1 ? '' : 's'} with a ${shape.matchField} ${sync.destination} always refuses: not sent (listed once in sync_log, code ${REFUSED_KEY_CODE})`);
    }
    if (prepared.keys.collided_keys > 0) ctx.notice(`  ${sync.sync}: ${matchKeyLines(prepared.keys, sync.destination)[0]}`);
    // Leaving records still send something when cdp set fields (mirror) or added memberships (every mode).
    const leavers = sync.mode === 'mirror' ? counts.leaveWithState : counts.leaveWithMembers;
    if (counts.enter + counts.change === 0 && leavers === 0) {
      // Nothing to send (at most records that stop being synced): the destination is not contacted.
      if (counts.leave > 0) await store.forgetLeavers(sync.mode);
      await ctx.queue.run(() => pruneRetiredTargets(warehouse, project, shape));
      if (drift) await markDriftChecked(warehouse, shape, new Date());
      await savePosition(ctx, prepared, prepared.collided ?? []);
      return { ...base, status: 'success', sent: idle, rejected: 0, requests: drift?.requests ?? 0, retries: 0, rateLimited: 0, seconds: seconds(), notes: [] };
    }

    const { destination, transport } = await ctx.open();
    const before = transport.stats;
    const pendingWrites = counts.enter + counts.change + leavers;
    const ready = await destination.prepare({ ...syncSpec(shape), pendingWrites }, transport);
    if (!ready.ok) throw new ProjectError(ready.diagnostics);
    for (const note of ready.notes) ctx.stage.log(`  ${note}`);
    const progress = ctx.progress(sync.sync, counts.total);
    const pipeline = new SyncPipeline({ shape, target: ready.target, transport, store, concurrency: 2 * destination.rateLimit.maxConcurrent, onProgress: (n) => progress.tick(n) });
    const options = { mode: sync.mode, fullResync: ctx.fullResync };
    try {
      for (let last = 0; ; ) {
        const rows = await ctx.queue.run(() => warehouse.query(`select * from ${diff} where seq > ${last} order by seq limit ${PAGE_ROWS}`, { label: `read diff ${sync.sync}` }));
        if (rows.length === 0) break;
        for (const row of rows) await pipeline.push(operationsFor(shape, readDiffRecord(shape, row), options));
        last = Number(rows[rows.length - 1].seq);
      }
      await pipeline.finish();
    } catch (error) {
      await pipeline.settle();
      throw error;
    } finally {
      progress.stop();
    }
    await store.forgetLeavers(sync.mode);
    await ctx.queue.run(() => pruneRetiredTargets(warehouse, project, shape));
    if (drift) await markDriftChecked(warehouse, shape, new Date());
    await savePosition(ctx, prepared, [...pipeline.unsettled, ...(prepared.collided ?? [])]);

    const after = transport.stats;
    const sent = pipeline.counts;
    return {
      ...base,
      status: sent.rejected > 0 ? 'rejected' : 'success',
      sent: { created: sent.created, updated: sent.updated, cleared: sent.cleared, skipped: sent.skipped, gone: sent.gone, added: sent.added, removed: sent.removed },
      rejected: sent.rejected,
      requests: after.requests - before.requests + (drift?.requests ?? 0),
      retries: after.retries - before.retries,
      rateLimited: after.rateLimited - before.rateLimited,
      seconds: seconds(),
      notes: ready.notes,
    };
  } finally {
    await discardSync(ctx, shape);
  }
}

/** The sync finished: its next diff may start from the build this one saw, plus the keys it left unconfirmed. */
async function savePosition(ctx: SyncRunContext, prepared: PreparedSync, unsettled: readonly string[]): Promise<void> {
  const { position, shape } = prepared;
  if (!position) return;
  const { warehouse } = ctx.stage;
  const statements = savePositionSql(warehouse.dialect, shape, position, ctx.stage.runId, unsettled);
  await ctx.queue.run(() => warehouse.transaction(statements, { label: `position ${shape.sync.sync}` }));
}

/** Whether a person sync takes `account: { sync }` of this (account) sync. */
function associated(project: LoadedProject, shape: SyncShape): boolean {
  return shape.entity.kind === 'account' && project.syncs.some((s) => s.account?.sync === shape.sync.sync);
}

/** Logs the members of the accounts in an account sync's diff, both the record's account and the state row's. */
function logMembersSql(project: LoadedProject, d: Dialect, diff: string): string {
  const members = d.table(cdpTable(project, 'account_members'));
  return logProfilesSql(d, project.config.schema, `select m.profile_id from ${members} m where m.account_id in (select x.profile_id from ${diff} x union all select x.state_profile_id from ${diff} x)`);
}

/** Moves the state rows of `owner_only` records to their key's new profile, and drops those records from the diff. */
function ownerMovesSql(shape: SyncShape, d: Dialect): string[] {
  const diff = d.scratchTable(shape.tables.diff);
  return [
    `update ${d.table(shape.tables.state)} s set profile_id = x.profile_id from ${diff} x where x.owner_only and s.match_key = x.match_key`,
    `delete from ${diff} where owner_only`,
  ];
}

/** Reads the CRM's changes and repairs state before the diff (docs/drift.md); the destination is opened for it. */
async function driftBeforeDiff(ctx: SyncRunContext, shape: SyncShape): Promise<DriftSummary | undefined> {
  const pulled = ctx.pulledDrift?.(shape.sync.destination, shape.sync.object);
  if (pulled) {
    const summary = await ctx.queue.run(() => checkDrift({ warehouse: ctx.stage.warehouse, shape, reader: pulled, requests: () => 0, runId: ctx.stage.runId }));
    return { ...summary, from: 'pull' };
  }
  const { destination, transport } = await ctx.open();
  if (!destination.drift) return undefined;
  const reader = destination.drift;
  return ctx.queue.run(() => checkDrift({ warehouse: ctx.stage.warehouse, shape, reader: bindDriftReader(reader, transport), requests: () => transport.stats.requests, runId: ctx.stage.runId }));
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started) / 1000;
}
