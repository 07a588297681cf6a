import type { Declared, LoadedProject } from '../config/load-project.js';
import type { SyncConfig } from '../config/schema.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { compileDiffCounts, readDiffCounts, removalCount } from './diff-counts.js';
import { compileDiffSelect } from './diff-sql.js';
import { loadSyncShape } from './load-sync-shape.js';
import { destinationFactory } from '../destinations/destinations.js';
import { diffSummary, type DiffSummary } from './sync-summary.js';

export interface SyncPlan {
  readonly sync: string;
  readonly destination: string;
  readonly object: string;
  readonly mode: SyncConfig['mode'];
  readonly diff: DiffSummary;
  /** `cdp sync` would stop before sending: more removals than max_removals_pct. */
  readonly exceedsMaxRemovals: boolean;
}

/**
 * `cdp plan`: each sync's diff, counted in the warehouse, without sending anything or writing any
 * table (a sync whose state table does not exist yet diffs against nothing).
 */
export async function planProject(warehouse: Warehouse, project: LoadedProject, syncs: readonly Declared<SyncConfig>[], fullResync: boolean): Promise<SyncPlan[]> {
  const d = warehouse.dialect;
  const plans: SyncPlan[] = [];
  for (const sync of syncs) {
    const shape = await loadSyncShape(warehouse, project, sync, keyCaseInsensitive(project, sync));
    const exists = await warehouse.tableExists(shape.tables.state);
    const stateColumns = exists ? new Set((await warehouse.columns(shape.tables.state)).map((c) => c.name.toLowerCase())) : undefined;
    const select = compileDiffSelect(shape, d, { stateColumns, fullResync });
    const counts = readDiffCounts(shape, (await warehouse.query(compileDiffCounts(shape, `(\n${select}\n) diff`), { label: `plan ${sync.sync}` }))[0]);
    const synced = exists ? Number((await warehouse.query(`select count(*) as n from ${d.table(shape.tables.state)}`))[0].n) : 0;
    plans.push({
      sync: sync.sync,
      destination: sync.destination,
      object: sync.object,
      mode: sync.mode,
      diff: diffSummary(shape, counts, synced),
      exceedsMaxRemovals: synced > 0 && (removalCount(counts) / synced) * 100 > sync.max_removals_pct,
    });
  }
  return plans;
}

/** How the destination compares match keys; for a destination this cdp cannot sync to yet, emails ignore case. */
function keyCaseInsensitive(project: LoadedProject, sync: Declared<SyncConfig>): boolean {
  const config = project.config.destinations[sync.destination];
  const factory = config ? destinationFactory(config.type) : undefined;
  return factory ? factory.keyCaseInsensitive(sync.object, sync.match.field) : /email/i.test(sync.match.field);
}
