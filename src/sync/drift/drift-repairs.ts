import type { SyncConfig } from '../../config/schema.js';
import type { DriftRead } from '../../destinations/drift-reader.js';
import type { SyncShape } from '../sync-shape.js';
import type { DriftEvent } from './drift-sql.js';
import { sameValue } from './same-value.js';

/** A state row as drift sees it: key, destination id, and per shape field the text cdp last confirmed. */
export interface DriftStateRow {
  readonly key: string;
  readonly id: string;
  readonly texts: readonly (string | null)[];
}

/** What the CRM told us, beyond `read`: ids found missing by the live-count check, and merged ids resolved to survivors. */
export interface DriftExtra {
  readonly missing: readonly string[];
  readonly survivors: ReadonlyMap<string, string>;
}

/** What to change in state before the diff, and what to report. */
export interface DriftRepairs {
  readonly events: readonly DriftEvent[];
  /** Records to forget: the diff then re-creates them (upsert, mirror) or skips them (update). */
  readonly forget: readonly string[];
  readonly repoint: readonly { readonly key: string; readonly id: string }[];
  /** Per state column: keys whose confirmed value is forgotten, so the warehouse value is sent again. */
  readonly restore: ReadonlyMap<string, readonly string[]>;
  readonly holds: readonly { readonly key: string; readonly field: string }[];
}

export type Ownership = SyncConfig['ownership'][string];

/**
 * Decides, from what changed in the CRM and what cdp last confirmed, how to repair each record
 * (pure; docs/drift.md):
 * - deleted → forget the state (the diff re-creates it in upsert/mirror mode, skips it in update mode);
 * - merged (Salesforce `MasterRecordId`, HubSpot `hs_merged_object_ids` or a merged id read back as its
 *   survivor) → point the state at the survivor and forget memberships, so they are re-added to it;
 * - a field cdp set that now holds something else → by its ownership: `cdp` restores the warehouse
 *   value; `crm` keeps the CRM's and holds the field for that record; `if_empty` restores only a blank.
 */
export function driftRepairs(shape: SyncShape, rows: readonly DriftStateRow[], read: DriftRead, extra: DriftExtra, heldFields: ReadonlySet<string>): DriftRepairs {
  const ownership = shape.sync.ownership;
  const norm = (k: string | null) => (k === null ? null : shape.keyCaseInsensitive ? k.toLowerCase() : k);
  const events: DriftEvent[] = [];
  const forget = new Set<string>();
  const moved = new Map<string, string>();
  const restore = new Map<string, string[]>();
  const holds: { key: string; field: string }[] = [];
  const byId = new Map<string, DriftStateRow[]>();
  for (const r of rows) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);

  const merge = (oldId: string, survivor: string) => {
    if (oldId === survivor) return;
    for (const r of byId.get(oldId) ?? []) {
      if (moved.has(r.key) || forget.has(r.key)) continue;
      moved.set(r.key, survivor);
      events.push({ key: r.key, recordId: oldId, kind: 'merged', field: null, crmValue: survivor, warehouseValue: null });
    }
  };
  const gone = (id: string) => {
    for (const r of byId.get(id) ?? []) {
      if (moved.has(r.key) || forget.has(r.key)) continue;
      forget.add(r.key);
      events.push({ key: r.key, recordId: id, kind: 'deleted', field: null, crmValue: null, warehouseValue: null });
    }
  };
  for (const g of read.gone) if (g.mergedInto !== undefined) merge(g.id, g.mergedInto);
  for (const c of read.changed) for (const old of c.mergedIds) merge(old, c.id);
  for (const [old, survivor] of extra.survivors) merge(old, survivor);
  for (const g of read.gone) if (g.mergedInto === undefined) gone(g.id);
  for (const id of extra.missing) gone(id);

  for (const record of read.changed) {
    const own = (byId.get(record.id) ?? []).filter((r) => !moved.has(r.key) && !forget.has(r.key));
    const key = norm(record.key);
    const matching = own.filter((r) => r.key === key);
    // The record's own row: the one whose key it still carries (a survivor of a merge also absorbs other keys' rows).
    const row = matching[0] ?? (own.length === 1 ? own[0] : undefined);
    if (!row) continue;
    shape.fields.forEach((f, i) => {
      // The account association is no field of the record; drift does not read it (docs/accounts-sync.md).
      if (f.association) return;
      const confirmed = row.texts[i];
      const crm = record.values[f.name] ?? null;
      if (confirmed === null || sameValue(f.type, confirmed, crm)) return;
      const policy: Ownership = ownership[f.name] ?? 'cdp';
      const restoring = policy === 'cdp' || (policy === 'if_empty' && crm === null);
      if (!restoring && heldFields.has(`${row.key}\u0000${f.name}`)) return;
      events.push({ key: row.key, recordId: record.id, kind: restoring ? 'edited' : 'kept', field: f.name, crmValue: crm, warehouseValue: confirmed });
      if (restoring) restore.set(f.column, [...(restore.get(f.column) ?? []), row.key]);
      else holds.push({ key: row.key, field: f.name });
    });
  }
  return { events, forget: [...forget], repoint: [...moved].map(([key, id]) => ({ key, id })), restore, holds };
}
