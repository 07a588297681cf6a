import type { Declared, LoadedProject } from '../config/load-project.js';
import type { SyncConfig } from '../config/schema.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { compileDiffCounts, readDiffCounts } from './diff-counts.js';
import { compileDiffSelect, compileKeyReport, compileNewRefusedKeys } from './diff-sql.js';
import { keyRules } from './key-rules.js';
import { loadSyncShape } from './load-sync-shape.js';
import { compileStateCounts, readStateCounts, removalGates, type RemovalGate } from './removal-gates.js';
import type { MatchKeyReport } from './send-sync.js';
import { diffSummary, type DiffSummary } from './sync-summary.js';

export interface SyncPreview {
  readonly sync: string;
  readonly destination: string;
  readonly object: string;
  readonly mode: SyncConfig['mode'];
  readonly diff: DiffSummary;
  readonly match_keys: MatchKeyReport;
  /** Every removal gate, as `cdp sync` would evaluate it before sending. */
  readonly gates: readonly RemovalGate[];
  /** `cdp sync` would stop before sending: a removal gate is exceeded. */
  readonly exceedsMaxRemovals: boolean;
}

/**
 * `cdp plan` (the sync preview; "plan" inside the code is the compiled build plan): each sync's diff, counted in the warehouse, without sending anything or writing any
 * table (a sync whose state table does not exist yet diffs against nothing).
 */
export async function previewSyncs(warehouse: Warehouse, project: LoadedProject, syncs: readonly Declared<SyncConfig>[], fullResync: boolean): Promise<SyncPreview[]> {
  const d = warehouse.dialect;
  const previews: SyncPreview[] = [];
  for (const sync of syncs) {
    const shape = await loadSyncShape(warehouse, project, sync, keyRules(project, sync));
    const exists = await warehouse.tableExists(shape.tables.state);
    const stateColumns = exists ? new Set((await warehouse.columns(shape.tables.state)).map((c) => c.name.toLowerCase())) : undefined;
    const select = compileDiffSelect(shape, d, { stateColumns, fullResync });
    const counts = readDiffCounts(shape, (await warehouse.query(compileDiffCounts(shape, `(\n${select}\n) diff`), { label: `plan ${sync.sync}` }))[0]);
    const stateSql = compileStateCounts(shape, d, stateColumns);
    const state = readStateCounts(shape, stateSql ? (await warehouse.query(stateSql, { label: `plan state ${sync.sync}` }))[0] : undefined);
    const report = (await warehouse.query(compileKeyReport(shape, d), { label: `plan match keys ${sync.sync}` }))[0];
    const logged = await warehouse.tableExists(shape.tables.log);
    const refused = Number(report.refused_keys ?? 0);
    const fresh = logged && refused > 0 ? (await warehouse.query(compileNewRefusedKeys(shape, d), { label: `plan refused keys ${sync.sync}` })).length : refused;
    const gates = removalGates(shape, counts, state);
    previews.push({
      sync: sync.sync,
      destination: sync.destination,
      object: sync.object,
      mode: sync.mode,
      diff: diffSummary(shape, counts, state.records),
      match_keys: {
        on_collision: sync.match.on_collision,
        collided_keys: Number(report.collided_keys ?? 0),
        collided_profiles: Number(report.collided_profiles ?? 0),
        refused_keys: Number(report.refused_keys ?? 0),
        new_refused_keys: fresh,
      },
      gates,
      exceedsMaxRemovals: gates.some((g) => g.exceeded),
    });
  }
  return previews;
}
