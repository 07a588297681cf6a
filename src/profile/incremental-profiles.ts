import { createHash } from 'node:crypto';
import type { Declared, LoadedProject } from '../config/load-project.js';
import { durationSeconds, lateArrivalSeconds, type SourceConfig, type TraitConfig } from '../config/schema.js';
import type { Dialect, TableRef } from '../dialect/dialect.js';
import { identitySpec } from '../identity/identity-spec.js';
import { createTableSql, identityTables } from '../identity/identity-tables.js';
import { normalizeSql, normalizerKey } from '../identity/normalize-sql.js';
import { keptFloor } from '../identity/observation-sql.js';
import { changedGroupSelect, type ChangedRowOptions } from '../identity/row-profile-select.js';
import type { Row } from '../warehouse/warehouse.js';
import { changedRowsSql, storageOrder } from '../model/changed-rows-sql.js';
import { createFileStampsTable, fileStampsTable } from '../model/compile-models.js';
import { cdpTable, sourceRelation } from '../model/relations.js';
import { storedTime } from '../model/stored-time.js';
import { partColumns, partNames, partsByProfileSelect } from './trait-parts.js';

/**
 * A source's rows with `_cdp_profile_id`, and what `options` add and restrict (identity/row-profile-select.ts's
 * `changedRowSelect` in a build; compile-plan.ts hands it over).
 */
export type ChangedRows = (source: string, options: ChangedRowOptions) => string;

/**
 * The tables an incremental profiles build keeps (docs/incremental.md#state), all in cdp's schema and all
 * rewritten in one transaction at the end of a profiles build, so a build that fails leaves them as they were:
 * - `profiles_state`: the fingerprint of the compiled traits and the reference time (`as_of`) of that build;
 * - `profiles_identifiers`: the identifiers → profile map that build used;
 * - `profiles_watermarks`: per append source, its latest timestamp then (at or before `as_of`);
 * - `profiles_rows_<source>`: per snapshot source, each distinct row hash and profile, with its count; per append
 *   source the same for the rows an incremental build re-reads (its tail: after the watermark less
 *   `late_arrival`, or without a time), with their time.
 */
export interface IncrementalTables {
  readonly state: TableRef;
  readonly identifiers: TableRef;
  readonly watermarks: TableRef;
  readonly rows: (source: string) => TableRef;
  readonly rawIds: TableRef;
  /** This build's row hashes of a snapshot source, or of an append source's tail (a scratch table). */
  readonly rowsNow: (source: string) => TableRef;
  /** Identifiers whose profile is not the one the last build used, or that appeared or went (scratch). */
  readonly changedIds: TableRef;
  /** The profiles this incremental build updates (scratch), and the identifiers of those it recomputes (scratch). */
  readonly touched: TableRef;
  readonly touchedIds: TableRef;
  /** The profiles whose traits from a source (`src`, or `*` for every source) are recomputed from their rows (scratch). */
  readonly recompute: TableRef;
  /** Per append source whose traits are kept from their parts, each changed profile's parts (scratch; trait-parts.ts). */
  readonly parts: (source: string) => TableRef;
  /** The touched profiles' new rows, written before they replace the stored ones (scratch). */
  readonly next: TableRef;
}

export function incrementalTables(project: LoadedProject): IncrementalTables {
  const t = (name: string) => cdpTable(project, name);
  return {
    state: t('profiles_state'),
    identifiers: t('profiles_identifiers'),
    watermarks: t('profiles_watermarks'),
    rows: (source) => t(`profiles_rows_${source}`),
    rawIds: t('profiles_raw_ids'),
    rowsNow: (source) => t(`profiles_rows_now_${source}`),
    changedIds: t('profiles_changed_ids'),
    touched: t('profiles_touched'),
    touchedIds: t('profiles_touched_ids'),
    recompute: t('profiles_recompute'),
    parts: (source) => t(`profiles_parts_${source}`),
    next: t('profiles_next'),
  };
}

/**
 * The sources person traits aggregate over, when every one of them declares how it changes (`append` or
 * `snapshot`); undefined when any is `changes: full` (the default), and then every build recomputes every profile.
 */
export function incrementalSources(project: LoadedProject): Declared<SourceConfig>[] | undefined {
  const used = new Set(project.traits.flatMap((t) => (t.from ? [t.from] : [])));
  const sources = project.sources.filter((s) => used.has(s.name));
  return sources.every((s) => s.changes !== 'full') ? sources : undefined;
}

/**
 * What an incremental build is valid against: the compiled traits (with the row → profile mapping, the
 * identifier normalisation and the column types in them) and how each source changes. A different
 * fingerprint, as after editing a trait, makes the next build a full one.
 */
export function traitsFingerprint(traitsSql: string, sources: readonly SourceConfig[]): string {
  const changes = sources.map((s) => [s.name, s.changes, s.timestamp ?? null, s.late_arrival ?? null]);
  return createHash('sha256').update(JSON.stringify([traitsSql, changes])).digest('hex').slice(0, 16);
}

/** Full when asked, on the first build, after a change to the traits, or when the reference time went back. */
export function chooseProfilesMode(rows: readonly Row[], fingerprint: string, asOf: Date, fullRefresh: boolean): 'full' | 'incremental' {
  if (fullRefresh) return 'full';
  const stored = new Map(rows.map((r) => [String(r.name), r]));
  const previous = storedTime(stored.get('as_of')?.ts);
  if (stored.get('fingerprint')?.value !== fingerprint || previous === undefined) return 'full';
  return previous.getTime() > asOf.getTime() ? 'full' : 'incremental';
}

/** Where the last build stopped: its reference time, and each append source's watermark (none when it had no rows). */
export interface Bounds {
  readonly previousAsOf: Date;
  readonly watermarks: ReadonlyMap<string, Date>;
  /** Snapshot sources over files whose table holds the rows the last build hashed (`stampedSnapshots`). */
  readonly unchanged: ReadonlySet<string>;
  /**
   * Per append source, a second before where identity's kept row groups end (`since` in `_identity_settled`): its
   * rows up to there are read as those groups, the rest from the source (`touchedProfilesSql`).
   */
  readonly settled: ReadonlyMap<string, Date>;
  /**
   * Whether the last build read the identifiers of the publish just before this build's: its changed identifiers are
   * then the ones this publish moved (identity's `_identity_moves`), not found by comparing every identifier.
   */
  readonly identityMoves: boolean;
}

/**
 * Snapshot sources read from files (`path:`): their table is written from the files only when the files' stamp
 * changes (docs/incremental.md#file-sources), so while the stamp stays the one stored when their rows were last
 * hashed, the rows are the same and are not hashed again. A source written from `cdp pull`'s records instead has its
 * stamp removed (compile-models.ts), so it is hashed.
 */
export function stampedSnapshots(d: Dialect, sources: readonly SourceConfig[]): SourceConfig[] {
  return d.capabilities.readsFiles ? sources.filter((s) => s.changes === 'snapshot' && s.path !== undefined) : [];
}

/**
 * What `Bounds` are read from: one row per stored time (`as_of`, `watermark:<source>`), and `unchanged:<source>` for
 * each stamped snapshot source whose files' stamp is the one the last build stored (`stamp:<source>`).
 */
export function boundsSql(project: LoadedProject, d: Dialect, sources: readonly SourceConfig[]): string {
  const t = incrementalTables(project);
  const noCount = `cast(null as ${d.typeName('integer')})`;
  const noTime = `cast(null as ${d.typeName('timestamp')})`;
  const stamped = stampedSnapshots(d, sources);
  const unchanged = stamped.length
    ? `\nunion all\nselect 'unchanged:' || f.source, s.ts, ${noCount} from ${d.table(fileStampsTable(project))} f join ${d.table(t.state)} s on s.name = 'stamp:' || f.source and s.value = f.stamp
where f.source in (${stamped.map((x) => d.stringLiteral(x.name)).join(', ')})`
    : '';
  const spec = identitySpec(project);
  const settled = spec.sources.some((s) => s.append)
    ? `\nunion all\nselect 'settled:' || b.source, b.since, ${noCount} from ${d.table(identityTables(spec.schema).settled)} b`
    : '';
  // Which identity publish the last build read, and how many there have been.
  const publishes = `select 'identity_read', ${noTime}, ${d.cast('s.value', 'integer')} from ${d.table(t.state)} s where s.name = 'identity_publish'
union all
select 'identity_publishes', ${noTime}, ${d.cast('i.value', 'integer')} from ${d.table(identityTables(spec.schema).state)} i where i.name = 'publishes'`;
  return `select s.name, s.ts, ${noCount} as n from ${d.table(t.state)} s where s.name = 'as_of'
union all
select 'watermark:' || w.source, w.watermark, ${noCount} from ${d.table(t.watermarks)} w${unchanged}${settled}
union all
${publishes}`;
}

export function readBounds(rows: readonly Row[]): Bounds {
  const count = (name: string) => {
    const row = rows.find((r) => r.name === name);
    return row && row.n !== null && row.n !== undefined ? Number(row.n) : undefined;
  };
  const read = count('identity_read');
  const publishes = count('identity_publishes');
  const times = new Map(rows.flatMap((r) => {
    const at = storedTime(r.ts);
    return at ? [[String(r.name), at] as const] : [];
  }));
  const previousAsOf = times.get('as_of') ?? new Date(0);
  const named = (prefix: string) => [...times].flatMap(([name, at]) => (name.startsWith(prefix) ? [[name.slice(prefix.length), at] as const] : []));
  return {
    previousAsOf,
    watermarks: new Map(named('watermark:')),
    unchanged: new Set(named('unchanged:').map(([name]) => name)),
    settled: new Map(named('settled:').map(([name, since]) => [name, keptFloor(since)])),
    identityMoves: read !== undefined && publishes !== undefined && read === publishes - 1,
  };
}

export function createIncrementalTables(project: LoadedProject, d: Dialect, sources: readonly SourceConfig[]): string[] {
  const t = incrementalTables(project);
  return [
    // Read by boundsSql even when no file of a stamped snapshot source matched this time (it was read from a pull).
    ...(stampedSnapshots(d, sources).length ? createFileStampsTable(project, d) : []),
    createTableSql(d, t.state, [['name', 'string'], ['value', 'string'], ['ts', 'timestamp']]),
    createTableSql(d, t.identifiers, [['id_type', 'string'], ['id_value', 'string'], ['profile_id', 'string']]),
    createTableSql(d, t.watermarks, [['source', 'string'], ['watermark', 'timestamp']]),
    createTableSql(d, t.rawIds, [['normalizer', 'string'], ['raw', 'string'], ['id_value', 'string']]),
    ...sources.filter((s) => s.changes === 'snapshot').map((s) => createTableSql(d, t.rows(s.name), [['row_hash', 'string'], ['profile_id', 'string'], ['n', 'integer']])),
    ...appendSources(sources).map((s) => createTableSql(d, t.rows(s.name), [['row_hash', 'string'], ['profile_id', 'string'], ['ts', 'timestamp'], ['n', 'integer']])),
  ];
}

/** The append sources with a timestamp (validation requires one; the filter keeps the types honest). */
function appendSources<S extends SourceConfig>(sources: readonly S[]): (S & { timestamp: string })[] {
  return sources.filter((s): s is S & { timestamp: string } => s.changes === 'append' && s.timestamp !== undefined);
}

/** A source row's time (its `timestamp:` column) as a timestamp; the row is aliased `alias` (`r` by default). */
function rowTime(d: Dialect, column: string, alias = 'r'): string {
  return d.cast(`${alias}.${d.quoteIdentifier(column)}`, 'timestamp');
}

/** Whether a source row (`r`) is in an append source's tail: after `since` (a literal), or without a time. */
function tailCondition(d: Dialect, source: { readonly timestamp: string }, since: string): string {
  const ts = rowTime(d, source.timestamp);
  return `${ts} is null or ${ts} > ${since}`;
}

/**
 * An append source's tail, grouped like snapshot rows (hash, profile, count) with the row's time: the rows an
 * incremental build re-reads, those after `since` or without a time (every row when `since` is undefined). With
 * `parts`, each group also carries its traits' parts (trait-parts.ts) at this build's and the last build's times.
 */
function tailRowsSql(d: Dialect, source: SourceConfig & { timestamp: string }, rows: ChangedRows, since: string | undefined, parts?: { readonly traits: readonly TraitConfig[]; readonly times: PartTimes }): string {
  const where = since === undefined ? undefined : tailCondition(d, source, since);
  const at = rowTime(d, source.timestamp, 'x');
  const partsOf = parts ? partColumns(d, parts.traits, source.timestamp, 'x', parts.times, true).map((c) => `, ${c}`).join('') : '';
  return `select x._cdp_row_hash as row_hash, x._cdp_profile_id as profile_id, ${at} as ts, count(*) as n${partsOf}
from (${rows(source.name, { rowHash: true, ...(where ? { where } : {}) })}) x
where x._cdp_profile_id is not null
group by x._cdp_row_hash, x._cdp_profile_id, ${at}`;
}

/** This build's reference time and the last build's: a trait part counts a row at each. */
export interface PartTimes {
  readonly asOf: Date;
  readonly previousAsOf: Date;
}

/**
 * This build's row hashes of each snapshot source, grouped by profile: compared with the stored ones, then stored.
 * A source in `unchanged` is not read: its stored hashes stay, and nothing is to be applied to them at the commit.
 */
export function snapshotRowsStatements(project: LoadedProject, d: Dialect, sources: readonly SourceConfig[], rows: ChangedRows, unchanged: ReadonlySet<string> = new Set()): string[] {
  const t = incrementalTables(project);
  return sources
    .filter((s) => s.changes === 'snapshot')
    .flatMap((s) => {
      if (unchanged.has(s.name)) {
        const none = (table: TableRef, columns: string) => d.createScratchTableAs(table, `select ${columns} from ${d.table(t.rows(s.name))} where 1 = 0`);
        const { changed, gone } = snapshotChanges(project, d, s.name).refs;
        return [none(changed, 'row_hash, profile_id, n'), none(gone, 'row_hash, profile_id')];
      }
      return [
        d.createScratchTableAs(
          t.rowsNow(s.name),
          `select x._cdp_row_hash as row_hash, x._cdp_profile_id as profile_id, count(*) as n\nfrom (${rows(s.name, { rowHash: true, rawIds: t.rawIds, mapByRawIds: true })}) x\nwhere x._cdp_profile_id is not null\ngroup by x._cdp_row_hash, x._cdp_profile_id`,
        ),
        ...snapshotChanges(project, d, s.name).find,
      ];
    });
}

/** A snapshot source's stored row hashes take only the hashes that are new or went (and changed counts) at the commit. */
function snapshotChanges(project: LoadedProject, d: Dialect, source: string) {
  const t = incrementalTables(project);
  const refs = { changed: cdpTable(project, `profiles_rows_changed_${source}`), gone: cdpTable(project, `profiles_rows_gone_${source}`) };
  return {
    ...changedRowsSql(d, { target: t.rows(source), next: d.scratchTable(t.rowsNow(source)), key: ['row_hash', 'profile_id'], values: ['n'], ...refs }),
    refs,
  };
}

/**
 * The raw identifier values the map lacks, added (docs/incremental.md#raw-identifier-values): an incremental build
 * then finds the rows of given identifiers by their raw values, without normalising every row. With `bounds`, an
 * append source adds only its tail (the rows it re-reads, as for its hashes): its older rows' values were added by
 * the builds that first saw them; a snapshot source whose files are unchanged (`bounds.unchanged`) adds none: the
 * build that last hashed its rows, the same rows, added their values. Without, every row of every source (a full
 * build, which also drops the values of normalisers no longer used).
 */
export function rawIdsStatements(project: LoadedProject, d: Dialect, sources: readonly SourceConfig[], bounds: Bounds | undefined): string[] {
  const t = incrementalTables(project);
  const map = d.table(t.rawIds);
  const spec = identitySpec(project);
  const byKey = new Map<string, { normalize: string; parts: string[] }>();
  for (const source of sources) {
    if (bounds?.unchanged.has(source.name)) continue;
    const since = bounds === undefined ? undefined : tailSince(d, source, bounds);
    const where = since === undefined || source.timestamp === undefined ? '' : ` where ${tailCondition(d, { timestamp: source.timestamp }, since)}`;
    const relation = d.table(sourceRelation(project, source));
    for (const c of spec.sources.find((s) => s.name === source.name)?.identifiers ?? []) {
      const key = normalizerKey(d, c.type);
      const entry = byKey.get(key) ?? { normalize: normalizeSql(d, c.type, 'x.raw'), parts: [] };
      entry.parts.push(`select ${d.cast(`r.${d.quoteIdentifier(c.column)}`, 'string')} as raw from ${relation} r${where}`);
      byKey.set(key, entry);
    }
  }
  const keys = [...byKey.keys()].map((k) => d.stringLiteral(k));
  return [
    ...(bounds === undefined ? [`delete from ${map} where ${keys.length ? `normalizer not in (${keys.join(', ')})` : '1 = 1'}`] : []),
    ...[...byKey].map(([key, { normalize, parts }]) => {
      const k = d.stringLiteral(key);
      return `insert into ${map} (normalizer, raw, id_value)
select ${k}, x.raw, ${normalize}
from (
  select distinct y.raw from (
  ${parts.join('\n  union all\n  ')}
  ) y
  where y.raw is not null and y.raw not in (select m.raw from ${map} m where m.normalizer = ${k} and m.raw is not null)
) x`;
    }),
  ];
}

/** Identifiers whose profile differs from the one the last build used, or that appeared or went: both profiles. */
export function changedIdentifiersSql(project: LoadedProject, d: Dialect, bounds: Bounds): string {
  const t = incrementalTables(project);
  const it = identityTables(identitySpec(project).schema);
  if (bounds.identityMoves) {
    return `select id_type, id_value, profile_id, previous_profile_id from ${d.table(it.moves)} where profile_id is distinct from previous_profile_id`;
  }
  const identifiers = d.table(it.identifiers);
  return `select coalesce(i.id_type, p.id_type) as id_type, coalesce(i.id_value, p.id_value) as id_value, i.profile_id, p.profile_id as previous_profile_id
from ${identifiers} i
full outer join ${d.table(t.identifiers)} p on p.id_type = i.id_type and p.id_value = i.id_value
where i.profile_id is null or p.profile_id is null or p.profile_id <> i.profile_id`;
}

/** In `recompute`'s `src`: the profile's traits from every source are recomputed. */
export const EVERY_SOURCE = '*';

/**
 * The profiles whose traits may differ from the stored ones (docs/incremental.md#which-profiles-a-build-recomputes),
 * as statements creating three kinds of scratch table:
 * - `recompute`: (profile, source) pairs whose traits from that source are recomputed from their rows, `*` for every
 *   source (a profile whose identifiers changed);
 * - `parts(source)`: per source in `parted` (trait-parts.ts, some of `sources`), the profiles whose traits from it change only by rows that
 *   entered or left them, with those parts (docs/incremental.md#traits-kept-from-their-parts);
 * - `touched`: every profile in either, once.
 * Every part reads only the source rows it needs, chosen on the row itself before any join:
 * - both profiles of each changed identifier (new profiles among them, so they appear even with no rows);
 * - rows of an append source past its watermark less `late_arrival`, or without a timestamp, that the last
 *   build did not see (hashes by profile, as for snapshot rows);
 * - rows whose time crossed an edge a trait draws, between the last reference time and this one: newly at
 *   or before `as_of`, or newly outside a window;
 * - rows with a changed identifier, under their profile now and then (a merge, split or re-key moves them);
 * - rows of a snapshot source that are new, changed or gone, or belong to another profile (hashes by profile).
 */
export function touchedStatements(
  project: LoadedProject,
  d: Dialect,
  sources: readonly Declared<SourceConfig>[],
  rows: ChangedRows,
  asOf: Date,
  bounds: Bounds,
  parted: ReadonlySet<string>,
): string[] {
  const t = incrementalTables(project);
  const changed = d.scratchTable(t.changedIds);
  // Literal times, not subqueries: a condition on the row alone is applied while the source is read.
  const { previousAsOf } = bounds;
  const every = d.stringLiteral(EVERY_SOURCE);
  const recompute: string[] = [`select c.profile_id, ${every} as src from ${changed} c`, `select c.previous_profile_id, ${every} from ${changed} c`];
  const parts: string[] = [];
  for (const source of sources) {
    const name = d.stringLiteral(source.name);
    const ts = source.timestamp !== undefined ? rowTime(d, source.timestamp) : undefined;
    const conditions = ts ? timeCrossings(project, d, source.name, ts, previousAsOf, asOf) : [];
    // New, changed or gone rows (hashes by profile): every snapshot row (unless its files are unchanged), an append
    // source's tail.
    const since = tailSince(d, source, bounds);
    const stored = since === undefined ? d.table(t.rows(source.name)) : `(select * from ${d.table(t.rows(source.name))} s where s.ts is null or s.ts > ${since})`;
    const now = d.scratchTable(t.rowsNow(source.name));
    const unchanged = bounds.unchanged.has(source.name);
    if (parted.has(source.name) && source.timestamp !== undefined) {
      // Rows that went, or fewer of them: a min, max or exists cannot give them back, so the source is recomputed.
      recompute.push(`select s.profile_id, ${name}\nfrom ${stored} s\nleft join ${now} c on c.row_hash = s.row_hash and c.profile_id = s.profile_id\nwhere c.n is null or c.n < s.n`);
      const traits = project.traits.filter((x) => x.from === source.name);
      const times = { asOf, previousAsOf };
      // The tail's groups, now and at the last build; before the tail (all at or before the last reference time), rows
      // only cross a window's start, and are read one by one.
      const crossed = since === undefined || !ts ? [] : windowCrossings(project, d, source.name, ts, previousAsOf, asOf);
      const groups = [
        `select c.profile_id, c.n as rows_now, coalesce(s.n, 0) as rows_then, ${partNames(traits, 'c').join(', ')}\nfrom ${now} c\nleft join ${stored} s on s.row_hash = c.row_hash and s.profile_id = c.profile_id`,
        ...(crossed.length && ts && since
          ? [
              `select x._cdp_profile_id, 1, 1, ${partColumns(d, traits, source.timestamp, 'x', times, false).join(', ')}\nfrom (${rows(source.name, { where: `${ts} <= ${since} and (${crossed.map((c) => `(${c})`).join(' or ')})` })}) x\nwhere x._cdp_profile_id is not null`,
            ]
          : []),
      ];
      parts.push(d.createScratchTableAs(t.parts(source.name), partsByProfileSelect(traits, groups.join('\nunion all\n'))));
    } else {
      if (source.changes === 'snapshot' && !unchanged) {
        // The rows snapshotRowsStatements found new, changed or gone, compared once for both uses.
        const { changed: differ, gone } = snapshotChanges(project, d, source.name).refs;
        recompute.push(`select c.profile_id, ${name} from ${d.scratchTable(differ)} c`, `select g.profile_id, ${name} from ${d.scratchTable(gone)} g`);
      } else if (!unchanged) {
        recompute.push(
          `select coalesce(c.profile_id, s.profile_id), ${name}\nfrom ${now} c\nfull outer join ${stored} s on s.row_hash = c.row_hash and s.profile_id = c.profile_id\nwhere c.n is null or s.n is null or c.n <> s.n`,
        );
      }
      if (conditions.length) recompute.push(`select x._cdp_profile_id, ${name}\nfrom (${rows(source.name, { where: conditions.map((c) => `(${c})`).join(' or ') })}) x`);
    }
    // Both profiles of a row with a changed identifier, one row each (a hashed snapshot row's old profile is in its
    // stored hash). An unchanged snapshot source's stored hashes keep the profile its rows had when hashed: a later
    // comparison touches that profile too, which only recomputes it again.
    if (source.changes === 'append' || unchanged) {
      const floor = source.changes === 'append' && ts ? bounds.settled.get(source.name) : undefined;
      const withChanged = (where?: string) => rows(source.name, { previous: t.identifiers, within: changed, rawIds: t.rawIds, ...(where ? { where } : {}) });
      // An append source's rows up to identity's kept groups are read as those groups, the rest as rows.
      const picked = floor && ts
        ? `select g._cdp_profile_id, g._cdp_previous_profile_id from (${changedGroupSelect(project, d, source, d.table(identityTables(identitySpec(project).schema).settledRows(source.name)), { previous: t.identifiers, within: changed })}) g
union all
select r._cdp_profile_id, r._cdp_previous_profile_id from (${withChanged(`${ts} is null or ${ts} >= ${d.timestampLiteral(floor)}`)}) r`
        : withChanged();
      recompute.push(
        `select case when k.side = 1 then x._cdp_profile_id else x._cdp_previous_profile_id end, ${every}\nfrom (${picked}) x\ncross join (select 1 as side union all select 2 as side) k\nwhere x._cdp_profile_id is distinct from x._cdp_previous_profile_id`,
      );
    }
  }
  const touched = [`select r.profile_id from ${d.scratchTable(t.recompute)} r`, ...[...parted].map((name) => `select p.profile_id from ${d.scratchTable(t.parts(name))} p`)];
  return [
    d.createScratchTableAs(t.recompute, `select distinct u.profile_id, u.src\nfrom (\n${recompute.join('\nunion all\n')}\n) u\nwhere u.profile_id is not null`),
    ...parts,
    d.createScratchTableAs(t.touched, `select distinct u.profile_id\nfrom (\n${touched.join('\nunion all\n')}\n) u`),
  ];
}

/**
 * Where an append source's tail starts for this build: its watermark at the last build less `late_arrival`, as a
 * literal. Undefined for a snapshot source, and for an append source that had no rows then (all of it is read).
 */
function tailSince(d: Dialect, source: SourceConfig, bounds: Bounds): string | undefined {
  const watermark = source.changes === 'append' ? bounds.watermarks.get(source.name) : undefined;
  return watermark ? d.timestampLiteral(new Date(watermark.getTime() - lateArrivalSeconds(source) * 1000)) : undefined;
}

/**
 * This build's tail of each append source, hashed (compared with the stored tail, then stored); a source in `parted`
 * adds its traits' parts (trait-parts.ts).
 */
export function appendTailStatements(project: LoadedProject, d: Dialect, sources: readonly SourceConfig[], rows: ChangedRows, bounds: Bounds, asOf: Date, parted: ReadonlySet<string>): string[] {
  const t = incrementalTables(project);
  const times = { asOf, previousAsOf: bounds.previousAsOf };
  return appendSources(sources).map((s) => {
    const parts = parted.has(s.name) ? { traits: project.traits.filter((x) => x.from === s.name), times } : undefined;
    return d.createScratchTableAs(t.rowsNow(s.name), tailRowsSql(d, s, rows, tailSince(d, s, bounds), parts));
  });
}

/** Conditions on a row's time (`ts`) that hold when it crossed an edge a trait over `source` draws: `as_of`, or a window's start. */
function timeCrossings(project: LoadedProject, d: Dialect, source: string, ts: string, previousAsOf: Date, now: Date): string[] {
  return [`${ts} > ${d.timestampLiteral(previousAsOf)} and ${ts} <= ${d.timestampLiteral(now)}`, ...windowCrossings(project, d, source, ts, previousAsOf, now)];
}

/** Conditions on a row's time (`ts`) that hold when it left a window of a trait over `source` (newly at or before its start). */
function windowCrossings(project: LoadedProject, d: Dialect, source: string, ts: string, previousAsOf: Date, now: Date): string[] {
  const windows = [...new Set(project.traits.filter((t) => t.from === source && t.window !== undefined).map((t) => durationSeconds(t.window as string)))];
  return windows.map((seconds) => `${ts} > ${d.timestampLiteral(new Date(previousAsOf.getTime() - seconds * 1000))} and ${ts} <= ${d.timestampLiteral(new Date(now.getTime() - seconds * 1000))}`);
}

/**
 * The identifiers of the profiles recomputed from their rows: a source row belongs to one only if it has one of them.
 * Profiles kept from their parts need no rows read.
 */
export function touchedIdentifiersSql(project: LoadedProject, d: Dialect): string {
  const t = incrementalTables(project);
  const identifiers = d.table(identityTables(identitySpec(project).schema).identifiers);
  return `select i.id_type, i.id_value from ${identifiers} i where i.profile_id in (select profile_id from ${d.scratchTable(t.recompute)})`;
}

/**
 * The statements that store what this build used, as one transaction at the end of the profiles build: the
 * fingerprint and reference time, the identifiers map, each append source's watermark and the hashes of its
 * tail, and each snapshot source's row hashes.
 */
export function commitIncrementalState(
  project: LoadedProject,
  d: Dialect,
  sources: readonly Declared<SourceConfig>[],
  rows: ChangedRows,
  fingerprint: string,
  asOf: Date,
  mode: 'full' | 'incremental',
): string[] {
  const t = incrementalTables(project);
  const identifiers = d.table(identityTables(identitySpec(project).schema).identifiers);
  const clear = (table: TableRef) => `delete from ${d.table(table)} where 1 = 1`;
  // The identifiers map in (type, value) order, as `identifiers`: a lookup of a few identifiers skips the rest.
  const byKey = storageOrder(d, ['id_type', 'id_value']);
  const now = d.timestampLiteral(asOf);
  const nothing = `cast(null as ${d.typeName('timestamp')})`;
  const appends = appendSources(sources);
  const snapshots = sources.filter((s) => s.changes === 'snapshot');
  const stamped = stampedSnapshots(d, sources);
  const watermark = (s: SourceConfig & { timestamp: string }) => {
    const ts = rowTime(d, s.timestamp);
    return `select ${d.stringLiteral(s.name)} as source, max(${ts}) as watermark from ${d.table(sourceRelation(project, s))} r where ${ts} <= ${now}`;
  };
  // The tail the next build re-reads starts at the watermark just stored less late_arrival.
  const nextSince = (s: SourceConfig) =>
    d.timestampSub(`(select w.watermark from ${d.table(t.watermarks)} w where w.source = ${d.stringLiteral(s.name)})`, lateArrivalSeconds(s), 'second');
  const storeTail = (s: SourceConfig & { timestamp: string }) =>
    mode === 'full'
      ? `insert into ${d.table(t.rows(s.name))} (row_hash, profile_id, ts, n) select row_hash, profile_id, ts, n from (${tailRowsSql(d, s, rows, nextSince(s))}) x`
      : `insert into ${d.table(t.rows(s.name))} (row_hash, profile_id, ts, n) select row_hash, profile_id, ts, n from ${d.scratchTable(t.rowsNow(s.name))} x where x.ts is null or x.ts > ${nextSince(s)}`;
  return [
    clear(t.state),
    `insert into ${d.table(t.state)} (name, value, ts) select 'fingerprint', ${d.stringLiteral(fingerprint)}, ${nothing} union all select 'as_of', cast(null as ${d.typeName('string')}), ${now}`,
    // The identity publish whose identifiers profiles_identifiers now holds (see Bounds.identityMoves).
    `insert into ${d.table(t.state)} (name, value, ts) select 'identity_publish', i.value, ${nothing} from ${d.table(identityTables(identitySpec(project).schema).state)} i where i.name = 'publishes'`,
    // The files' stamp of each stamped snapshot source whose rows the stored hashes are (see stampedSnapshots).
    ...(stamped.length
      ? [
          `insert into ${d.table(t.state)} (name, value, ts) select 'stamp:' || f.source, f.stamp, ${now} from ${d.table(fileStampsTable(project))} f where f.source in (${stamped.map((x) => d.stringLiteral(x.name)).join(', ')})`,
        ]
      : []),
    // After an incremental build only the identifiers that changed are rewritten (profiles_changed_ids).
    ...(mode === 'full'
      ? [clear(t.identifiers), `insert into ${d.table(t.identifiers)} (id_type, id_value, profile_id) select id_type, id_value, profile_id from ${identifiers}${byKey}`]
      : [
          // By both key columns: no text built for every stored identifier.
          `delete from ${d.table(t.identifiers)} x where exists (select 1 from ${d.scratchTable(t.changedIds)} c where c.id_type = x.id_type and c.id_value = x.id_value)`,
          `insert into ${d.table(t.identifiers)} (id_type, id_value, profile_id) select c.id_type, c.id_value, c.profile_id from ${d.scratchTable(t.changedIds)} c where c.profile_id is not null${byKey}`,
        ]),
    clear(t.watermarks),
    ...appends.map((s) => `insert into ${d.table(t.watermarks)} (source, watermark) ${watermark(s)}`),
    ...snapshots.flatMap((s) => snapshotChanges(project, d, s.name).apply),
    ...appends.flatMap((s) => [clear(t.rows(s.name)), storeTail(s)]),
  ];
}

/** Scratch tables an incremental-capable profiles build drops at its end (every source hashes its rows or tail). */
export function incrementalScratchCleanup(project: LoadedProject, d: Dialect, sources: readonly SourceConfig[]): string[] {
  const t = incrementalTables(project);
  const snapshots = sources.filter((s) => s.changes === 'snapshot').flatMap((s) => snapshotChanges(project, d, s.name).cleanup);
  const parts = sources.filter((s) => s.changes === 'append').map((s) => t.parts(s.name));
  return [...[t.changedIds, t.touched, t.touchedIds, t.recompute, t.next, ...parts, ...sources.map((s) => t.rowsNow(s.name))].map((x) => d.dropScratchTable(x)), ...snapshots];
}

/**
 * Bounds for `cdp compile` to show: a last build one hour before `asOf` that read the identity publish before this
 * build's, each append source's watermark then, and identity's kept row groups ending there.
 */
export function exampleBounds(project: LoadedProject, asOf: Date, sources: readonly SourceConfig[]): Bounds {
  const previousAsOf = new Date(asOf.getTime() - 3_600_000);
  const kept = identitySpec(project).sources.filter((s) => s.append);
  return {
    previousAsOf,
    watermarks: new Map(sources.filter((s) => s.changes === 'append').map((s) => [s.name, previousAsOf])),
    unchanged: new Set(),
    settled: new Map(kept.map((s) => [s.name, keptFloor(previousAsOf)])),
    identityMoves: true,
  };
}
