import type { Transport } from '../destination.js';
import type { CrmRecord, DriftQuery, DriftRead, DriftReader, GoneRecord } from '../drift-reader.js';
import type { SalesforceCall } from './salesforce-context.js';
import { inLists, queryRecords, soqlString, type QueriedRecord } from './salesforce-soql.js';

/** Builds the retried read call for one transport (the destination owns the session). */
export type ReadCallFactory = (transport: Transport) => SalesforceCall;

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** A SOQL datetime literal: unquoted, whole seconds, UTC. */
function soqlDateTime(at: Date): string {
  return `${new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** Field values by name, looked up case-insensitively (queries answer in describe's spelling). */
function valueOf(record: QueriedRecord, field: string): string | null {
  const name = Object.keys(record).find((k) => k.toLowerCase() === field.toLowerCase());
  const value = name === undefined ? null : record[name];
  if (value === null || value === undefined || value === '') return null;
  return typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/**
 * Drift through SOQL: records whose `SystemModstamp` moved since (any system-level write moves it,
 * `LastModifiedDate` only user/API edits), deleted and merged records through `queryAll` with
 * `IsDeleted = true` (a merge loser carries `MasterRecordId`), and `SELECT COUNT()` for the live total.
 * Records purged from the recycle bin are not seen by queryAll; the live count catches wholesale loss.
 */
export class SalesforceDriftReader implements DriftReader {
  constructor(private readonly readCall: ReadCallFactory) {}

  async read(query: DriftQuery, transport: Transport): Promise<DriftRead> {
    const call = this.readCall(transport);
    const object = checked(query.object);
    const fields = [...new Set(['Id', query.matchField, ...query.fields].map(checked))];
    const since = soqlDateTime(query.since);
    // Three independent reads, sent together (the transport still paces them).
    const [live, deleted, count] = await Promise.all([
      queryRecords(call, `SELECT ${fields.join(', ')} FROM ${object} WHERE SystemModstamp >= ${since} ORDER BY SystemModstamp, Id`),
      queryRecords(call, `SELECT Id, MasterRecordId FROM ${object} WHERE IsDeleted = true AND SystemModstamp >= ${since}`, { all: true }),
      call((conn) => conn.query(`SELECT COUNT() FROM ${object}`, { autoFetch: false })),
    ]);
    const changed = live.map(
      (r): CrmRecord => ({
        id: valueOf(r, 'Id') ?? '',
        key: valueOf(r, query.matchField),
        values: Object.fromEntries(query.fields.map((f) => [f, valueOf(r, f)])),
        mergedIds: [],
      }),
    );
    const gone = deleted.map((r): GoneRecord => {
      const master = valueOf(r, 'MasterRecordId');
      return { id: valueOf(r, 'Id') ?? '', ...(master !== null ? { mergedInto: master } : {}) };
    });
    return { changed, gone, liveTotal: count.totalSize };
  }

  async missing(objectName: string, ids: readonly string[], transport: Transport): Promise<{ readonly missing: readonly string[]; readonly survivors: ReadonlyMap<string, string> }> {
    const call = this.readCall(transport);
    const object = checked(objectName);
    const found = new Map<string, QueriedRecord>();
    for (const list of inLists(ids)) {
      const rows = await queryRecords(call, `SELECT Id, IsDeleted, MasterRecordId FROM ${object} WHERE Id IN (${list.map(soqlString).join(', ')})`, { all: true });
      for (const r of rows) found.set(valueOf(r, 'Id') ?? '', r);
    }
    const survivors = new Map<string, string>();
    const missing: string[] = [];
    for (const id of ids) {
      const r = found.get(id) ?? [...found.entries()].find(([k]) => k.slice(0, 15) === id.slice(0, 15))?.[1];
      if (r !== undefined && valueOf(r, 'IsDeleted') !== 'true') continue;
      const master = r === undefined ? null : valueOf(r, 'MasterRecordId');
      if (master !== null) survivors.set(id, master);
      else missing.push(id);
    }
    return { missing, survivors };
  }
}

function checked(name: string): string {
  if (!NAME.test(name)) throw new Error(`'${name}' is not a Salesforce API name`);
  return name;
}
