import { createHash } from 'node:crypto';
import type { Declared, LoadedProject } from '../config/load-project.js';
import { durationSeconds, type SourceConfig } from '../config/schema.js';
import type { Dialect, TableRef } from '../dialect/dialect.js';
import { identitySpec } from '../identity/identity-spec.js';
import { createTableSql, identityTables } from '../identity/identity-tables.js';
import type { Row } from '../warehouse/warehouse.js';
import { cdpTable, sourceRelation } from '../model/relations.js';

/** An append source is re-read this far behind its watermark unless it says otherwise (docs/incremental.md). */
export const DEFAULT_LATE_ARRIVAL = '1d';

/** What the incremental profiles build reads a source through (compile-plan.ts gives these). */
export interface ChangedRows {
  /** The source's rows with `_cdp_profile_id` and `_cdp_previous_profile_id` (its profile under `previous`). */
  readonly appended: (source: string, previous: TableRef) => string;
  /** The source's rows with `_cdp_profile_id` and `_cdp_row_hash`. */
  readonly hashed: (source: string) => string;
}

/**
 * The tables an incremental profiles build keeps (docs/incremental.md#state), all in cdp's schema and all
 * rewritten in one transaction at the end of a profiles build, so a build that fails leaves them as they were:
 * - `profiles_state`: the fingerprint of the compiled traits and the reference time (`as_of`) of that build;
 * - `profiles_identifiers`: the identifiers → profile map that build used;
 * - `profiles_watermarks`: per append source, its latest timestamp then (at or before `as_of`);
 * - `profiles_rows_<source>`: per snapshot source, each distinct row hash and profile, with its count.
 */
export interface IncrementalTables {
  readonly state: TableRef;
  readonly identifiers: TableRef;
  readonly watermarks: TableRef;
  readonly rows: (source: string) => TableRef;
  /** This build's row hashes of a snapshot source (a scratch table). */
  readonly rowsNow: (source: string) => TableRef;
  /** The profiles this incremental build recomputes (a scratch table). */
  readonly touched: TableRef;
}

export function incrementalTables(project: LoadedProject): IncrementalTables {
  const t = (name: string) => cdpTable(project, name);
  return {
    state: t('profiles_state'),
    identifiers: t('profiles_identifiers'),
    watermarks: t('profiles_watermarks'),
    rows: (source) => t(`profiles_rows_${source}`),
    rowsNow: (source) => t(`profiles_rows_now_${source}`),
    touched: t('profiles_touched'),
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
  const at: unknown = stored.get('as_of')?.ts;
  if (stored.get('fingerprint')?.value !== fingerprint || at === null || at === undefined) return 'full';
  const previous = at instanceof Date ? at : new Date(`${String(at).replace(' ', 'T').replace(/(Z|[+-]\d\d:?\d\d)?$/, (z) => z || 'Z')}`);
  return Number.isNaN(previous.getTime()) || previous.getTime() > asOf.getTime() ? 'full' : 'incremental';
}

export function createIncrementalTables(project: LoadedProject, d: Dialect, sources: readonly SourceConfig[]): string[] {
  const t = incrementalTables(project);
  return [
    createTableSql(d, t.state, [['name', 'string'], ['value', 'string'], ['ts', 'timestamp']]),
    createTableSql(d, t.identifiers, [['id_type', 'string'], ['id_value', 'string'], ['profile_id', 'string']]),
    createTableSql(d, t.watermarks, [['source', 'string'], ['watermark', 'timestamp']]),
    ...sources.filter((s) => s.changes === 'snapshot').map((s) => createTableSql(d, t.rows(s.name), [['row_hash', 'string'], ['profile_id', 'string'], ['n', 'integer']])),
  ];
}

/** This build's row hashes of each snapshot source, grouped by profile: compared with the stored ones, then stored. */
export function snapshotRowsStatements(project: LoadedProject, d: Dialect, sources: readonly SourceConfig[], rows: ChangedRows): string[] {
  const t = incrementalTables(project);
  return sources
    .filter((s) => s.changes === 'snapshot')
    .map((s) =>
      d.createScratchTableAs(
        t.rowsNow(s.name),
        `select x._cdp_row_hash as row_hash, x._cdp_profile_id as profile_id, count(*) as n\nfrom (${rows.hashed(s.name)}) x\nwhere x._cdp_profile_id is not null\ngroup by x._cdp_row_hash, x._cdp_profile_id`,
      ),
    );
}

/**
 * The profiles whose traits may differ from the stored ones (docs/incremental.md#touched), one row each:
 * - rows of an append source past its watermark less `late_arrival`, or without a timestamp, under their
 *   profile now and then;
 * - rows of a snapshot source that are new, changed, gone, or now belong to another profile (row hashes by profile);
 * - rows of an append source whose profile changed (identity merged, split or re-keyed it), both profiles;
 * - rows whose time crossed a trait's edge between the last reference time and this one: newly at or before
 *   `as_of`, or newly outside a window;
 * - profiles that gained or lost an identifier (new profiles among them, so they appear even with no rows).
 */
export function touchedProfilesSql(project: LoadedProject, d: Dialect, sources: readonly Declared<SourceConfig>[], rows: ChangedRows, asOf: Date): string {
  const t = incrementalTables(project);
  const identifiers = d.table(identityTables(identitySpec(project).schema).identifiers);
  const previousAsOf = `(select s.ts from ${d.table(t.state)} s where s.name = 'as_of')`;
  const now = d.timestampLiteral(asOf);
  const parts: string[] = [];
  for (const source of sources) {
    const ts = source.timestamp !== undefined ? d.cast(`x.${d.quoteIdentifier(source.timestamp)}`, 'timestamp') : undefined;
    const crossed = ts ? timeCrossings(project, d, source.name, ts, previousAsOf, now) : [];
    if (source.changes === 'append' && ts) {
      const watermark = `(select w.watermark from ${d.table(t.watermarks)} w where w.source = ${d.stringLiteral(source.name)})`;
      const late = durationSeconds(source.late_arrival ?? DEFAULT_LATE_ARRIVAL);
      const flags = [`coalesce(${ts} > ${d.timestampSub(watermark, late, 'second')}, true)`, 'x._cdp_profile_id is distinct from x._cdp_previous_profile_id', ...crossed];
      const flagged = `from (${rows.appended(source.name, t.identifiers)}) x\nwhere ${flags.map((f) => `(${f})`).join('\n   or ')}`;
      parts.push(`select x._cdp_profile_id as profile_id ${flagged}`, `select x._cdp_previous_profile_id as profile_id ${flagged}`);
    } else {
      parts.push(
        `select coalesce(c.profile_id, s.profile_id) as profile_id\nfrom ${d.scratchTable(t.rowsNow(source.name))} c\nfull outer join ${d.table(t.rows(source.name))} s on s.row_hash = c.row_hash and s.profile_id = c.profile_id\nwhere c.n is null or s.n is null or c.n <> s.n`,
      );
      if (crossed.length) parts.push(`select x._cdp_profile_id as profile_id\nfrom (${rows.hashed(source.name)}) x\nwhere ${crossed.map((f) => `(${f})`).join('\n   or ')}`);
    }
  }
  // Identifiers that moved, appeared or went: the profile on each side (a new profile has no rows to find it by).
  parts.push(
    `select coalesce(i.profile_id, p.profile_id) as profile_id\nfrom ${identifiers} i\nfull outer join ${d.table(t.identifiers)} p on p.id_type = i.id_type and p.id_value = i.id_value\nwhere i.profile_id is null or p.profile_id is null or p.profile_id <> i.profile_id`,
    `select p.profile_id\nfrom ${identifiers} i\njoin ${d.table(t.identifiers)} p on p.id_type = i.id_type and p.id_value = i.id_value\nwhere p.profile_id <> i.profile_id`,
  );
  return `select distinct u.profile_id\nfrom (\n${parts.join('\nunion all\n')}\n) u\nwhere u.profile_id is not null`;
}

/** Conditions on a row's time that are true when it crossed an edge a trait over `source` draws: `as_of`, or a window's start. */
function timeCrossings(project: LoadedProject, d: Dialect, source: string, ts: string, previousAsOf: string, now: string): string[] {
  const windows = [...new Set(project.traits.filter((t) => t.from === source && t.window !== undefined).map((t) => durationSeconds(t.window as string)))];
  return [
    `${ts} > ${previousAsOf} and ${ts} <= ${now}`,
    ...windows.map((seconds) => `${ts} > ${d.timestampSub(previousAsOf, seconds, 'second')} and ${ts} <= ${d.timestampSub(now, seconds, 'second')}`),
  ];
}

/**
 * The statements that store what this build used, as one transaction at the end of the profiles build: the
 * fingerprint and reference time, the identifiers map, each append source's watermark and each snapshot
 * source's row hashes.
 */
export function commitIncrementalState(project: LoadedProject, d: Dialect, sources: readonly Declared<SourceConfig>[], fingerprint: string, asOf: Date): string[] {
  const t = incrementalTables(project);
  const identifiers = d.table(identityTables(identitySpec(project).schema).identifiers);
  const clear = (table: TableRef) => `delete from ${d.table(table)} where 1 = 1`;
  const now = d.timestampLiteral(asOf);
  const nothing = `cast(null as ${d.typeName('timestamp')})`;
  const appendSources = sources.filter((s) => s.changes === 'append' && s.timestamp !== undefined);
  const snapshots = sources.filter((s) => s.changes === 'snapshot');
  const watermark = (s: SourceConfig) => {
    const ts = d.cast(`r.${d.quoteIdentifier(s.timestamp as string)}`, 'timestamp');
    return `select ${d.stringLiteral(s.name)} as source, max(${ts}) as watermark from ${d.table(sourceRelation(project, s))} r where ${ts} <= ${now}`;
  };
  return [
    clear(t.state),
    `insert into ${d.table(t.state)} (name, value, ts) select 'fingerprint', ${d.stringLiteral(fingerprint)}, ${nothing} union all select 'as_of', cast(null as ${d.typeName('string')}), ${now}`,
    clear(t.identifiers),
    `insert into ${d.table(t.identifiers)} (id_type, id_value, profile_id) select id_type, id_value, profile_id from ${identifiers}`,
    clear(t.watermarks),
    ...appendSources.map((s) => `insert into ${d.table(t.watermarks)} (source, watermark) ${watermark(s)}`),
    ...snapshots.flatMap((s) => [clear(t.rows(s.name)), `insert into ${d.table(t.rows(s.name))} (row_hash, profile_id, n) select row_hash, profile_id, n from ${d.scratchTable(t.rowsNow(s.name))}`]),
  ];
}

/** Scratch tables an incremental-capable profiles build drops at its end. */
export function incrementalScratchCleanup(project: LoadedProject, d: Dialect, sources: readonly SourceConfig[]): string[] {
  const t = incrementalTables(project);
  return [t.touched, ...sources.filter((s) => s.changes === 'snapshot').map((s) => t.rowsNow(s.name))].map((x) => d.dropScratchTable(x));
}
