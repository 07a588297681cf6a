import { createHash } from 'node:crypto';
import type { Dialect, TableRef } from '../dialect/dialect.js';
import { typeIndex, type IdentitySource, type IdentitySpec } from './identity-spec.js';
import type { IdentityTables } from './identity-tables.js';
import { normalizeSql } from './normalize-sql.js';
import { storedTime } from '../model/stored-time.js';
import type { Row } from '../warehouse/warehouse.js';

/**
 * Step 1: per source, a scratch table `grp_<i>` with one row per distinct combination of
 * normalised identifiers (a "row group": events repeating the same ids collapse into one), with
 * the row count, first/last time and the smallest primary key as evidence. Columns v0..vk follow
 * the source's `identifiers:` order. Rows stamped after the run's as-of time are not known yet.
 *
 * Grouped twice: first by the raw values (cheap, most events repeat the same ids), then the distinct
 * raw combinations are normalised and grouped again, so normalisation runs once per distinct
 * combination rather than once per row. The groups without any usable value are dropped by a condition on
 * an aggregate (`having max(v) is not null`): a `where` on the normalised values would be pushed below the
 * first grouping by the optimiser (DuckDB does), and normalise every row.
 *
 * An append source (`changes: append`) is not read whole (docs/incremental.md#identity): its rows up to its
 * watermark less `late_arrival` (`since`) are kept grouped in `_identity_settled_<source>`. A build adds the
 * rows that passed `since` since the last one, then reads only the rows after it, or without a time, and
 * groups them together with the kept groups. Every part of a
 * group adds up from its parts (rows, first and last seen, smallest key), so the groups are the ones a whole
 * read gives, except for rows that arrive later than `late_arrival`: those wait for `--full-refresh`.
 */
export function groupedSql(d: Dialect, spec: IdentitySpec, t: IdentityTables, asOf: Date, floors: ReadonlyMap<string, Date> = new Map()): string[] {
  const kept = new Map(keptGroups(d, spec, t).map((k) => [k.index, k]));
  return spec.sources.flatMap((s, i) => {
    const grp = t.scratch(`grp_${i}`);
    const k = kept.get(i);
    // A source read from files is grouped by its own step (FileGroups).
    if (s.files) return [];
    if (!k) return [d.createScratchTableAs(grp, sourceGroups(d, s, knownBy(d, s, asOf)))];
    const floor = floors.get(s.name);
    return [...k.validate(asOf), d.createScratchTableAs(k.next, k.nextSince(asOf, floor)), ...k.settle(floor), d.createScratchTableAs(grp, k.withTail(asOf, floor))];
  });
}

/**
 * Where each append source's reads may start (`groupedSql`'s `floors`): a second before the `since` its kept groups
 * stored, read before the build. Every row the kept-groups statements read is after `since`, so a plain condition on
 * the row's time at or after this literal changes no result, but lets the engine skip what lies before it (DuckDB by
 * each block's min and max; an append source read from files is stored in time order, docs/incremental.md). None
 * for a `since` not before as-of: `validate` drops it, and the source is read whole.
 */
export function keptFloors(rows: readonly Row[], asOf: Date): ReadonlyMap<string, Date> {
  return new Map(
    rows.flatMap((r) => {
      const since = storedTime(r.since);
      return since && since.getTime() < asOf.getTime() - 1000 ? [[String(r.source), keptFloor(since)] as const] : [];
    }),
  );
}

/** A second before `since`: at or before it whatever precision the engine stored it with. */
export function keptFloor(since: Date): Date {
  return new Date(since.getTime() - 1000);
}

/** The query `keptFloors` reads. */
export function keptFloorsSql(d: Dialect, t: IdentityTables): string {
  return `select source, since from ${d.table(t.settled)}`;
}

/** The kept row groups of every append source. */
export function keptGroups(d: Dialect, spec: IdentitySpec, t: IdentityTables): Kept[] {
  return spec.sources.flatMap((s, i) => (isAppend(s) ? [new Kept(d, t, s, i)] : []));
}

/** A row group's figures from the parts it is grouped from: every one adds up (docs/incremental.md#identity). */
const GROUP_PARTS = 'sum(n_rows) as n_rows, min(first_seen) as first_seen, max(last_seen) as last_seen, min(evidence) as evidence';

type AppendSource = IdentitySource & { readonly append: NonNullable<IdentitySource['append']> };

function isAppend(s: IdentitySource): s is AppendSource {
  return s.append !== undefined;
}

/** Rows with a time at or before `asOf`, or without one. */
function knownBy(d: Dialect, s: IdentitySource, asOf: Date): string | undefined {
  return s.timestamp === undefined ? undefined : `r.${d.quoteIdentifier(s.timestamp)} is null or ${seenSql(d, s)} <= ${d.timestampLiteral(asOf)}`;
}

function seenSql(d: Dialect, s: IdentitySource): string {
  return s.timestamp !== undefined ? d.cast(`r.${d.quoteIdentifier(s.timestamp)}`, 'timestamp') : `cast(null as ${d.typeName('timestamp')})`;
}

/** The row groups of `s`'s rows (aliased `r`) that meet `where`. */
function sourceGroups(d: Dialect, s: IdentitySource, where: string | undefined): string {
  const q = (c: string) => `r.${d.quoteIdentifier(c)}`;
  const vs = s.identifiers.map((_, j) => `v${j}`);
  const raws = s.identifiers.map((c) => q(c.column));
  const seen = seenSql(d, s);
  const pk = s.primaryKey !== undefined ? d.cast(q(s.primaryKey), 'string') : `cast(null as ${d.typeName('string')})`;
  return `select ${vs.join(', ')}, ${GROUP_PARTS}
from (
  select ${s.identifiers.map((c, j) => `${normalizeSql(d, c.type, `x.r${j}`)} as v${j}`).join(',\n    ')},
    n_rows, first_seen, last_seen, evidence
  from (
    select ${raws.map((r, j) => `${r} as r${j}`).join(', ')},
      count(*) as n_rows, min(${seen}) as first_seen, max(${seen}) as last_seen, min(${pk}) as evidence
    from ${d.table(s.relation)} r${where === undefined ? '' : `\n    where ${where}`}
    group by ${raws.join(', ')}
  ) x
) y
group by ${vs.join(', ')}
having ${vs.map((v) => `max(${v}) is not null`).join(' or ')}`;
}

/**
 * An append source's kept row groups (`_identity_settled_<source>`) and its row in `_identity_settled`: what a
 * build reads them with, and what it stores when it publishes. `since` is where the kept rows end.
 */
export class Kept {
  readonly ref: TableRef;
  readonly table: string;
  readonly bounds: string;
  /** Scratch: this build's new `since`, the watermark (at or before as-of) less late_arrival. */
  readonly next: TableRef;
  private readonly name: string;
  private readonly columns: string;

  constructor(
    private readonly d: Dialect,
    t: IdentityTables,
    private readonly s: AppendSource,
    readonly index: number,
  ) {
    this.ref = t.settledRows(s.name);
    this.table = d.table(this.ref);
    this.bounds = d.table(t.settled);
    this.next = t.scratch(`settle_${index}`);
    this.name = d.stringLiteral(s.name);
    this.columns = [...s.identifiers.map((_, j) => `v${j}`), 'n_rows', 'first_seen', 'last_seen', 'evidence'].join(', ');
  }

  get label(): string {
    return this.s.name;
  }

  /** The stored fingerprint of the kept groups: another one (or none) means the table is made again. */
  get fingerprintSql(): string {
    return `select b.fingerprint as stamp from ${this.bounds} b where b.source = ${this.name}`;
  }

  /**
   * The kept groups' table made again, empty, with this build's columns (one per identifier column: adding one
   * changes its shape), and the source's row in `_identity_settled` dropped.
   */
  recreate(): string[] {
    const str = this.d.typeName('string');
    const ts = this.d.typeName('timestamp');
    const vs = this.s.identifiers.map((_, j) => `v${j} ${str}`);
    return [
      this.d.dropTable(this.ref),
      `create table ${this.table} (${vs.join(', ')}, n_rows ${this.d.typeName('integer')}, first_seen ${ts}, last_seen ${ts}, evidence ${str})`,
      `delete from ${this.bounds} where source = ${this.name}`,
    ];
  }

  /** What decides whether the kept groups are compacted: their rows now and after the last compaction. */
  get sizeSql(): string {
    return `select (select count(*) from ${this.table}) as n, (select b.compacted from ${this.bounds} b where b.source = ${this.name}) as compacted`;
  }

  /**
   * Each build adds the groups of the rows it settled, so a combination of identifiers seen again is kept
   * once more; when the kept rows have doubled since the last compaction, they are grouped again (in one
   * transaction, after publishing), which keeps the cost of a build in line with the distinct groups.
   */
  compact(scratch: TableRef): { readonly before: string[]; readonly swap: string[]; readonly after: string[] } {
    const vs = this.s.identifiers.map((_, j) => `v${j}`).join(', ');
    return {
      before: [
        this.d.createScratchTableAs(
          scratch,
          `select ${vs}, ${GROUP_PARTS} from ${this.table} group by ${vs}`,
        ),
      ],
      swap: [
        `delete from ${this.table} where 1 = 1`,
        `insert into ${this.table} (${this.columns}) select ${this.columns} from ${this.d.scratchTable(scratch)}`,
        `update ${this.bounds} set compacted = (select count(*) from ${this.table}) where source = ${this.name}`,
      ],
      after: [this.d.dropScratchTable(scratch)],
    };
  }

  /** What the kept groups were made with: the grouping SQL and late_arrival. Another fingerprint discards them. */
  get fingerprint(): string {
    const sql = sourceGroups(this.d, this.s, undefined);
    return createHash('sha256').update(JSON.stringify([sql, this.s.append.lateSeconds])).digest('hex').slice(0, 16);
  }

  private atOrAfter(floor: Date): string {
    return `${seenSql(this.d, this.s)} >= ${this.d.timestampLiteral(floor)}`;
  }

  private get since(): string {
    return `(select b.since from ${this.bounds} b where b.source = ${this.name})`;
  }

  /**
   * Kept groups reaching past this build's as-of (it went back) are dropped first. Groups made another way never
   * get here: their table is made again before (identity-plan.ts, by `fingerprint`).
   */
  validate(asOf: Date): string[] {
    const past = `since > ${this.d.timestampLiteral(asOf)}`;
    return [
      `delete from ${this.table} where exists (select 1 from ${this.bounds} b where b.source = ${this.name} and b.${past})`,
      `delete from ${this.bounds} where source = ${this.name} and ${past}`,
    ];
  }

  /** The kept groups and this build's rows after `since` (all rows when nothing is kept), grouped together. */
  withTail(asOf: Date, floor?: Date): string {
    const { d, s } = this;
    const seen = seenSql(d, s);
    const noTime = `r.${d.quoteIdentifier(s.append.timestamp)} is null`;
    const upTo = `${seen} <= ${d.timestampLiteral(asOf)}`;
    const after = `${this.since} is null or ${seen} > ${this.since}`;
    // With a floor, the conditions on the row alone are a conjunct of their own, which the engine applies as it reads.
    const tail = floor
      ? `(${noTime} or (${upTo} and ${this.atOrAfter(floor)})) and (${noTime} or ${after})`
      : `${noTime} or (${upTo} and (${after}))`;
    const vs = s.identifiers.map((_, j) => `v${j}`).join(', ');
    return `select ${vs}, ${GROUP_PARTS}
from (
  select ${this.columns} from ${this.table}
  union all
  select ${this.columns} from (${sourceGroups(d, s, tail)}) g
) k
group by ${vs}`;
  }

  /**
   * Below the floor (`keptFloors`) the latest time is older than `since`, which then stays: reading only from the
   * floor on gives none instead, and `settle` keeps `since` then too.
   */
  nextSince(asOf: Date, floor?: Date): string {
    const { d, s } = this;
    const seen = seenSql(d, s);
    const watermark = `(select max(${seen}) from ${d.table(s.relation)} r where ${seen} <= ${d.timestampLiteral(asOf)}${floor ? ` and ${this.atOrAfter(floor)}` : ''})`;
    return `select ${d.timestampSub(watermark, s.append.lateSeconds, 'second')} as since`;
  }

  /**
   * The rows between the old and the new `since` join the kept groups, and `since` moves on (never back: an
   * append source whose latest rows went keeps its `since`). Written before the build publishes: until it
   * does, `_identity_state` says `running`, and a build that fails makes the next one start over.
   */
  settle(floor?: Date): string[] {
    const { d, s } = this;
    const seen = seenSql(d, s);
    const next = `(select n.since from ${d.scratchTable(this.next)} n)`;
    const settling = `r.${d.quoteIdentifier(s.append.timestamp)} is not null${floor ? ` and ${this.atOrAfter(floor)}` : ''} and ${seen} <= ${next} and (${this.since} is null or ${seen} > ${this.since})`;
    return [
      `insert into ${this.table} (${this.columns}) select ${this.columns} from (${sourceGroups(d, s, settling)}) g`,
      `update ${this.bounds} set since = case when ${next} is null or ${next} < since then since else ${next} end where source = ${this.name}`,
      `insert into ${this.bounds} (source, fingerprint, since, compacted)
select ${this.name}, ${d.stringLiteral(this.fingerprint)}, ${next}, (select count(*) from ${this.table})
from (select 1 as one) x where not exists (select 1 from ${this.bounds} b where b.source = ${this.name})`,
    ];
  }
}

/** The row groups of every source read from files. */
export function fileGroups(d: Dialect, spec: IdentitySpec, t: IdentityTables): FileGroups[] {
  return spec.sources.flatMap((s, i) => (s.files ? [new FileGroups(d, t, s, i)] : []));
}

/**
 * A source read from files (`path:`, not append) has its table written only when its files change
 * (docs/incremental.md#file-sources). Its row groups are kept in `_identity_files_<source>`, with the files' stamp
 * they were made from in `_identity_files`; while the stamp in `_cdp_file_sources` is still that one, the table
 * holds the same rows and the kept groups are read instead. Also needed: the same grouping SQL (`fingerprint`), and
 * the same rows known when they were made and now (no row's time between the two as-of times), since a build reads
 * only the rows up to its as-of. A table written from `cdp pull`'s records has no stamp row, so it is
 * grouped on every build and its groups are not kept. A full build empties `_identity_files` (identity-plan.ts).
 */
export class FileGroups {
  readonly grp: TableRef;
  readonly ref: TableRef;
  private readonly name: string;
  private readonly columns: string;

  constructor(
    private readonly d: Dialect,
    private readonly t: IdentityTables,
    private readonly s: IdentitySource,
    readonly index: number,
  ) {
    this.grp = t.scratch(`grp_${index}`);
    this.ref = t.fileGroups(s.name);
    this.name = d.stringLiteral(s.name);
    this.columns = [...s.identifiers.map((_, j) => `v${j}`), 'n_rows', 'first_seen', 'last_seen', 'evidence'].join(', ');
  }

  get label(): string {
    return this.s.name;
  }

  /** What the grouping is: another fingerprint (an identifier column, its normalisation, the timestamp) groups again. */
  get fingerprint(): string {
    return createHash('sha256').update(sourceGroups(this.d, this.s, undefined)).digest('hex').slice(0, 16);
  }

  /**
   * One row when the kept groups are this build's: same files' stamp, same grouping, and the same rows known then and
   * now. That holds when every row was known at both as-of times, or else when no row's time falls between them (a
   * row dated in the future, such as one from a clock ahead of ours, then keeps nothing from being kept).
   */
  keptSql(asOf: Date, stamps: TableRef): string {
    const { d, s } = this;
    const now = d.timestampLiteral(asOf);
    const between = `select 1 from ${d.table(s.relation)} r where ${seenSql(d, s)} > least(g.as_of, ${now}) and ${seenSql(d, s)} <= greatest(g.as_of, ${now})`;
    const known = `g.max_seen is null or (g.max_seen <= ${now} and g.max_seen <= g.as_of) or not exists (${between})`;
    return `select count(*) as n from ${d.table(this.t.files)} g join ${d.table(stamps)} f on f.source = g.source and f.stamp = g.stamp
where g.source = ${this.name} and g.fingerprint = ${d.stringLiteral(this.fingerprint)} and (${known})`;
  }

  keep(): string[] {
    return [this.d.createScratchTableAs(this.grp, `select ${this.columns} from ${this.d.table(this.ref)}`)];
  }

  /** Grouped from the table, and kept with the stamp the table was written with (none: not kept). */
  read(asOf: Date, stamps: TableRef): string[] {
    const { d, s } = this;
    const files = d.table(this.t.files);
    const stamp = `from ${d.table(stamps)} f where f.source = ${this.name}`;
    const maxSeen = s.timestamp === undefined ? `cast(null as ${d.typeName('timestamp')})` : `(select max(${seenSql(d, s)}) from ${d.table(s.relation)} r)`;
    return [
      `delete from ${files} where source = ${this.name}`,
      d.createScratchTableAs(this.grp, sourceGroups(d, s, knownBy(d, s, asOf))),
      d.createTableAs(this.ref, `select ${this.columns} from ${d.scratchTable(this.grp)} where exists (select 1 ${stamp})`),
      `insert into ${files} (source, fingerprint, stamp, max_seen, as_of)
select ${this.name}, ${d.stringLiteral(this.fingerprint)}, f.stamp, ${maxSeen}, ${d.timestampLiteral(asOf)} ${stamp}`,
    ];
  }
}

/** Column j of source i, strongest first: by priority, then type name, then column order. Static, never data-dependent. */
export function columnsByStrength(s: IdentitySource): readonly number[] {
  return s.identifiers
    .map((c, j) => ({ c, j }))
    .sort((x, y) => x.c.type.priority - y.c.type.priority || (x.c.type.name < y.c.type.name ? -1 : x.c.type.name > y.c.type.name ? 1 : 0) || x.j - y.j)
    .map((x) => x.j);
}

/** Every (source, column) as one long relation: the type's place (`ti`, `typeIndex`), the value and the row group's counts. */
export function observationsUnion(d: Dialect, spec: IdentitySpec, t: IdentityTables): string {
  const parts = spec.sources.flatMap((s, i) =>
    s.identifiers.map(
      (c, j) =>
        `select ${typeIndex(spec, c.type.name)} as ti, v${j} as id_value, n_rows, first_seen, last_seen from ${d.scratchTable(t.scratch(`grp_${i}`))} where v${j} is not null`,
    ),
  );
  if (parts.length > 0) return `(${parts.join('\n  union all\n  ')})`;
  const str = d.typeName('string');
  const ts = d.typeName('timestamp');
  return `(select cast(null as ${d.typeName('integer')}) as ti, cast(null as ${str}) as id_value, cast(null as ${d.typeName('integer')}) as n_rows, cast(null as ${ts}) as first_seen, cast(null as ${ts}) as last_seen from ${d.table(t.state)} where 1 = 0)`;
}
