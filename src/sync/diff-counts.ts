import type { Row } from '../warehouse/warehouse.js';
import type { SyncShape } from './sync-shape.js';

/** What a diff holds, counted in the warehouse (for `cdp plan`, progress and the removal guard). */
export interface DiffCounts {
  readonly total: number;
  readonly enter: number;
  readonly change: number;
  readonly leave: number;
  /** Leaving records on which cdp has set something (mirror mode clears those). */
  readonly leaveWithState: number;
  /** Leaving records that hold a membership cdp added (every mode removes those). */
  readonly leaveWithMembers: number;
  /** Records staying in scope that exit at least one synced segment. */
  readonly exiting: number;
  /** Per field: records (already synced) whose value changes. */
  readonly fieldUpdates: readonly number[];
  /** Per field: entering records that get a value. */
  readonly fieldSets: readonly number[];
  /** Per field: values cdp set that this diff nulls or zeroes (what max_field_clears_pct limits). */
  readonly fieldClears: readonly number[];
  /** Per segment: memberships added, removed (in scope), and held by leaving records. */
  readonly adds: readonly number[];
  readonly removes: readonly number[];
  readonly leaveMembers: readonly number[];
}

/** One aggregate row over a diff relation (the diff SELECT as a subquery, or its materialised table). */
export function compileDiffCounts(shape: SyncShape, relation: string): string {
  const n = (cond: string, alias: string) => `count(case when ${cond} then 1 end) as ${alias}`;
  const held = [...shape.fields.map((_, i) => `s${i} is not null`), ...shape.segments.map((_, j) => `sm${j}`)];
  // Moving members out of a retired target is not a removal from the audience (docs/sync-renames.md).
  const exits = shape.segments.flatMap((s, j) => (s.retired ? [] : [`r${j}`]));
  const members = shape.segments.map((_, j) => `sm${j}`);
  const mirror = shape.sync.mode === 'mirror';
  const clears = shape.fields.map((f, i) => {
    const zero = f.type === 'integer' || f.type === 'float' ? ` or v${i} = 0` : '';
    return `(op = 'change' and c${i} and s${i} is not null and (t${i} is null${zero}))${mirror ? ` or (op = 'leave' and s${i} is not null)` : ''}`;
  });
  const parts = [
    'count(*) as n_total',
    n(`op = 'enter'`, 'n_enter'),
    n(`op = 'change'`, 'n_change'),
    n(`op = 'leave'`, 'n_leave'),
    n(`op = 'leave' and (${held.length > 0 ? held.join(' or ') : 'false'})`, 'n_leave_state'),
    n(`op = 'leave' and (${members.length > 0 ? members.join(' or ') : 'false'})`, 'n_leave_mem'),
    n(exits.length > 0 ? exits.join(' or ') : 'false', 'n_exiting'),
    ...clears.map((c, i) => n(c, `n_z${i}`)),
    ...shape.fields.flatMap((_, i) => [n(`op = 'change' and c${i}`, `n_u${i}`), n(`op = 'enter' and c${i}`, `n_e${i}`)]),
    ...shape.segments.flatMap((_, j) => [n(`a${j}`, `n_a${j}`), n(`r${j}`, `n_r${j}`), n(`op = 'leave' and sm${j}`, `n_l${j}`)]),
  ];
  return `select ${parts.join(', ')}\nfrom ${relation}`;
}

export function readDiffCounts(shape: SyncShape, row: Row): DiffCounts {
  const num = (k: string) => Number(row[k] ?? 0);
  return {
    total: num('n_total'),
    enter: num('n_enter'),
    change: num('n_change'),
    leave: num('n_leave'),
    leaveWithState: num('n_leave_state'),
    leaveWithMembers: num('n_leave_mem'),
    exiting: num('n_exiting'),
    fieldUpdates: shape.fields.map((_, i) => num(`n_u${i}`)),
    fieldSets: shape.fields.map((_, i) => num(`n_e${i}`)),
    fieldClears: shape.fields.map((_, i) => num(`n_z${i}`)),
    adds: shape.segments.map((_, j) => num(`n_a${j}`)),
    removes: shape.segments.map((_, j) => num(`n_r${j}`)),
    leaveMembers: shape.segments.map((_, j) => num(`n_l${j}`)),
  };
}

/** Records that would leave the sync or lose a membership: what `max_removals_pct` limits. */
export function removalCount(counts: DiffCounts): number {
  return counts.leave + counts.exiting;
}

