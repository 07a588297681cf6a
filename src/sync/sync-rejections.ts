import type { LoadedProject } from '../config/load-project.js';
import { cdpTable } from '../model/relations.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/** One rejected record from `sync_log` (docs/tables.md#sync_log): what was sent and why it was refused. */
export interface Rejection {
  readonly runId: string;
  readonly sync: string;
  readonly key: string;
  readonly profileId: string | null;
  readonly operation: string;
  readonly code: string;
  readonly message: string;
  /** What cdp sent for the record, secrets scrubbed; null for rows written before payloads were kept. */
  readonly payload: unknown;
  readonly at: string;
}

export interface RejectionFilter {
  readonly syncs: readonly string[];
  readonly runId?: string;
  readonly limit: number;
}

/** Rejections, newest first; without a run id, those of the newest run that had any. */
export async function readRejections(warehouse: Warehouse, project: LoadedProject, filter: RejectionFilter): Promise<{ runId: string | null; rejections: Rejection[] }> {
  const table = cdpTable(project, 'sync_log');
  if (!(await warehouse.tableExists(table))) return { runId: filter.runId ?? null, rejections: [] };
  const d = warehouse.dialect;
  const hasPayload = (await warehouse.columns(table)).some((c) => c.name.toLowerCase() === 'payload');
  const syncs = filter.syncs.length > 0 ? ` and ${d.quoteIdentifier('sync')} in (${filter.syncs.map((s) => d.literal(s)).join(', ')})` : '';
  let runId = filter.runId ?? null;
  if (runId === null) {
    const [newest] = await warehouse.query(`select run_id from ${d.table(table)} where 1 = 1${syncs} order by ${d.quoteIdentifier('at')} desc limit 1`);
    if (!newest) return { runId: null, rejections: [] };
    runId = String(newest.run_id);
  }
  const rows = await warehouse.query(
    `select run_id, ${d.quoteIdentifier('sync')}, ${d.quoteIdentifier('key')}, profile_id, operation, code, message, ${d.quoteIdentifier('at')}, ${hasPayload ? 'payload' : 'null as payload'}
     from ${d.table(table)} where run_id = ${d.literal(runId)}${syncs}
     order by ${d.quoteIdentifier('sync')}, ${d.quoteIdentifier('key')}, operation limit ${filter.limit}`,
    { label: 'read sync_log' },
  );
  return {
    runId,
    rejections: rows.map((r) => ({
      runId: String(r.run_id),
      sync: String(r.sync),
      key: String(r.key),
      profileId: r.profile_id === null ? null : String(r.profile_id),
      operation: String(r.operation),
      code: String(r.code ?? ''),
      message: String(r.message ?? ''),
      payload: parsePayload(r.payload),
      at: String(r.at),
    })),
  };
}

function parsePayload(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  try {
    return JSON.parse(String(value)) as unknown;
  } catch {
    return String(value);
  }
}
