import type { Row, Value } from '../warehouse/warehouse.js';
import type { SyncShape } from './sync-shape.js';

export type DiffOp = 'enter' | 'change' | 'leave';

/** One row of a diff (see diff-sql.ts), typed. Arrays follow the shape's fields and segments. */
export interface DiffRecord {
  readonly seq: number;
  readonly op: DiffOp;
  readonly key: string;
  readonly profileId: string | null;
  readonly destinationId: string | null;
  /** Per field: the trait value, its text, the stored text, and whether it must be sent. */
  readonly values: readonly Value[];
  readonly texts: readonly (string | null)[];
  readonly stored: readonly (string | null)[];
  readonly changed: readonly boolean[];
  /** Per segment: desired and stored membership, and whether to add or remove it. */
  readonly desired: readonly boolean[];
  readonly member: readonly boolean[];
  readonly add: readonly boolean[];
  readonly remove: readonly boolean[];
}

const text = (v: Value | undefined): string | null => (v === null || v === undefined ? null : String(v));
const flag = (v: Value | undefined): boolean => v === true || v === 'true' || v === 1;

export function readDiffRecord(shape: SyncShape, row: Row): DiffRecord {
  const op = row.op;
  if (op !== 'enter' && op !== 'change' && op !== 'leave') throw new Error(`unexpected diff op ${String(op)}`);
  const f = shape.fields.map((_, i) => i);
  const s = shape.segments.map((_, j) => j);
  return {
    seq: Number(row.seq ?? 0),
    op,
    key: String(row.match_key),
    profileId: text(row.profile_id),
    destinationId: text(row.destination_id),
    values: f.map((i) => row[`v${i}`] ?? null),
    texts: f.map((i) => text(row[`t${i}`])),
    stored: f.map((i) => text(row[`s${i}`])),
    changed: f.map((i) => flag(row[`c${i}`])),
    desired: s.map((j) => flag(row[`d${j}`])),
    member: s.map((j) => flag(row[`sm${j}`])),
    add: s.map((j) => flag(row[`a${j}`])),
    remove: s.map((j) => flag(row[`r${j}`])),
  };
}
