import type { Declared } from '../config/load-project.js';
import type { SyncConfig } from '../config/schema.js';
import { ProjectError, RunError } from '../diagnostics/diagnostic.js';
import type { Destination, DestinationFactory } from '../destinations/destination.js';
import { destinationScrubber } from '../destinations/destination-secrets.js';
import type { StageContext } from '../model/stage-context.js';
import { compileDiffCounts, readDiffCounts, removalCount } from './diff-counts.js';
import { readDiffRecord } from './diff-record.js';
import { compileDiffSelect } from './diff-sql.js';
import { loadSyncShape } from './load-sync-shape.js';
import type { PacedTransport } from './paced-transport.js';
import { planRecord } from './record-plan.js';
import type { SerialQueue } from './serial-queue.js';
import { SyncPipeline } from './sync-pipeline.js';
import type { ProgressFactory } from './sync-progress.js';
import { syncSpec } from './sync-shape.js';
import { SyncStateStore } from './sync-state-store.js';
import type { SyncShape } from './sync-shape.js';
import { checkDrift, markDriftChecked, type DriftSummary } from './drift/check-drift.js';
import { applyHoldsSql, driftTables } from './drift/drift-sql.js';
import { diffSummary, type SyncSummary } from './sync-summary.js';

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
}

/**
 * One sync: diff in the warehouse (materialised, only changed records), guard removals, prepare the
 * destination, stream the diff through the pipeline, drop the state of records that left.
 */
export async function runSync(ctx: SyncRunContext, sync: Declared<SyncConfig>): Promise<SyncSummary> {
  const started = performance.now();
  const { warehouse, project } = ctx.stage;
  const d = warehouse.dialect;
  const shape = await loadSyncShape(warehouse, project, sync, ctx.factory.keyCaseInsensitive(sync.object, sync.match.field));
  const stateColumns = await SyncStateStore.ensureTables(warehouse, shape);
  const drift = sync.drift ? await driftBeforeDiff(ctx, shape) : undefined;
  const diff = d.scratchTable(shape.tables.diff);
  const select = compileDiffSelect(shape, d, { stateColumns, fullResync: ctx.fullResync });
  await warehouse.execute(d.createScratchTableAs(shape.tables.diff, `select row_number() over (order by op, match_key) as seq, x.*\nfrom (\n${select}\n) x`), {
    label: `diff ${sync.sync}`,
  });
  try {
    if (drift) for (const sql of applyHoldsSql(shape, d, diff, driftTables(shape).holds)) await warehouse.execute(sql, { label: `drift holds ${sync.sync}` });
    const counts = readDiffCounts(shape, (await warehouse.query(compileDiffCounts(shape, diff), { label: `count diff ${sync.sync}` }))[0]);
    const synced = Number((await warehouse.query(`select count(*) as n from ${d.table(shape.tables.state)}`))[0].n);
    const summary = diffSummary(shape, counts, synced);
    if (synced > 0 && (removalCount(counts) / synced) * 100 > sync.max_removals_pct) {
      throw new RunError(
        'too-many-removals',
        `sync '${sync.sync}' would remove ${removalCount(counts)} of ${synced} synced records (${summary.removalPct}%), more than max_removals_pct ${sync.max_removals_pct}; nothing was sent`,
        `check the build (a broken trait or segment empties audiences); if intended, raise max_removals_pct in ${sync.origin.file.file}`,
      );
    }
    const base = { sync: sync.sync, destination: sync.destination, object: sync.object, mode: sync.mode, diff: summary, ...(drift ? { drift } : {}) };
    const idle = { created: 0, updated: 0, cleared: 0, skipped: 0, gone: 0, added: 0, removed: 0 };
    const store = new SyncStateStore(warehouse, shape, ctx.stage.runId, ctx.queue, destinationScrubber(project.config.destinations[sync.destination]));
    if (counts.enter + counts.change === 0 && (sync.mode !== 'mirror' || counts.leaveWithState === 0)) {
      // Nothing to send (at most records that stop being synced): the destination is not contacted.
      if (counts.leave > 0) await store.forgetLeavers(sync.mode);
      if (drift) await markDriftChecked(warehouse, shape, new Date());
      return { ...base, status: 'success', sent: idle, rejected: 0, requests: drift?.requests ?? 0, retries: 0, rateLimited: 0, seconds: elapsed(started), notes: [] };
    }

    const { destination, transport } = await ctx.open();
    const before = transport.stats;
    const pendingWrites = counts.enter + counts.change + (sync.mode === 'mirror' ? counts.leaveWithState : 0);
    const prepared = await destination.prepare({ ...syncSpec(shape), pendingWrites }, transport);
    if (!prepared.ok) throw new ProjectError(prepared.diagnostics);
    for (const note of prepared.notes) ctx.stage.log(`  ${note}`);
    const progress = ctx.progress(sync.sync, counts.total);
    const pipeline = new SyncPipeline({ shape, target: prepared.target, transport, store, concurrency: 2 * destination.rateLimit.maxConcurrent, onProgress: (n) => progress.tick(n) });
    const options = { mode: sync.mode, fullResync: ctx.fullResync };
    try {
      for (let last = 0; ; ) {
        const rows = await ctx.queue.run(() => warehouse.query(`select * from ${diff} where seq > ${last} order by seq limit ${PAGE_ROWS}`, { label: `read diff ${sync.sync}` }));
        if (rows.length === 0) break;
        for (const row of rows) await pipeline.push(planRecord(shape, readDiffRecord(shape, row), options));
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
    if (drift) await markDriftChecked(warehouse, shape, new Date());

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
      seconds: elapsed(started),
      notes: prepared.notes,
    };
  } finally {
    await ctx.queue.run(() => warehouse.execute(d.dropScratchTable(shape.tables.diff))).catch(() => undefined);
  }
}

/** Reads the CRM's changes and repairs state before the diff (docs/drift.md); the destination is opened for it. */
async function driftBeforeDiff(ctx: SyncRunContext, shape: SyncShape): Promise<DriftSummary | undefined> {
  const { destination, transport } = await ctx.open();
  if (!destination.drift) return undefined;
  const reader = destination.drift;
  return ctx.queue.run(() => checkDrift({ warehouse: ctx.stage.warehouse, shape, reader, transport, requests: () => transport.stats.requests, runId: ctx.stage.runId }));
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started) / 1000;
}
