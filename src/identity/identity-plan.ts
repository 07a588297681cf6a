import type { LoadedProject } from '../config/load-project.js';
import { RunError } from '../diagnostics/diagnostic.js';
import type { Dialect, TableRef } from '../dialect/dialect.js';
import { statementsStep, type PlanStep } from '../model/plan.js';
import { note } from '../model/print-plan.js';
import { blockedNodesStep } from './blocked-nodes-sql.js';
import { edgeStatements, perSourceScratch } from './edge-sql.js';
import { identitySpec, type IdentitySpec } from './identity-spec.js';
import { createIdentityTables, identityTables, type IdentityTables } from './identity-tables.js';
import { limitSteps } from './limit-guard.js';
import { fileGroups, groupedSql, keptFloor, keptFloors, keptFloorsSql, keptGroups, type FileGroups, type Kept } from './observation-sql.js';
import { createFileStampsTable, fileStampsTable } from '../model/compile-models.js';
import { createProfileChangesSql } from '../model/profile-changes.js';
import { STATE_VERSION, commitStatements, identifierScratchCleanup, identifiersCmpSql, identifiersNextSql, internalStatements, stateStatements } from './publish-sql.js';
import { finalPartsSql, survivorshipStatements } from './survivorship-sql.js';
import { componentsStep } from './update-components.js';
import { stampedSteps } from '../model/stamped-steps.js';

export interface IdentityPlanParams {
  /** The run's reference time for link windows. */
  readonly asOf: Date;
  readonly runId: string;
}

/**
 * The identity stage as plan steps (docs/architecture.md#parse-manifest-plan-execute), the one place its
 * order is written: `cdp build` executes them (build-identity.ts) and `cdp compile` writes them. Normalise and
 * guard every source's identifiers, build the link graph, keep its connected components up to date (the
 * mode decision `identity.mode`: incremental unless `--full-refresh`, a first build, or a build that did
 * not finish), split components that break per-type limits, carry profile ids over by survivorship, and
 * publish `identifiers`, `profile_aliases` and `profile_events` in one transaction. See CONTEXT.md.
 */
export function identityPlan(project: LoadedProject, d: Dialect, params: IdentityPlanParams): PlanStep[] {
  const spec = identitySpec(project);
  const t = identityTables(spec.schema);
  const step = (id: string, label: string, statements: readonly string[], transaction = false) =>
    statementsStep('identity', `identity.${id}`, `identity: ${label}`, statements, { transaction });
  const s = (name: string) => d.scratchTable(t.scratch(name));
  const running = step('running', 'mark running', stateStatements(d, t, 'running'));
  const session = d.unorderedSession();
  const kept = keptGroups(d, spec, t);
  const files = fileGroups(d, spec, t);
  const stamps = fileStampsTable(project);
  const steps: PlanStep[] = [
    step('tables', 'create tables', [
      d.createSchema(spec.schema),
      ...createIdentityTables(d, t),
      ...createProfileChangesSql(d, spec.schema),
      ...(files.length ? createFileStampsTable(project, d) : []),
    ]),
    ...kept.map((k) => keptTableStep(k)),
    {
      kind: 'decide',
      id: 'identity.mode',
      stage: 'identity',
      label: 'identity: mode',
      on: { query: modeSql(d, t) },
      choose: ({ rows, fullRefresh }) => (fullRefresh ? 'full' : chooseMode(rows)),
      branches: {
        full: {
          when: 'with --full-refresh, on the first build, after a build that did not finish or stored by another version',
          steps: [running, step('reset', 'reset', [t.nodes, t.blocked, t.edges, t.graph, t.sizes, t.settled, t.files, ...kept.map((k) => k.ref)].map((x) => `delete from ${d.table(x)} where 1 = 1`))],
        },
        incremental: { when: 'otherwise', steps: [running] },
      },
      say: (mode) => `  identity: ${mode} build`,
    },
    kept.length === 0
      ? step('observations', 'read sources', groupedSql(d, spec, t, params.asOf))
      : {
          kind: 'compute',
          id: 'identity.observations',
          stage: 'identity',
          label: 'identity: read sources',
          // Where each append source's kept groups end, read first: its rows before that are not read (keptFloors).
          read: keptFloorsSql(d, t),
          write: (rows) => ({ statements: groupedSql(d, spec, t, params.asOf, keptFloors(rows, params.asOf)) }),
          shown: observationsShown(d, spec, t, params.asOf),
        },
    ...files.map((f) => fileGroupsStep(f, params.asOf, stamps)),
    blockedNodesStep(d, spec, t),
    step('links', 'build links', [
      ...edgeStatements(d, spec, t, params.asOf),
      d.createScratchTableAs(
        t.scratch('previous_limits'),
        `select n.node_key from ${d.table(t.review)} r join ${d.table(t.nodes)} n on n.id_type = r.id_type and n.id_value = r.id_value where r.reason = 'limit'`,
      ),
    ]),
    componentsStep(d, t, spec.maxRounds),
    ...limitSteps(d, spec, t),
    step('profiles', 'profile ids by survivorship', [finalPartsSql(d, t), identifiersCmpSql(d, t), ...survivorshipStatements(d, spec, t, params.runId)]),
    // Before the review table is replaced: hubs now that were not hubs after the previous build.
    read('new_hubs', 'new hubs', `select count(*) as n from ${s('hubs')} h join ${s('value_nodes')} v on v.node_key = h.node_key
left join ${d.table(t.review)} r on r.reason = 'hub' and r.id_type = v.id_type and r.id_value = v.id_value
where r.reason is null`),
    step('store', 'store links and identifiers', [
      ...internalStatements(d, spec, t),
      ...identifiersNextSql(d, t),
      d.createScratchTableAs(t.scratch('profile_sizes'), `select profile_id, count(*) as n from ${s('identifiers_next')} group by profile_id`),
    ]),
    {
      ...read('orphans', 'identifiers without a profile', `select count(*) as n from ${s('identifiers_next')} where profile_id is null`),
      check: ([row]) =>
        Number(row?.n ?? 0) > 0
          ? new RunError('identity-state', `${row.n} identifiers lost their profile: the stored identity state is inconsistent`, 'run `cdp build --full-refresh`')
          : undefined,
    },
    {
      kind: 'hook',
      id: 'identity.report',
      stage: 'identity',
      label: 'identity: report',
      note: 'the build reads its report here (identity-report.ts); with fail_on_oversize, a profile over max_profile_size stops it before publishing',
    },
    step('publish', 'publish', commitStatements(d, t, params.runId), true),
    ...kept.map((k) => compactStep(d, t, k)),
    step('cleanup', 'clean up', identityScratchCleanup(d, spec, t)),
  ];
  return [{ kind: 'session', id: 'identity.session', stage: 'identity', label: 'identity: session settings', enter: session.enter, steps, exit: session.exit }];
}

/**
 * What compile shows for reading the sources: kept groups ending an hour before this build (the bound each read
 * starts from is a literal, read first), then the statements of a build with nothing kept yet.
 */
function observationsShown(d: Dialect, spec: IdentitySpec, t: IdentityTables, asOf: Date): string[] {
  const floor = keptFloor(new Date(asOf.getTime() - 3_600_000));
  const bounded = groupedSql(d, spec, t, asOf, new Map(spec.sources.filter((s) => s.append).map((s) => [s.name, floor])));
  const unbounded = groupedSql(d, spec, t, asOf).filter((x) => !bounded.includes(x));
  return [
    note("each append source's rows past its kept groups are read from a second before their `since` (_identity_settled, read first; shown for one hour before this build)"),
    ...bounded,
    ...(unbounded.length ? [note('when nothing is kept yet (a first or full build), these instead, without that bound:'), ...unbounded] : []),
  ];
}

/** An append source's kept row groups: their table is made again when missing or made another way (observation-sql.ts). */
function keptTableStep(k: Kept): PlanStep {
  const id = `identity.kept.${k.index}`;
  const label = `identity: kept groups of ${k.label}`;
  return stampedSteps({
    id,
    stage: 'identity',
    label,
    target: k.ref,
    storedSql: k.fingerprintSql,
    stamp: k.fingerprint,
    write: [statementsStep('identity', id, label, k.recreate())],
    // A full build empties them anyway (the reset below).
    refresh: false,
    differs: "the source's identifier columns, their normalisation, its timestamp, primary key or late_arrival changed",
  });
}

/** A source read from files: its kept row groups while its files are the ones they were made from, else a read (observation-sql.ts). */
function fileGroupsStep(f: FileGroups, asOf: Date, stamps: TableRef): PlanStep {
  const id = `identity.files.${f.index}`;
  const label = `identity: row groups of ${f.label}`;
  return {
    kind: 'decide',
    id,
    stage: 'identity',
    label,
    on: { query: f.keptSql(asOf, stamps) },
    choose: ({ rows: [row] }) => (Number(row?.n ?? 0) > 0 ? 'keep' : 'read'),
    branches: {
      keep: { when: "the source's files, its grouping and its known rows are those its kept groups were made from", steps: [statementsStep('identity', `${id}.keep`, label, f.keep())] },
      read: { when: 'otherwise (and after a full build emptied them)', steps: [statementsStep('identity', `${id}.read`, label, f.read(asOf, stamps))] },
    },
  };
}

/** An append source's kept row groups, grouped again once they have doubled since the last time (observation-sql.ts). */
function compactStep(d: Dialect, t: IdentityTables, k: Kept): PlanStep {
  const id = `identity.compact.${k.index}`;
  const label = `identity: compact kept groups of ${k.label}`;
  const sql = k.compact(t.scratch(`compact_${k.index}`));
  return {
    kind: 'decide',
    id,
    stage: 'identity',
    label,
    on: { query: k.sizeSql },
    choose: ({ rows: [row] }) => (Number(row?.n ?? 0) > 2 * Number(row?.compacted ?? 0) ? 'compact' : 'keep'),
    branches: {
      compact: {
        when: 'the kept groups have more than doubled since they were last compacted',
        steps: [
          statementsStep('identity', `${id}.before`, label, sql.before),
          statementsStep('identity', `${id}.swap`, label, sql.swap, { transaction: true }),
          statementsStep('identity', `${id}.after`, label, sql.after),
        ],
      },
      keep: { when: 'otherwise', steps: [] },
    },
  };
}

function read(id: string, label: string, sql: string) {
  return { kind: 'read', id: `identity.${id}`, stage: 'identity', label: `identity: ${label}`, sql } as const;
}

/** What the mode is decided on: the stored state rows. */
export function modeSql(d: Dialect, t: IdentityTables): string {
  return `select name, value from ${d.table(t.state)}`;
}

/** Incremental when the last build finished and stored this version's state; else full. */
function chooseMode(rows: readonly { readonly [column: string]: unknown }[]): 'full' | 'incremental' {
  const state = new Map(rows.map((r) => [String(r.name), String(r.value)]));
  return state.get('status') === 'ok' && state.get('version') === STATE_VERSION ? 'incremental' : 'full';
}

const SCRATCH = [
  'keyed', 'fresh', 'value_nodes', 'hub_candidates', 'hubs', 'edges', 'present', 'previous_limits', 'touched', 'violating',
  'limit_drops', 'limit_labels', 'final', 'sv_overlap', 'sv_part', 'sv_profile', 'sv_rank', 'sv_ids', 'assign',
  'profile_changes', 'identifiers_next', 'profile_sizes',
];

/** The scratch tables a finished identity stage drops. */
export function identityScratchCleanup(d: Dialect, spec: IdentitySpec, t: IdentityTables): string[] {
  const settle = keptGroups(d, spec, t).map((k) => d.dropScratchTable(k.next));
  return [...[...SCRATCH, ...perSourceScratch(spec)].map((name) => d.dropScratchTable(t.scratch(name))), ...identifierScratchCleanup(d, t), ...settle];
}
