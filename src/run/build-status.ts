import type { LoadedProject } from '../config/load-project.js';
import { RunError } from '../diagnostics/diagnostic.js';
import { cdpTable } from '../model/relations.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/**
 * The build generation: one row in `_cdp_build` saying whether the identity, profiles and segments in
 * the warehouse are one finished build. A build marks it `building` before it replaces anything and
 * `published` after its last table, so a build that failed or died half-way leaves it `building`
 * (or `failed`), and sync refuses to send from it (docs/builds.md).
 *
 * "May this build feed a sync?" is answered here and only here (`syncableBuild`): a new gate on a
 * build's result belongs in that function.
 */
export type BuildState = 'building' | 'failed' | 'published';

export type Syncable = { readonly ok: true; readonly runId?: string } | { readonly ok: false; readonly runId: string; readonly state: BuildState; readonly message: string; readonly hint: string };

const TABLE = '_cdp_build';

export async function markBuild(warehouse: Warehouse, project: LoadedProject, runId: string, state: BuildState): Promise<void> {
  const d = warehouse.dialect;
  const table = d.table(cdpTable(project, TABLE));
  const str = d.typeName('string');
  await warehouse.execute(d.createSchema(project.config.schema));
  await warehouse.execute(`create table if not exists ${table} (run_id ${str}, state ${str}, changed_at ${str})`);
  await warehouse.transaction(
    [`delete from ${table} where 1 = 1`, `insert into ${table} (run_id, state, changed_at) values (${d.literal(runId)}, ${d.literal(state)}, ${d.literal(new Date().toISOString())})`],
    { label: `mark build ${state}` },
  );
}

/**
 * Whether the warehouse holds a finished build. No record at all (tables made by hand, or by a cdp
 * from before build generations) is allowed: there is no failed build to refuse.
 */
export async function syncableBuild(warehouse: Warehouse, project: LoadedProject): Promise<Syncable> {
  const ref = cdpTable(project, TABLE);
  if (!(await warehouse.tableExists(ref))) return { ok: true };
  const [row] = await warehouse.query(`select run_id, state from ${warehouse.dialect.table(ref)}`);
  if (row === undefined) return { ok: true };
  const runId = String(row.run_id);
  const state = String(row.state) as BuildState;
  if (state === 'published') return { ok: true, runId };
  return {
    ok: false,
    runId,
    state,
    message: `the last build (run ${runId}) ${state === 'failed' ? 'failed' : 'did not finish'}: identity, profiles and segments may not belong together, so nothing is synced`,
    hint: 'fix the build error (cdp history shows it) and run `cdp build` or `cdp run`; sync works again after a build succeeds',
  };
}

/** Throws `RunError('build-not-published')` (exit 1) unless the warehouse holds a finished build. */
export async function requireSyncableBuild(warehouse: Warehouse, project: LoadedProject): Promise<void> {
  const result = await syncableBuild(warehouse, project);
  if (!result.ok) throw new RunError('build-not-published', result.message, result.hint);
}
