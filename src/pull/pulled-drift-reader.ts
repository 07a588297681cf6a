import type { CrmRecord, DriftQuery, DriftRead, GoneRecord } from '../destinations/drift-reader.js';
import type { BoundDriftReader } from '../sync/drift/check-drift.js';
import type { LoadedProject } from '../config/load-project.js';
import { cdpTable } from '../model/relations.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { pullObjects, pulledColumn, pulledTableName } from './pull-objects.js';

/**
 * Drift checks answered from the tables `cdp pull` wrote in this run, instead of reading the CRM a
 * second time (docs/drift.md, "After a pull"). Pulls are chained (each reads from the previous one's
 * start, less an overlap), so a record changed in the CRM after a time T was written by a pull that
 * started after T: the rows whose `pulled_ms` is at or after the check's `since` hold every change
 * since then. A pull also marks records that vanished without a trace (docs/pull.md), so the table's
 * live rows are the CRM's live records.
 */
export class PulledTableDriftReader implements BoundDriftReader {
  constructor(
    private readonly warehouse: Warehouse,
    private readonly project: LoadedProject,
    private readonly destination: string,
  ) {}

  async read(query: DriftQuery): Promise<DriftRead> {
    const d = this.warehouse.dialect;
    const table = d.table(this.table(query.object));
    const since = query.since.getTime();
    const fields = [query.matchField, ...query.fields];
    const columns = fields.map((f) => `, ${d.quoteIdentifier(pulledColumn(f))}`).join('');
    const rows = await this.warehouse.query(`select id, deleted, merged_into${columns} from ${table} where coalesce(pulled_ms, 0) >= ${since}`, {
      label: `drift from ${table}`,
    });
    const changed: CrmRecord[] = [];
    const gone: GoneRecord[] = [];
    for (const r of rows) {
      const id = String(r.id);
      if (truthy(r.deleted)) {
        gone.push(r.merged_into === null || r.merged_into === undefined ? { id } : { id, mergedInto: String(r.merged_into) });
        continue;
      }
      const values = Object.fromEntries(query.fields.map((f) => [f, text(r[pulledColumn(f)])]));
      changed.push({ id, key: text(r[pulledColumn(query.matchField)]), values, mergedIds: [] });
    }
    const live = await this.warehouse.query(`select count(*) as n from ${table} where not deleted`);
    return { changed, gone, liveTotal: Number(live[0].n) };
  }

  async missing(object: string, ids: readonly string[]): Promise<{ readonly missing: readonly string[]; readonly survivors: ReadonlyMap<string, string> }> {
    const d = this.warehouse.dialect;
    const live = new Set<string>();
    const survivors = new Map<string, string>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500).map((id) => d.literal(id)).join(', ');
      for (const r of await this.warehouse.query(`select id, deleted, merged_into from ${d.table(this.table(object))} where id in (${chunk})`)) {
        if (!truthy(r.deleted)) live.add(String(r.id));
        else if (r.merged_into !== null && r.merged_into !== undefined) survivors.set(String(r.id), String(r.merged_into));
      }
    }
    return { missing: ids.filter((id) => !live.has(id) && !survivors.has(id)), survivors };
  }

  private table(object: string) {
    return cdpTable(this.project, pulledTableName(this.destination, object));
  }
}

/**
 * The drift readers for the objects this run pulled, by destination and object (case-insensitive);
 * a sync of any other object reads the CRM itself.
 */
export function pulledDriftReaders(warehouse: Warehouse, project: LoadedProject, pulled: readonly { readonly destination: string; readonly object: string }[]): (destination: string, object: string) => BoundDriftReader | undefined {
  const covered = new Set(pulled.map((p) => `${p.destination}\u0000${p.object.toLowerCase()}`));
  return (destination, object) => {
    if (!covered.has(`${destination}\u0000${object.toLowerCase()}`)) return undefined;
    if (!pullObjects(project, destination).some((o) => o.object.toLowerCase() === object.toLowerCase())) return undefined;
    return new PulledTableDriftReader(warehouse, project, destination);
  };
}

function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === 'true' || value === 'TRUE';
}

function text(value: unknown): string | null {
  return value === null || value === undefined || value === '' ? null : String(value);
}
