import type { Dialect, TableRef } from '../dialect/dialect.js';
import type { Row } from '../warehouse/warehouse.js';

/** The fixed columns of a pulled table, before one column per CRM field. */
export const PULL_COLUMNS = ['id', 'deleted', 'merged_into', 'pulled_at', 'run_id', 'pulled_ms'] as const;

export function createPulledTableSql(d: Dialect, table: TableRef, fieldColumns: readonly string[]): string {
  const cols = [
    `${d.quoteIdentifier('id')} ${d.typeName('string')}`,
    `${d.quoteIdentifier('deleted')} ${d.typeName('boolean')}`,
    `${d.quoteIdentifier('merged_into')} ${d.typeName('string')}`,
    `${d.quoteIdentifier('pulled_at')} ${d.typeName('timestamp')}`,
    `${d.quoteIdentifier('run_id')} ${d.typeName('string')}`,
    // When the pull that last wrote the row started (epoch ms): drift checks read rows pulled since their last check.
    `${d.quoteIdentifier('pulled_ms')} ${d.typeName('integer')}`,
    ...fieldColumns.map((c) => `${d.quoteIdentifier(c)} ${d.typeName('string')}`),
  ];
  return `create table if not exists ${d.table(table)} (${cols.join(', ')})`;
}

/** `crm_pull_marks`: per destination and object, the time the last pull started (epoch ms). */
export function createMarksSql(d: Dialect, table: TableRef): string {
  return `create table if not exists ${d.table(table)} (destination ${d.typeName('string')}, object ${d.typeName('string')}, pulled_ms ${d.typeName('integer')})`;
}

export function readMark(rows: readonly Row[]): number | undefined {
  const ms = rows[0]?.ms;
  return ms === null || ms === undefined ? undefined : Number(ms);
}

export function setMarkSql(d: Dialect, table: TableRef, destination: string, object: string, ms: number): string[] {
  const where = `destination = ${d.literal(destination)} and object = ${d.literal(object)}`;
  return [`delete from ${d.table(table)} where ${where}`, `insert into ${d.table(table)} (destination, object, pulled_ms) values (${d.literal(destination)}, ${d.literal(object)}, ${ms})`];
}

/** A pulled row: the record id, whether it is gone (and into which record it merged), and its field texts. */
export interface PulledRow {
  readonly id: string;
  readonly deleted: boolean;
  readonly mergedInto: string | null;
  readonly values: readonly (string | null)[];
}

/** Replaces the rows of these ids (delete, then insert), so pulling a record twice keeps one row. */
export function upsertPulledRowsSql(d: Dialect, table: TableRef, fieldColumns: readonly string[], rows: readonly PulledRow[], runId: string, now: Date, pulledMs: number): string[] {
  const out: string[] = [];
  const names = [...PULL_COLUMNS, ...fieldColumns].map((c) => d.quoteIdentifier(c)).join(', ');
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    out.push(`delete from ${d.table(table)} where id in (${chunk.map((r) => d.literal(r.id)).join(', ')})`);
    out.push(
      `insert into ${d.table(table)} (${names}) values\n${chunk
        .map((r) => `(${[d.literal(r.id), d.literal(r.deleted), d.literal(r.mergedInto), d.timestampLiteral(now), d.literal(runId), String(pulledMs), ...r.values.map((v) => d.literal(v))].join(', ')})`)
        .join(',\n')}`,
    );
  }
  return out;
}

/** Marks records gone: rows already pulled are flagged, ids never seen get a row of their own. */
export function markGoneSql(
  d: Dialect,
  table: TableRef,
  gone: readonly { readonly id: string; readonly mergedInto: string | null }[],
  known: ReadonlySet<string>,
  runId: string,
  now: Date,
  pulledMs: number,
): string[] {
  const out: string[] = [];
  for (const g of gone.filter((x) => known.has(x.id))) {
    out.push(`update ${d.table(table)} set deleted = true, merged_into = ${d.literal(g.mergedInto)}, pulled_at = ${d.timestampLiteral(now)}, run_id = ${d.literal(runId)}, pulled_ms = ${pulledMs} where id = ${d.literal(g.id)}`);
  }
  const fresh = gone.filter((x) => !known.has(x.id));
  for (let i = 0; i < fresh.length; i += 500) {
    const chunk = fresh.slice(i, i + 500);
    out.push(
      `insert into ${d.table(table)} (id, deleted, merged_into, pulled_at, run_id, pulled_ms) values\n${chunk.map((g) => `(${d.literal(g.id)}, true, ${d.literal(g.mergedInto)}, ${d.timestampLiteral(now)}, ${d.literal(runId)}, ${pulledMs})`).join(',\n')}`,
    );
  }
  return out;
}
