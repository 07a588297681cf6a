import type { Declared, LoadedProject } from '../config/load-project.js';
import type { SourceConfig } from '../config/schema.js';
import type { Dialect } from '../dialect/dialect.js';
import { statementsStep, type PlanStep } from '../model/plan.js';
import { note } from '../model/print-plan.js';
import { cdpTable } from '../model/relations.js';
import { replaceTableSteps } from '../model/replace-table-steps.js';
import { createProfileChangesSql, logEverythingSql, logProfilesSql, pruneProfileChangesSql } from '../model/profile-changes.js';
import type { Row } from '../warehouse/warehouse.js';
import { segmentSql } from './compile-segments.js';
import { compileTraitsSelect, type SourceColumnTypes } from './compile-traits.js';
import { partSources } from './trait-parts.js';
import {
  appendTailStatements,
  boundsSql,
  changedIdentifiersSql,
  exampleBounds,
  readBounds,
  type Bounds,
  chooseProfilesMode,
  commitIncrementalState,
  createIncrementalTables,
  incrementalScratchCleanup,
  incrementalSources,
  incrementalTables,
  rawIdsStatements,
  snapshotRowsStatements,
  touchedIdentifiersSql,
  touchedStatements,
  traitsFingerprint,
  type ChangedRows,
  EVERY_SOURCE,
} from './incremental-profiles.js';

export interface ProfilesPlanParams {
  readonly runId: string;
  readonly asOf: Date;
  /** A source's rows with `_cdp_profile_id` (identity/row-profile-select.ts in a build). */
  readonly rowsOf: (source: string) => string;
  /** Source column types, when known: `cdp build` reads them from the warehouse and casts traits to them. */
  readonly columnTypes?: SourceColumnTypes;
  /** How an incremental build reads sources (docs/incremental.md); without it every build is a full one. */
  readonly changedRows?: ChangedRows;
}

/**
 * The profiles and segments stages as plan steps, the one place their order is written (`cdp build` runs
 * them through build-profiles.ts, `cdp compile` writes them): `profiles` replaced atomically, the driver's
 * clean-up of non-finite trait values (hook `profiles.non_finite`), every segment evaluated, this run's
 * entries and exits recorded in `segment_changes` (segments renamed in the model keep their members), and
 * `segment_members` replaced with entered_at kept for members who stay.
 */
export function profilesPlan(project: LoadedProject, d: Dialect, params: ProfilesPlanParams): PlanStep[] {
  const profiles = cdpTable(project, 'profiles');
  const build = (rowsOf: (source: string) => string) =>
    replaceTableSteps(
      d,
      'profiles',
      'profiles',
      'build profiles',
      profiles,
      compileTraitsSelect(project, d, {
        rowsOf,
        profileIds: `(select distinct profile_id from ${d.table(cdpTable(project, 'identifiers'))})`,
        asOf: params.asOf,
        columnTypes: params.columnTypes,
      }),
    );
  const sources = params.changedRows ? incrementalSources(project) : undefined;
  if (!sources || !params.changedRows) return [logEverythingStep(project, d), ...build(params.rowsOf), ...segmentsSteps(project, d, params)];
  return incrementalProfilesSteps(project, d, params, { sources, changedRows: params.changedRows, build });
}

/**
 * The profiles stage when every trait source declares how it changes (docs/incremental.md): a decision
 * `profiles.mode` between the full build and recomputing only the touched profiles, the segments, then the
 * state the next build compares with, stored in one transaction.
 */
function incrementalProfilesSteps(
  project: LoadedProject,
  d: Dialect,
  params: ProfilesPlanParams,
  parts: { readonly sources: readonly Declared<SourceConfig>[]; readonly changedRows: ChangedRows; readonly build: (rowsOf: (source: string) => string) => PlanStep[] },
): PlanStep[] {
  const { sources, changedRows } = parts;
  const t = incrementalTables(project);
  const profiles = cdpTable(project, 'profiles');
  const identifiers = d.table(cdpTable(project, 'identifiers'));
  const touched = d.scratchTable(t.touched);
  const traitsFor = (asOf: Date, rowsOf: (source: string) => string, profileIds: string) =>
    compileTraitsSelect(project, d, { rowsOf, profileIds, asOf, columnTypes: params.columnTypes });
  // The row fingerprint is part of it: stored row hashes of another kind are not compared, the build is full.
  const fingerprint = traitsFingerprint(`${traitsFor(new Date(0), params.rowsOf, '<profiles>')}\n${d.rowFingerprint('r')}`, sources);
  // Sources whose traits a profile keeps from their parts when only new rows or time changed them (trait-parts.ts).
  const parted = partSources(sources, project.traits, params.columnTypes);
  const recompute = d.scratchTable(t.recompute);
  const recomputedFor = (source: string) =>
    `select distinct c.profile_id from ${recompute} c where c.src = ${d.stringLiteral(EVERY_SOURCE)} or c.src = ${d.stringLiteral(source)}`;
  // The touched profiles' next rows: a source's traits are recomputed, from the rows with an identifier of a profile
  // recomputed, only for the sources some profile needs them from (`read` lists them; `*` is every source).
  const next = (recomputed: ReadonlySet<string>) =>
    d.createScratchTableAs(
      t.next,
      compileTraitsSelect(project, d, {
        rowsOf: (source) => `select * from (${changedRows(source, { within: d.scratchTable(t.touchedIds), rawIds: t.rawIds })}) x where x._cdp_profile_id in (${recomputedFor(source)})`,
        profileIds: `(select profile_id from ${touched} where profile_id in (select profile_id from ${identifiers}))`,
        asOf: params.asOf,
        columnTypes: params.columnTypes,
        kept: {
          stored: d.table(profiles),
          recomputed: (source) => (recomputed.has(EVERY_SOURCE) || recomputed.has(source) ? `(${recomputedFor(source)})` : undefined),
          parts: (source) => (parted.has(source) ? d.scratchTable(t.parts(source)) : undefined),
        },
      }),
    );
  // The touched profiles' rows are replaced in place, in one transaction: the rest of `profiles` is not rewritten.
  const columns = ['profile_id', ...project.traits.map((tr) => tr.name)].map((c) => d.quoteIdentifier(c)).join(', ');
  const update = [
    logProfilesSql(d, project.config.schema, `select profile_id from ${touched}`),
    `delete from ${d.table(profiles)} where profile_id in (select profile_id from ${touched}) or profile_id not in (select profile_id from ${identifiers})`,
    `insert into ${d.table(profiles)} (${columns})\nselect ${columns} from ${d.scratchTable(t.next)}`,
  ];
  const step = (id: string, label: string, statements: readonly string[], transaction = false) => statementsStep('profiles', `profiles.${id}`, label, statements, { transaction });
  const snapshots = snapshotRowsStatements(project, d, sources, changedRows);
  // Rows are mapped to profiles through the raw identifier values, so the map takes this build's values first.
  const findTouched = (bounds: Bounds) => [
    ...rawIdsStatements(project, d, sources, bounds),
    ...snapshotRowsStatements(project, d, sources, changedRows, bounds.unchanged),
    ...appendTailStatements(project, d, sources, changedRows, bounds, params.asOf, parted),
    d.createScratchTableAs(t.changedIds, changedIdentifiersSql(project, d, bounds)),
    ...touchedStatements(project, d, sources, changedRows, params.asOf, bounds, parted),
    d.createScratchTableAs(t.touchedIds, touchedIdentifiersSql(project, d)),
  ];
  return [
    step('state', 'incremental state tables', createIncrementalTables(project, d, sources)),
    {
      kind: 'decide',
      id: 'profiles.mode',
      stage: 'profiles',
      label: 'profiles: mode',
      on: { query: `select name, value, ts from ${d.table(t.state)}` },
      choose: ({ rows, fullRefresh }) => chooseProfilesMode(rows, fingerprint, params.asOf, fullRefresh),
      branches: {
        full: {
          when: 'with --full-refresh, on the first build, after the traits changed, or when --as-of went back',
          steps: [
            logEverythingStep(project, d),
            // Every raw identifier value first: rows then find their profile through the map, normalising each value once.
            step('raw_ids', 'map raw identifier values', rawIdsStatements(project, d, sources, undefined)),
            ...parts.build((source) => changedRows(source, { rawIds: t.rawIds, mapByRawIds: true })),
            ...(snapshots.length ? [step('snapshot_rows', 'hash snapshot rows', snapshots)] : []),
          ],
        },
        incremental: {
          when: 'otherwise: only the profiles touched since the last build are recomputed',
          steps: [
            {
              kind: 'compute',
              id: 'profiles.touched',
              stage: 'profiles',
              label: 'find touched profiles',
              read: boundsSql(project, d, sources),
              write: (rows) => ({ statements: findTouched(readBounds(rows)) }),
              // Compile shows the statements for a last build one hour before this one, each watermark at its time.
              shown: [
                note('the times below are where the last build stopped: its reference time (profiles_state) and each append source\'s watermark (profiles_watermarks), read first'),
                ...findTouched(exampleBounds(project, params.asOf, sources)),
                note(
                  `when the last build did not read the identity publish just before this build's, every identifier is compared instead:\n${d.createScratchTableAs(t.changedIds, changedIdentifiersSql(project, d, { ...exampleBounds(project, params.asOf, sources), identityMoves: false }))}`,
                ),
              ],
            },
            {
              kind: 'read',
              id: 'profiles.touched_count',
              stage: 'profiles',
              label: 'count touched profiles',
              sql: `select count(*) as n, count(*) - (select count(distinct profile_id) from ${recompute}) as from_parts from ${touched}`,
            },
            {
              kind: 'compute',
              id: 'profiles.next',
              stage: 'profiles',
              label: 'compute touched profiles',
              read: `select src from ${recompute} group by src`,
              write: (rows) => ({ statements: [next(new Set(rows.map((r) => String(r.src))))] }),
              shown: [note('a source no touched profile needs recomputed from its rows is left out of the statement below, and not read'), next(new Set([EVERY_SOURCE]))],
            },
            step('incremental', 'update touched profiles', update, true),
          ],
        },
      },
      say: (mode) => `  profiles: ${mode} build`,
    },
    ...segmentsSteps(project, d, params),
    {
      kind: 'decide',
      id: 'profiles.store',
      stage: 'profiles',
      label: 'store incremental state',
      on: { decision: 'profiles.mode' },
      choose: ({ answer }) => answer,
      branches: {
        full: { when: 'after a full build', steps: [step('commit', 'store incremental state', commitIncrementalState(project, d, sources, changedRows, fingerprint, params.asOf, 'full'), true)] },
        incremental: {
          when: 'after an incremental build: the identifiers that changed',
          steps: [step('commit_changes', 'store incremental state', commitIncrementalState(project, d, sources, changedRows, fingerprint, params.asOf, 'incremental'), true)],
        },
      },
    },
    step('cleanup', 'drop incremental scratch tables', incrementalScratchCleanup(project, d, sources)),
  ];
}

/** The non-finite clean-up of `profiles`, then the segments: evaluated, entries and exits recorded, members replaced. */
function segmentsSteps(project: LoadedProject, d: Dialect, params: ProfilesPlanParams): PlanStep[] {
  const seg = segmentSql(project, d, params);
  const step = (id: string, label: string, statements: readonly string[]) => statementsStep('segments', `segments.${id}`, label, statements);
  const record = 'record segment entries and exits';
  // Syncs diff the profiles whose memberships changed (docs/incremental.md#syncs); the log keeps what a sync still needs.
  const schema = project.config.schema;
  const logged = [
    logProfilesSql(d, schema, `select profile_id from ${d.table(cdpTable(project, 'segment_changes'))} where run_id = ${d.literal(params.runId)}`),
    pruneProfileChangesSql(d, schema, project.syncs.map((s) => s.sync)),
  ];
  return [
    {
      kind: 'hook',
      id: 'profiles.non_finite',
      stage: 'profiles',
      label: 'clear non-finite trait values',
      note: 'trait values that are NaN or infinite become NULL here, when a float trait has any (build-profiles.ts)',
    },
    step('evaluate', 'evaluate segments', [seg.evaluate]),
    {
      kind: 'decide',
      id: 'segments.first',
      stage: 'segments',
      label: 'segment members',
      on: { exists: seg.members },
      choose: ({ answer }) => (answer === 'exists' ? 'later' : 'first'),
      branches: {
        first: { when: 'on the first build (segment_members does not exist yet)', steps: [step('create', 'create segment members', [seg.createMembers])] },
        later: { when: 'segment_members exists', steps: [] },
      },
    },
    step('changes_table', 'segment changes table', [seg.createChanges, ...createProfileChangesSql(d, project.config.schema)]),
    seg.renamesSql === undefined
      ? statementsStep('segments', 'segments.changes', record, [seg.recordChanges, ...logged], { transaction: true })
      : {
          kind: 'compute',
          id: 'segments.changes',
          stage: 'segments',
          label: record,
          read: seg.renamesSql,
          write: (rows) => {
            const renames = unambiguousRenames(rows);
            return {
              // A renamed segment changes what a sync of the old name sees for all its members.
              statements: [...renames.map((r) => seg.rename(r.from, r.to)), seg.recordChanges, ...(renames.length > 0 ? [logEverythingSql(d, project.config.schema)] : []), ...logged],
              log: renames.map((r) => `segment ${r.from} renamed to ${r.to}: same ${r.members} members, no entries or exits recorded`),
            };
          },
          transaction: true,
          shown: [
            note(`for each segment renamed in the model (same members under a new name), in the transaction below:\n${seg.rename('<old name>', '<new name>')}\nand, when any was:\n${logEverythingSql(d, project.config.schema)}`),
            seg.recordChanges,
            ...logged,
          ],
        },
    ...replaceTableSteps(d, 'segments', 'segments.members', 'update segment members', seg.members, seg.nextMembers),
    step('drop_now', 'drop evaluated segments', [seg.dropNow]),
  ];
}

/** Before a full profiles build: every profile may change, so every sync diffs everything once (docs/incremental.md#syncs). */
function logEverythingStep(project: LoadedProject, d: Dialect): PlanStep {
  return statementsStep('profiles', 'profiles.log_all', 'log a full build for syncs', [...createProfileChangesSql(d, project.config.schema), logEverythingSql(d, project.config.schema)]);
}

/**
 * Segments renamed in the model, from the pairs `renamesSql` read: a segment no longer declared whose last
 * members are exactly those of a newly declared one, each pair unambiguous. Anything else (a rename that
 * also changed who is in it) is an exit from the old segment and an entry into the new one.
 */
function unambiguousRenames(rows: readonly Row[]): { from: string; to: string; members: number }[] {
  const count = (key: 'old_segment' | 'new_segment', value: unknown) => rows.filter((r) => r[key] === value).length;
  return rows
    .filter((r) => count('old_segment', r.old_segment) === 1 && count('new_segment', r.new_segment) === 1)
    .map((r) => ({ from: String(r.old_segment), to: String(r.new_segment), members: Number(r.n) }));
}
