import type { LoadedProject } from '../config/load-project.js';
import type { Dialect, TableRef } from '../dialect/dialect.js';
import type { PlanStep } from '../model/plan.js';
import { ccSql, loopTables, type LoopTables } from './connected-components.js';
import { edgeStatements } from './edge-sql.js';
import { identityScratchCleanup, modeSql } from './run-identity.js';
import { identitySpec } from './identity-spec.js';
import { createIdentityTables, identityTables } from './identity-tables.js';
import { limitSql, valuesInserts, VETOED_COLUMNS } from './limit-guard.js';
import { groupedSql } from './observation-sql.js';
import { commitStatements, identifiersNextSql, internalStatements, stateStatements } from './publish-sql.js';
import { finalPartsSql, survivorshipStatements } from './survivorship-sql.js';
import { fullGraphSql, incrementalComponentsSql } from './update-components.js';

export interface CompileIdentityOptions {
  /** The run's reference time for link windows (default: now). */
  readonly asOf?: Date;
  readonly runId?: string;
}

/**
 * The identity stage of a full build (`cdp build --full-refresh`) as plan steps, for `cdp compile`.
 * The same builders produce the statements `runIdentity` sends. Data-dependent parts are shown as
 * templates: one round of the components loop (the CLI repeats it until no edge is left, then
 * composes the rounds' maps), and the per-type limit veto, which the CLI decides on the links the
 * `limits` step reads. Incremental builds send the diff / split / merge statements of
 * incremental-components.ts instead of the loop over every edge.
 */
export function compileIdentitySql(project: LoadedProject, dialect: Dialect, options: CompileIdentityOptions = {}): PlanStep[] {
  const d = dialect;
  const spec = identitySpec(project);
  const t = identityTables(spec.schema);
  const asOf = options.asOf ?? new Date();
  const runId = options.runId ?? '<run_id>';
  const loop = loopTables(t.scratch);
  const limitLoop = loopTables((n) => t.scratch(`limit_${n}`));
  const step = (id: string, label: string, statements: readonly string[]): PlanStep => ({ id: `identity.${id}`, stage: 'identity', label, statements });
  const round = (tables: LoopTables, edges: string, out: TableRef): string[] => componentsLoopSql(d, tables, edges, out);
  const session = d.unorderedSession();
  const inc = incrementalComponentsSql(d, t, spec.maxRounds);
  return [
    step('session', 'identity: session settings', session.enter),
    step('tables', 'identity: tables and reset', [
      d.createSchema(spec.schema),
      ...createIdentityTables(d, t),
      note(`the build reads the stored state and chooses its mode: full with --full-refresh, on the first build, after an unfinished build or another state version; else incremental:\n${modeSql(d, t)}`),
      ...stateStatements(d, t, 'running'),
      note('full builds only:'),
      ...[t.nodes, t.edges, t.graph, t.sizes].map((x) => `delete from ${d.table(x)} where 1 = 1`),
    ]),
    step('observations', 'identity: normalised identifiers per row group', groupedSql(d, spec, t, asOf)),
    step('links', 'identity: blocklist, windows, hubs, star edges', [
      ...edgeStatements(d, spec, t, asOf),
      d.createScratchTableAs(
        t.scratch('previous_limits'),
        `select n.node_key from ${d.table(t.review)} r join ${d.table(t.nodes)} n on n.id_type = r.id_type and n.id_value = r.id_value where r.reason = 'limit'`,
      ),
    ]),
    step('components', 'identity: connected components (full or incremental, chosen at run time)', [
      note('full build: the loop over every edge'),
      ...round(loop, d.scratchTable(t.scratch('edges')), t.scratch('full_cc')),
      ...fullGraphSql(d, t, spec.maxRounds),
      note('incremental build: diff the edges, split what lost an edge or node, add new nodes, merge by size'),
      ...inc.diff,
      inc.startTouched,
      ...inc.split.before,
      ...round(loopTables(inc.split.loop.scratch), inc.split.loop.edges, inc.split.loop.out),
      ...inc.split.after,
      ...inc.addNodes,
      ...inc.merge.before,
      ...round(loopTables(inc.merge.loop.scratch), inc.merge.loop.edges, inc.merge.loop.out),
      ...inc.merge.after,
      note(`read for the report:\n${inc.merge.absorbed}`),
      ...inc.merge.cleanup,
      ...inc.cleanup,
    ]),
    step('limits', 'identity: per-type limits (max_per_profile)', [
      limitSql.dropsTable(d, t),
      limitSql.violating(d, spec, t),
      `${note('read by the CLI, which vetoes links that would break a limit (strongest first) and inserts them into limit_drops:')}\n${limitSql.links(d, spec, t)}`,
      note(`in chunks of 500, one row (a, b, detail) per vetoed link:\n${vetoedInsertTemplate(d, d.scratchTable(t.scratch('limit_drops')))}`),
      ...round(limitLoop, limitSql.kept(d, t), t.scratch('limit_cc')),
      limitSql.labels(d, t),
      d.dropScratchTable(t.scratch('limit_cc')),
    ]),
    step('profiles', 'identity: profile ids by survivorship', [finalPartsSql(d, t), ...survivorshipStatements(d, spec, t, runId)]),
    step('publish', 'identity: publish identifiers, aliases and events', [
      ...internalStatements(d, spec, t),
      identifiersNextSql(d, t),
      d.beginTransaction(),
      ...commitStatements(d, t, runId),
      d.commitTransaction(),
    ]),
    step('cleanup', 'identity: drop scratch tables, restore the session', [...identityScratchCleanup(d, spec, t), ...session.exit]),
  ];
}

/**
 * The connected-components loop as compile writes it: rounds 1, 2 and 3 written out. The loop alternates its
 * two edge tables, so every later round repeats round 2 (even) or round 3 (odd) with its own map table cc_map_<r>.
 */
export function componentsLoopSql(d: Dialect, tables: LoopTables, edges: string, out: TableRef): string[] {
  return [
    ccSql.prepare(d, edges, tables.w),
    note(`round r = 1, 2, ... while this count is above 0:\n${ccSql.count(d, tables.w)}`),
    ...[1, 2, 3].flatMap((r) => {
      const [w, wNext] = r % 2 === 1 ? [tables.w, tables.wNext] : [tables.wNext, tables.w];
      return [
        note(`round ${r}${r === 3 ? ' (and every later odd round; round 2 stands for every later even round)' : ''}:`),
        ccSql.hook(d, w, tables.par),
        ...ccSql.firstJump(d, tables, r),
        note(`repeated while this count is above 0:\n${ccSql.count(d, tables.active)}`),
        ...ccSql.nextJump(d, tables, r),
        ...(r > 1 ? [ccSql.keepMap(d, tables, r)] : []),
        ccSql.contract(d, w, tables.settled(r), wNext),
      ];
    }),
    note('after the last round R, when R is 0 or 1:'),
    ccSql.composeStart(d, tables, 1),
    note('when R = 2:'),
    ccSql.composeStart(d, tables, 2),
    note('when R >= 3 (shown for R = 3), then for r = R-1 down to 2 (shown for r = 3 and 2):'),
    ccSql.composeStart(d, tables, 3),
    ccSql.composeRound(d, tables, 3),
    ccSql.composeRound(d, tables, 2),
    note('when R = 0 (no edges):'),
    ccSql.output(d, tables, 0, out),
    note('when R >= 1:'),
    ccSql.output(d, tables, 1, out),
    ...ccSql.cleanup(d, tables, 3),
    ];
}

/** The insert of vetoed links with its rows left out (`<rows>`): the rows are decided at run time. */
export function vetoedInsertTemplate(d: Dialect, target: string): string {
  return valuesInserts(d, target, VETOED_COLUMNS, [[0, 0, '']])[0].replace(/values\n[\s\S]*$/, 'values <rows>');
}

/**
 * A comment-only statement: every line of `text` behind `--`, so SQL shown as a template (a later
 * round, a loop condition) stays a comment in every dialect instead of running once.
 */
function note(text: string): string {
  return text
    .split('\n')
    .map((line) => `-- ${line}`)
    .join('\n');
}
