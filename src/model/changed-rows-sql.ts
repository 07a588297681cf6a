import type { Dialect, TableRef } from '../dialect/dialect.js';

export interface ChangedRowsSpec {
  /** The stored table to bring in line. */
  readonly target: TableRef;
  /** What it should hold: a relation (a table reference or a parenthesised select) with the same columns. */
  readonly next: string;
  /** Columns that identify a row; unique and never null in both `target` and `next`. */
  readonly key: readonly string[];
  /** The other columns. */
  readonly values: readonly string[];
  /** Scratch tables: `next`'s rows that are new or differ (`changed`), and the keys `next` no longer has (`gone`). */
  readonly changed: TableRef;
  readonly gone: TableRef;
  /** Columns the inserted rows are written in order of, where storage benefits (`Dialect.capabilities.zoneMaps`). */
  readonly order?: readonly string[];
}

/**
 * Brings a stored table in line with its next contents by changing only the rows that differ, rather than
 * deleting and inserting every row (docs/incremental.md#what-an-incremental-build-writes). `find` compares the
 * two by key into scratch tables, `apply` deletes the rows whose key changed or went and inserts the changed
 * rows (put it in the transaction that publishes), `cleanup` drops the scratch tables.
 */
export function changedRowsSql(d: Dialect, spec: ChangedRowsSpec) {
  const target = d.table(spec.target);
  const changed = d.scratchTable(spec.changed);
  const gone = d.scratchTable(spec.gone);
  const on = (x: string, y: string) => spec.key.map((k) => `${x}.${k} = ${y}.${k}`).join(' and ');
  const differs = spec.values.map((c) => ` or n.${c} is distinct from o.${c}`).join('');
  return {
    find: [
      d.createScratchTableAs(spec.changed, `select ${spec.key.concat(spec.values).map((c) => `n.${c}`).join(', ')}
from ${spec.next} n left join ${target} o on ${on('o', 'n')}
where o.${spec.key[0]} is null${differs}`),
      d.createScratchTableAs(spec.gone, `select ${spec.key.map((k) => `o.${k}`).join(', ')}
from ${target} o left join ${spec.next} n on ${on('o', 'n')}
where n.${spec.key[0]} is null`),
    ],
    apply: applyChangedRowsSql(d, spec),
    cleanup: [d.dropScratchTable(spec.changed), d.dropScratchTable(spec.gone)],
    /** The scratch tables, as `find` writes them. */
    tables: { changed, gone },
  };
}

/**
 * The `apply` of `changedRowsSql`, for a caller that finds the `changed` rows and `gone` keys its own way: deletes the
 * target's rows whose key changed or went, and inserts the changed rows. Put it in the transaction that publishes.
 */
export function applyChangedRowsSql(d: Dialect, spec: Pick<ChangedRowsSpec, 'target' | 'key' | 'values' | 'changed' | 'gone' | 'order'>): string[] {
  const target = d.table(spec.target);
  const changed = d.scratchTable(spec.changed);
  const keys = spec.key.join(', ');
  const columns = [...spec.key, ...spec.values].join(', ');
  const on = spec.key.map((k) => `k.${k} = x.${k}`).join(' and ');
  return [
    `delete from ${target} x where exists (select 1 from (select ${keys} from ${changed} union all select ${keys} from ${d.scratchTable(spec.gone)}) k where ${on})`,
    `insert into ${target} (${columns}) select ${columns} from ${changed}${storageOrder(d, spec.order)}`,
  ];
}

/**
 * ` order by <columns>` where storage keeps each block's smallest and largest values (DuckDB): a table whose rows are
 * written in the order its lookups use lets a lookup of a few keys skip the other blocks. Empty elsewhere.
 */
export function storageOrder(d: Dialect, columns: readonly string[] | undefined): string {
  return d.capabilities.zoneMaps && columns && columns.length > 0 ? `\norder by ${columns.join(', ')}` : '';
}
