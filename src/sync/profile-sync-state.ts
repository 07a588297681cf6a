import type { LoadedProject } from '../config/load-project.js';
import { syncEntity, type SyncEntity } from '../config/sync-entity.js';
import type { Value, Warehouse } from '../warehouse/warehouse.js';
import { syncShape } from './sync-shape.js';
import { readTargets } from './sync-targets.js';

/** One person's state in one sync's destination, as cdp last confirmed it (`sync_state_<sync>`). */
export interface ProfileSyncState {
  readonly sync: string;
  readonly destination: string;
  readonly object: string;
  /** Null when the destination holds no record of this profile from cdp. */
  readonly record: {
    readonly destinationId: string | null;
    readonly matchKey: string | null;
    readonly syncedAt: Value;
    readonly fields: Readonly<Record<string, Value>>;
    readonly segments: Readonly<Record<string, boolean>>;
  } | null;
  /** This profile's latest rejections in `sync_log` (newest first). */
  readonly rejections: readonly { readonly runId: string; readonly operation: string; readonly code: string; readonly message: string }[];
}

/**
 * For every sync of the entity (person syncs by default; `account` for account syncs, whose state rows carry
 * the account_id in profile_id): the record cdp confirmed for this profile or account, and its latest rejections.
 */
export async function profileSyncStates(warehouse: Warehouse, project: LoadedProject, profileId: string, entity: SyncEntity['kind'] = 'person'): Promise<ProfileSyncState[]> {
  const d = warehouse.dialect;
  const out: ProfileSyncState[] = [];
  for (const sync of project.syncs.filter((s) => syncEntity(s).kind === entity)) {
    // The recorded targets name the columns (docs/sync-renames.md); retired ones are not shown.
    const shape = syncShape(project, sync, new Map(), false, await readTargets(warehouse, project, sync.sync));
    const base = { sync: sync.sync, destination: sync.destination, object: sync.object };
    const [row] = (await warehouse.tableExists(shape.tables.state))
      ? await warehouse.query(`select * from ${d.table(shape.tables.state)} where profile_id = ${d.literal(profileId)} order by synced_at desc limit 1`, { label: 'inspect: sync state' })
      : [];
    const rejections = (await warehouse.tableExists(shape.tables.log))
      ? await warehouse.query(
          `select run_id, operation, code, message from ${d.table(shape.tables.log)} where sync = ${d.literal(sync.sync)} and profile_id = ${d.literal(profileId)} order by ${d.quoteIdentifier('at')} desc limit 5`,
          { label: 'inspect: sync log' },
        )
      : [];
    out.push({
      ...base,
      record: row
        ? {
            destinationId: row.destination_id === null ? null : String(row.destination_id),
            matchKey: row.match_key === null ? null : String(row.match_key),
            syncedAt: row.synced_at ?? null,
            fields: Object.fromEntries(shape.fields.filter((f) => !f.retired).map((f) => [f.name, row[f.column.toLowerCase()] ?? null])),
            segments: Object.fromEntries(shape.segments.filter((s) => !s.retired).map((s) => [s.segment, row[s.column.toLowerCase()] === true])),
          }
        : null,
      rejections: rejections.map((r) => ({ runId: String(r.run_id), operation: String(r.operation), code: String(r.code ?? ''), message: String(r.message ?? '') })),
    });
  }
  return out;
}
