import type { LoadedProject } from '../config/load-project.js';
import type { SegmentTarget } from '../config/schema.js';
import type { SqlType } from '../dialect/dialect.js';
import { cdpTable } from '../model/relations.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import type { SyncShape } from './sync-shape.js';

/**
 * What one state column of a sync was last written to (docs/tables.md#syncs): a destination field, or a
 * segment's list / campaign / boolean field. Kept in `_cdp_sync_targets`, so that a renamed target is
 * noticed and its members moved, or its old field cleared (docs/sync-renames.md).
 */
export type RecordedTarget =
  | { readonly kind: 'field'; readonly column: string; readonly field: string; readonly type: SqlType }
  | { readonly kind: 'segment'; readonly column: string; readonly segment: string; readonly target: SegmentTarget };

/** A target's identity: the list, campaign or field it writes to (a campaign's member status is not part of it). */
export function targetKey(target: SegmentTarget): string {
  if ('list' in target) return `list:${target.list}`;
  if ('campaign' in target) return `campaign:${target.campaign}`;
  return `field:${target.field}`;
}

const COLUMNS = ['sync', 'state_column', 'kind', 'name', 'target'] as const;

function table(project: LoadedProject) {
  return cdpTable(project, '_cdp_sync_targets');
}

/** The targets recorded for a sync; none when the table does not exist yet (`cdp plan` never creates it). */
export async function readTargets(warehouse: Warehouse, project: LoadedProject, sync: string): Promise<RecordedTarget[]> {
  if (!(await warehouse.tableExists(table(project)))) return [];
  const d = warehouse.dialect;
  const rows = await warehouse.query(`select state_column, kind, name, target from ${d.table(table(project))} where sync = ${d.literal(sync)} order by state_column`, {
    label: `read targets of ${sync}`,
  });
  return rows.flatMap((r): RecordedTarget[] => {
    const column = String(r.state_column);
    try {
      const target: unknown = JSON.parse(String(r.target));
      if (r.kind === 'field') return [{ kind: 'field', column, field: String(r.name), type: (target as { type: SqlType }).type }];
      if (r.kind === 'segment') return [{ kind: 'segment', column, segment: String(r.name), target: target as SegmentTarget }];
    } catch {
      // a row this version cannot read is ignored: its column is then treated as unknown
    }
    return [];
  });
}

/** The targets a shape writes: its mapped fields and segments, and the retired ones still being cleared. */
export function shapeTargets(shape: SyncShape): RecordedTarget[] {
  return [
    ...shape.fields.map((f): RecordedTarget => ({ kind: 'field', column: f.column, field: f.name, type: f.type })),
    ...shape.segments.map((s): RecordedTarget => ({ kind: 'segment', column: s.column, segment: s.retired?.segment ?? s.segment, target: s.target })),
  ];
}

/** Whether two lists hold the same targets (in any order): then nothing needs recording. */
export function sameTargets(a: readonly RecordedTarget[], b: readonly RecordedTarget[]): boolean {
  const text = (list: readonly RecordedTarget[]) => list.map((t) => JSON.stringify(t)).sort().join('\n');
  return text(a) === text(b);
}

/** Replaces the sync's recorded targets, in one transaction. Run before anything is sent. */
export async function writeTargets(warehouse: Warehouse, project: LoadedProject, sync: string, targets: readonly RecordedTarget[]): Promise<void> {
  const d = warehouse.dialect;
  const s = d.typeName('string');
  await warehouse.execute(`create table if not exists ${d.table(table(project))} (${COLUMNS.map((c) => `${d.quoteIdentifier(c)} ${s}`).join(', ')})`, { label: 'create _cdp_sync_targets' });
  const rows = targets.map((t) =>
    [sync, t.column, t.kind, t.kind === 'field' ? t.field : t.segment, JSON.stringify(t.kind === 'field' ? { type: t.type } : t.target)].map((v) => d.literal(v)).join(', '),
  );
  await warehouse.transaction(
    [
      `delete from ${d.table(table(project))} where sync = ${d.literal(sync)}`,
      ...(rows.length > 0 ? [`insert into ${d.table(table(project))} (${COLUMNS.map((c) => d.quoteIdentifier(c)).join(', ')}) values ${rows.map((r) => `(${r})`).join(', ')}`] : []),
    ],
    { label: `record targets of ${sync}` },
  );
}

/**
 * After a sync: the retired targets whose state column holds nothing any more (every member moved, every
 * old value cleared) are forgotten; the others stay recorded, so the next run goes on with them.
 */
export async function pruneRetiredTargets(warehouse: Warehouse, project: LoadedProject, shape: SyncShape): Promise<void> {
  const retired = [...shape.fields.filter((f) => f.retired), ...shape.segments.filter((s) => s.retired)];
  if (retired.length === 0) return;
  const d = warehouse.dialect;
  const held = (column: string, kind: 'field' | 'segment') => (kind === 'field' ? `${d.quoteIdentifier(column)} is not null` : `coalesce(${d.quoteIdentifier(column)}, false)`);
  const parts = retired.map((r, i) => `count(case when ${held(r.column, 'trait' in r ? 'field' : 'segment')} then 1 end) as n${i}`);
  const row = (await warehouse.query(`select ${parts.join(', ')} from ${d.table(shape.tables.state)}`, { label: `retired targets of ${shape.sync.sync}` }))[0] ?? {};
  const done = new Set(retired.filter((_, i) => Number(row[`n${i}`] ?? 0) === 0).map((r) => r.column));
  if (done.size === 0) return;
  await writeTargets(warehouse, project, shape.sync.sync, shapeTargets(shape).filter((t) => !done.has(t.column)));
}
