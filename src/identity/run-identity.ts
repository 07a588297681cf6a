import { RunError } from '../diagnostics/diagnostic.js';
import type { StageContext } from '../model/stage-context.js';
import type { Dialect } from '../dialect/dialect.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { edgeStatements, perSourceScratch } from './edge-sql.js';
import { collectReport, type IdentityReport } from './identity-report.js';
import { identitySpec, type IdentitySpec } from './identity-spec.js';
import { createIdentityTables, identityTables, type IdentityTables } from './identity-tables.js';
import { applyLimits } from './limit-guard.js';
import { groupedSql } from './observation-sql.js';
import { STATE_VERSION, commitStatements, identifiersNextSql, internalStatements, stateStatements } from './publish-sql.js';
import { finalPartsSql, survivorshipStatements } from './survivorship-sql.js';
import { updateComponents, type IdentityMode } from './update-components.js';

/**
 * The identity stage of `cdp build` (runs after models and sources): normalise and guard every
 * source's identifiers, build the link graph, keep its connected components up to date
 * (incrementally unless `fullRefresh`, a first run, or a previous run that did not finish), split
 * components that break per-type limits, carry profile ids over by survivorship, and publish
 * `identifiers`, `profile_aliases` and `profile_events`. See CONTEXT.md.
 */
export async function runIdentity(ctx: StageContext): Promise<IdentityReport> {
  const session = ctx.warehouse.dialect.unorderedSession();
  for (const sql of session.enter) await ctx.warehouse.execute(sql, { label: 'identity: session' });
  try {
    return await buildIdentity(ctx);
  } finally {
    for (const sql of session.exit) await ctx.warehouse.execute(sql, { label: 'identity: session' });
  }
}

async function buildIdentity(ctx: StageContext): Promise<IdentityReport> {
  const started = performance.now();
  const w = ctx.warehouse;
  const d = w.dialect;
  const spec = identitySpec(ctx.project);
  const t = identityTables(spec.schema);
  const exec = async (sqls: string | readonly string[], label: string) => {
    for (const sql of typeof sqls === 'string' ? [sqls] : sqls) await w.execute(sql, { label: `identity: ${label}` });
  };

  await exec([d.createSchema(spec.schema), ...createIdentityTables(d, t)], 'create tables');
  const mode = await chooseMode(w, t, ctx.fullRefresh);
  ctx.log(`  identity: ${mode} build`);
  await exec(stateStatements(d, t, 'running'), 'mark running');
  if (mode === 'full') await exec([t.nodes, t.edges, t.graph, t.sizes].map((x) => `delete from ${d.table(x)} where 1 = 1`), 'reset');

  await exec(groupedSql(d, spec, t, ctx.asOf), 'read sources');
  await exec(edgeStatements(d, spec, t, ctx.asOf), 'build links');
  await exec(
    d.createScratchTableAs(
      t.scratch('previous_limits'),
      `select n.node_key from ${d.table(t.review)} r join ${d.table(t.nodes)} n on n.id_type = r.id_type and n.id_value = r.id_value where r.reason = 'limit'`,
    ),
    'previous limits',
  );
  const components = await updateComponents(w, t, mode, spec.maxRounds);
  const limits = await applyLimits(w, spec, t);
  await exec(finalPartsSql(d, t), 'changed profiles');
  await exec(survivorshipStatements(d, spec, t, ctx.runId), 'profile ids');
  // Before the review table is replaced: hubs now that were not hubs after the previous build.
  const [newHubs] = await w.query(
    `select count(*) as n from ${d.scratchTable(t.scratch('hubs'))} h join ${d.scratchTable(t.scratch('value_nodes'))} v on v.node_key = h.node_key
left join ${d.table(t.review)} r on r.reason = 'hub' and r.id_type = v.id_type and r.id_value = v.id_value
where r.reason is null`,
    { label: 'identity: new hubs' },
  );
  await exec(internalStatements(d, spec, t), 'store links');
  await exec(identifiersNextSql(d, t), 'identifiers');

  const [orphans] = await w.query(`select count(*) as n from ${d.scratchTable(t.scratch('identifiers_next'))} where profile_id is null`);
  if (Number(orphans?.n ?? 0) > 0) {
    throw new RunError('identity-state', `${orphans.n} identifiers lost their profile: the stored identity state is inconsistent`, 'run `cdp build --full-refresh`');
  }
  const report = await collectReport(w, t, {
    mode,
    rounds: components.rounds + limits.rounds,
    edgesAdded: components.edgesAdded,
    edgesRemoved: components.edgesRemoved,
    droppedByLimit: limits.dropped,
    maxProfileSize: spec.maxProfileSize,
    newHubs: Number(newHubs?.n ?? 0),
    started,
  });
  if (spec.failOnOversize && report.oversized.length > 0) {
    const first = report.oversized[0];
    throw new RunError(
      'identity-oversize',
      `${report.oversized.length} profile(s) exceed max_profile_size ${spec.maxProfileSize} (largest ${first.profileId} with ${first.identifiers} identifiers); identity was not published`,
      'a value shared by many people is usually the cause: lower max_links_per_value, add it to the blocklist, or set per-type limits',
    );
  }
  await w.transaction(commitStatements(d, t, ctx.runId), { label: 'identity: publish' });
  await exec(identityScratchCleanup(d, spec, t), 'clean up');
  return report;
}

/** Full when asked, on the first run, after an unfinished run, or when the stored state is from another version. */
async function chooseMode(w: Warehouse, t: IdentityTables, fullRefresh: boolean): Promise<IdentityMode> {
  if (fullRefresh) return 'full';
  const rows = await w.query(modeSql(w.dialect, t), { label: 'identity: state' });
  const state = new Map(rows.map((r) => [String(r.name), String(r.value)]));
  return state.get('status') === 'ok' && state.get('version') === STATE_VERSION ? 'incremental' : 'full';
}

/** What the mode is decided on: the stored state rows. */
export function modeSql(d: Dialect, t: IdentityTables): string {
  return `select name, value from ${d.table(t.state)}`;
}

const SCRATCH = [
  'values', 'fresh', 'value_nodes', 'hub_candidates', 'hubs', 'edges', 'present', 'previous_limits', 'touched', 'violating',
  'limit_drops', 'limit_labels', 'final', 'sv_overlap', 'sv_part', 'sv_profile', 'sv_rank', 'sv_ids', 'assign',
  'profile_changes', 'identifiers_next',
];

/** The scratch tables a finished identity stage drops (also the last step `cdp compile` writes). */
export function identityScratchCleanup(d: Dialect, spec: IdentitySpec, t: IdentityTables): string[] {
  return [...SCRATCH, ...perSourceScratch(spec)].map((name) => d.dropScratchTable(t.scratch(name)));
}
