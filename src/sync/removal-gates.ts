import type { Dialect } from '../dialect/dialect.js';
import type { Row } from '../warehouse/warehouse.js';
import { removalCount, type DiffCounts } from './diff-counts.js';
import type { SyncShape } from './sync-shape.js';
import { describeTarget } from './sync-summary.js';

/**
 * One removal gate of one sync (docs/guarantees.md#a-bad-build-does-not-empty-your-crm): what this run
 * would take away, against what cdp confirmed before. Keys are snake_case: this goes to `--json` as is.
 *
 * - `records`: records leaving the sync or losing a membership, of all synced records (`max_removals_pct`);
 * - `audience`: members removed from one list, campaign or segment field, of its members (`max_audience_removals_pct`);
 * - `field`: values cdp set in one field that would be nulled or zeroed, of the values it set (`max_field_clears_pct`).
 */
export interface RemovalGate {
  readonly sync: string;
  readonly gate: 'records' | 'audience' | 'field';
  /** The segment (audience), the destination field (field), or the sync's object (records). */
  readonly name: string;
  readonly target: string;
  readonly removed: number;
  readonly of: number;
  readonly pct: number;
  readonly max_pct: number;
  readonly exceeded: boolean;
}

/** What the sync's state holds before this run: records, members per segment, values set per field. */
export interface StateCounts {
  readonly records: number;
  readonly members: readonly number[];
  readonly values: readonly number[];
}

/** One aggregate row over `sync_state_<sync>`; undefined when it does not exist yet (nothing to remove). */
export function compileStateCounts(shape: SyncShape, d: Dialect, stateColumns: ReadonlySet<string> | undefined): string | undefined {
  if (stateColumns === undefined) return undefined;
  const has = (c: string) => stateColumns.has(c.toLowerCase());
  const q = (c: string) => d.quoteIdentifier(c);
  const parts = [
    'count(*) as n_records',
    ...shape.segments.map((s, j) => (has(s.column) ? `count(case when ${q(s.column)} then 1 end) as n_m${j}` : `0 as n_m${j}`)),
    ...shape.fields.map((f, i) => (has(f.column) ? `count(${q(f.column)}) as n_f${i}` : `0 as n_f${i}`)),
  ];
  return `select ${parts.join(', ')} from ${d.table(shape.tables.state)}`;
}

export function readStateCounts(shape: SyncShape, row: Row | undefined): StateCounts {
  const num = (k: string) => Number(row?.[k] ?? 0);
  return { records: num('n_records'), members: shape.segments.map((_, j) => num(`n_m${j}`)), values: shape.fields.map((_, i) => num(`n_f${i}`)) };
}

/** Every gate of one sync, exceeded or not (a gate with nothing confirmed before it never trips). */
export function removalGates(shape: SyncShape, counts: DiffCounts, state: StateCounts): RemovalGate[] {
  const sync = shape.sync;
  const gate = (kind: RemovalGate['gate'], name: string, target: string, removed: number, of: number, max: number): RemovalGate => {
    const pct = of === 0 ? 0 : Math.round((removed / of) * 10_000) / 100;
    return { sync: sync.sync, gate: kind, name, target, removed, of, pct, max_pct: max, exceeded: of > 0 && pct > max };
  };
  return [
    gate('records', sync.object, `${sync.destination} ${sync.object}`, removalCount(counts), state.records, sync.max_removals_pct),
    // A renamed target's old list or field is emptied on purpose (docs/sync-renames.md): not a removal to gate.
    ...shape.segments.flatMap((s, j) =>
      s.retired ? [] : [gate('audience', s.segment, describeTarget(s.target), counts.removes[j] + counts.leaveMembers[j], state.members[j], s.target.max_removals_pct ?? sync.max_audience_removals_pct)],
    ),
    ...shape.fields.flatMap((f, i) => (f.retired ? [] : [gate('field', f.name, `field ${f.name}`, counts.fieldClears[i], state.values[i], sync.max_field_clears_pct)])),
  ];
}

const SETTING: Readonly<Record<RemovalGate['gate'], string>> = { records: 'max_removals_pct', audience: 'max_audience_removals_pct', field: 'max_field_clears_pct' };

/** `contacts: list "CDP: High value" would lose 66 of 66 members (100%), more than max_audience_removals_pct 20` */
export function gateLine(g: RemovalGate): string {
  const what =
    g.gate === 'records'
      ? `would remove ${g.removed} of ${g.of} synced records`
      : g.gate === 'audience'
        ? `${g.target} would lose ${g.removed} of ${g.of} members`
        : `would null or zero ${g.removed} of ${g.of} values cdp set in ${g.name}`;
  return `${g.sync}: ${what} (${g.pct}%), ${g.exceeded ? 'more than' : 'within'} ${SETTING[g.gate]} ${g.max_pct}`;
}
