import type { Declared, LoadedProject } from '../config/load-project.js';
import type { SyncConfig } from '../config/schema.js';
import { RunError } from '../diagnostics/diagnostic.js';
import type { SqlType } from '../dialect/dialect.js';
import { cdpTable } from '../model/relations.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { syncShape, type KeyRules, type SyncShape } from './sync-shape.js';
import { readTargets } from './sync-targets.js';

/**
 * The sync's shape, with trait types read from the built `profiles` table and the targets cdp last wrote
 * (`_cdp_sync_targets`: renamed targets become retired entries, docs/sync-renames.md). A missing table or
 * column means the build is older than the project files: a run error that says so.
 */
export async function loadSyncShape(warehouse: Warehouse, project: LoadedProject, sync: Declared<SyncConfig>, key: KeyRules): Promise<SyncShape> {
  const profiles = cdpTable(project, 'profiles');
  const build = 'run `cdp build` (or `cdp run`) first';
  if (!(await warehouse.tableExists(profiles))) throw new RunError('not-built', `${profiles.schema}.profiles does not exist`, build);
  const types = new Map<string, SqlType>((await warehouse.columns(profiles)).map((c) => [c.name.toLowerCase(), c.sqlType ?? 'string']));
  const traits = [...(sync.match.trait !== undefined ? [sync.match.trait] : []), ...Object.values(sync.fields)];
  const missing = [...new Set(traits.filter((t) => !types.has(t.toLowerCase())))];
  if (missing.length > 0) {
    throw new RunError('not-built', `sync '${sync.sync}' needs trait${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}, which ${profiles.schema}.profiles lacks`, build);
  }
  const needsMembers = sync.audience !== 'all' || Object.keys(sync.segments).length > 0;
  const members = cdpTable(project, 'segment_members');
  if (needsMembers && !(await warehouse.tableExists(members))) throw new RunError('not-built', `${members.schema}.segment_members does not exist`, build);
  const identifiers = cdpTable(project, 'identifiers');
  if (sync.match.id_type !== undefined && !(await warehouse.tableExists(identifiers))) {
    throw new RunError('not-built', `sync '${sync.sync}' matches on id_type ${sync.match.id_type}, but ${identifiers.schema}.identifiers does not exist`, build);
  }
  const shape = syncShape(project, sync, types, key, await readTargets(warehouse, project, sync.sync));
  const review = cdpTable(project, '_identity_review');
  const erasures = cdpTable(project, 'erasures');
  const withReview = sync.match.id_type !== undefined && (await warehouse.tableExists(review));
  const withErasures = (await warehouse.tableExists(erasures)) && (await warehouse.tableExists(identifiers));
  return { ...shape, tables: { ...shape.tables, ...(withReview ? { review } : {}), ...(withErasures ? { erasures } : {}) } };
}
