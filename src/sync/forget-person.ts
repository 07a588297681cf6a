import { createHash } from 'node:crypto';
import type { LoadedProject } from '../config/load-project.js';
import type { Dialect, TableRef } from '../dialect/dialect.js';
import { identitySpec } from '../identity/identity-spec.js';
import { identityTables } from '../identity/identity-tables.js';
import { inspectIdentity } from '../identity/inspect-identity.js';
import type { StageContext } from '../model/stage-context.js';
import { cdpTable } from '../model/relations.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { compileDiffCounts, readDiffCounts } from './diff-counts.js';
import { keyRules } from './key-rules.js';
import { loadSyncShape } from './load-sync-shape.js';
import { discardSync, sendSync, type SyncRunContext } from './send-sync.js';
import { STATE_KEY_COLUMNS, type SyncShape } from './sync-shape.js';
import { diffSummary } from './sync-summary.js';

/** What `cdp forget` did (keys are snake_case: this is the `--json` summary). */
export interface ForgetResult {
  readonly id_type: string;
  readonly id_value: string;
  readonly profile_ids: readonly string[];
  readonly syncs: readonly { readonly sync: string; readonly records: number; readonly cleared: number; readonly removed: number; readonly rejected: number }[];
  /** Rows deleted from cdp's own tables, per table; empty when a destination refused something (nothing deleted, re-run). */
  readonly deleted: Readonly<Record<string, number>>;
  readonly rejected: number;
}

/** The `erasures` table: the audit row of each `cdp forget`, also what keeps the person out of every later sync. */
export function erasuresTable(project: LoadedProject): TableRef {
  return cdpTable(project, 'erasures');
}

/** `md5("<type>:<value>")` of a normalised identifier: how `erasures` names a person without keeping the value. */
export function erasureHash(idType: string, idValue: string): string {
  return createHash('md5').update(`${idType}:${idValue}`).digest('hex');
}

/**
 * Erasure (docs/guarantees.md#consent-and-erasure). For every sync: the records cdp synced for the
 * person (by profile id, or by the value as match key) are sent as in mirror mode: memberships cdp
 * added are removed, boolean segment fields set to false and fields cdp set cleared; their state rows
 * go once confirmed. Then the person's rows are deleted from cdp's own tables and an audit row is
 * written to `erasures`, which keeps any profile holding one of the person's identifiers out of every
 * later sync. Records are not deleted in the CRM. When a destination refuses something, cdp's tables
 * are left as they are so that running `cdp forget` again retries.
 */
export async function forgetPerson(stage: StageContext, context: (shape: SyncShape) => SyncRunContext, idType: string, value: string): Promise<ForgetResult> {
  const { warehouse, project } = stage;
  const d = warehouse.dialect;
  const identity = await inspectIdentity(warehouse, project, idType, value);
  const normalised = identity.query.idValue;
  const profileIds = identity.found ? [identity.profileId, ...identity.aliases] : [];
  const identifiers = identity.found ? identity.identifiers.map((i) => ({ type: i.idType, value: i.idValue })) : [{ type: idType, value: normalised }];
  const lit = (v: string) => d.literal(v);

  const syncs: ForgetResult['syncs'][number][] = [];
  for (const declared of project.syncs) {
    const sync = { ...declared, mode: 'mirror' as const };
    const shape = await loadSyncShape(warehouse, project, sync, keyRules(project, declared));
    if (!(await warehouse.tableExists(shape.tables.state))) continue;
    const keys = [...new Set(identifiers.map((i) => (shape.keyCaseInsensitive ? i.value.toLowerCase() : i.value)))];
    const who = [
      ...(profileIds.length > 0 ? [`profile_id in (${profileIds.map(lit).join(', ')})`] : []),
      `match_key in (${keys.map(lit).join(', ')})`,
    ].join(' or ');
    await warehouse.execute(d.createScratchTableAs(shape.tables.diff, leaveAllSql(shape, d, who)), { label: `forget ${sync.sync}` });
    const ctx = context(shape);
    const counts = readDiffCounts(shape, (await warehouse.query(compileDiffCounts(shape, d.scratchTable(shape.tables.diff))))[0]);
    if (counts.total === 0) {
      await discardSync(ctx, shape);
      continue;
    }
    const keysReport = { on_collision: sync.match.on_collision, collided_keys: 0, collided_profiles: 0, refused_keys: 0, new_refused_keys: 0 };
    const summary = await sendSync(ctx, { sync, shape, counts, diff: diffSummary(shape, counts, counts.total), gates: [], keys: keysReport, newRefused: [], prepareSeconds: 0 });
    syncs.push({ sync: sync.sync, records: counts.total, cleared: summary.sent.cleared, removed: summary.sent.removed, rejected: summary.rejected });
  }
  const rejected = syncs.reduce((n, s) => n + s.rejected, 0);
  const deleted = rejected > 0 ? {} : await deleteOwnRows(warehouse, project, profileIds, identifiers);
  if (rejected === 0) await recordErasure(warehouse, project, stage.runId, idType, normalised, identifiers, profileIds.length, syncs.reduce((n, s) => n + s.records, 0));
  return { id_type: idType, id_value: normalised, profile_ids: profileIds, syncs, deleted, rejected };
}

/** The person's state rows as a diff in which every record leaves (the columns `readDiffRecord` reads). */
function leaveAllSql(shape: SyncShape, d: Dialect, who: string): string {
  const q = (c: string) => d.quoteIdentifier(c);
  const str = d.cast('null', 'string');
  const cols = [
    `row_number() over (order by ${q('match_key')}) as seq`,
    ...STATE_KEY_COLUMNS.filter((c) => c !== 'synced_at').map(q),
    `'leave' as op`,
    ...shape.fields.flatMap((f, i) => [`${str} as v${i}`, `${str} as t${i}`, `${q(f.column)} as s${i}`, `false as c${i}`]),
    ...shape.segments.flatMap((s, j) => [`false as d${j}`, `coalesce(${q(s.column)}, false) as sm${j}`, `false as a${j}`, `false as r${j}`]),
  ];
  return `select ${cols.join(', ')} from ${d.table(shape.tables.state)} where ${who}`;
}

/** Identity's kept row groups (observation-sql.ts) with one of the person's identifiers in a column of its type. */
function keptGroupTargets(project: LoadedProject, d: Dialect, identifiers: readonly { type: string; value: string }[]): [string, string][] {
  const t = identityTables(project.config.schema);
  return identitySpec(project).sources.flatMap((source) => {
    const table = source.append ? t.settledRows(source.name) : source.files ? t.fileGroups(source.name) : undefined;
    const tests = source.identifiers.flatMap((c, j) => {
      const mine = identifiers.filter((i) => i.type === c.type.name).map((i) => d.literal(i.value));
      return mine.length > 0 ? [`v${j} in (${mine.join(', ')})`] : [];
    });
    return table && tests.length > 0 ? [[table.name, tests.join(' or ')] as [string, string]] : [];
  });
}

async function deleteOwnRows(warehouse: Warehouse, project: LoadedProject, profileIds: readonly string[], identifiers: readonly { type: string; value: string }[]): Promise<Record<string, number>> {
  const d = warehouse.dialect;
  const ids = profileIds.map((p) => d.literal(p)).join(', ');
  const values = identifiers.map((i) => `(id_type = ${d.literal(i.type)} and id_value = ${d.literal(i.value)})`).join(' or ');
  const nodeTable = cdpTable(project, '_identity_nodes');
  const nodes = (await warehouse.tableExists(nodeTable)) ? `select node_key from ${d.table(nodeTable)} where ${values}` : 'select null';
  const targets: [string, string][] = [
    ...(profileIds.length > 0
      ? ([
          ['identifiers', `profile_id in (${ids})`],
          ['profiles', `profile_id in (${ids})`],
          ['segment_members', `profile_id in (${ids})`],
          ['segment_changes', `profile_id in (${ids})`],
          ['profile_aliases', `profile_id in (${ids}) or old_profile_id in (${ids})`],
          ['profile_events', `from_profile_id in (${ids}) or to_profile_id in (${ids})`],
          ['sync_log', `profile_id in (${ids})`],
          ['profile_changes', `profile_id in (${ids})`],
        ] as [string, string][])
      : []),
    ['_identity_review', values],
    ['_identity_moves', values],
    // identity's kept row groups hold the values too (normalised, as identifiers do)
    ...keptGroupTargets(project, d, identifiers),
    // what incremental profiles builds remember of the values: the next profiles build is then a full one (below)
    ['profiles_identifiers', values],
    ['profiles_raw_ids', `id_value in (${identifiers.map((i) => d.literal(i.value)).join(', ')})`],
    // identity's own memory of the values: the next build of identity is then a full one (below)
    ['_identity_edges', `a in (${nodes}) or b in (${nodes})`],
    ['_identity_graph', `node_key in (${nodes})`],
    ['_identity_nodes', values],
  ];
  const deleted: Record<string, number> = {};
  const statements: string[] = [];
  for (const [name, where] of targets) {
    const table = cdpTable(project, name);
    if (!(await warehouse.tableExists(table))) continue;
    deleted[name] = Number((await warehouse.query(`select count(*) as n from ${d.table(table)} where ${where}`))[0].n);
    statements.push(`delete from ${d.table(table)} where ${where}`);
  }
  // Every sync diffs everything once more, and no sync keeps this person's keys as pending (docs/incremental.md#syncs).
  for (const name of ['sync_positions', 'sync_pending']) {
    const table = cdpTable(project, name);
    if (await warehouse.tableExists(table)) statements.push(`delete from ${d.table(table)} where 1 = 1`);
  }
  const profilesState = cdpTable(project, 'profiles_state');
  if (await warehouse.tableExists(profilesState)) statements.push(`delete from ${d.table(profilesState)} where 1 = 1`);
  const state = cdpTable(project, '_identity_state');
  if (await warehouse.tableExists(state)) {
    statements.push(`update ${d.table(state)} set value = 'erased' where name = 'status'`, `delete from ${d.table(state)} where name = 'profiles'`);
  }
  if (statements.length > 0) await warehouse.transaction(statements, { label: 'forget: cdp tables' });
  return deleted;
}

async function recordErasure(
  warehouse: Warehouse,
  project: LoadedProject,
  runId: string,
  idType: string,
  value: string,
  identifiers: readonly { type: string; value: string }[],
  profiles: number,
  records: number,
): Promise<void> {
  const d = warehouse.dialect;
  const table = erasuresTable(project);
  const s = d.typeName('string');
  await warehouse.execute(
    `create table if not exists ${d.table(table)} (run_id ${s}, requested ${s}, id_hash ${s}, profiles ${d.typeName('integer')}, records ${d.typeName('integer')}, erased_at ${d.typeName('timestamp')})`,
  );
  const requested = erasureHash(idType, value);
  const now = d.timestampLiteral(new Date());
  const rows = [...new Set(identifiers.map((i) => erasureHash(i.type, i.value)))].map(
    (hash) => `(${d.literal(runId)}, ${d.literal(requested)}, ${d.literal(hash)}, ${profiles}, ${records}, ${now})`,
  );
  await warehouse.execute(`insert into ${d.table(table)} (run_id, requested, id_hash, profiles, records, erased_at) values ${rows.join(', ')}`, { label: 'forget: audit row' });
}
