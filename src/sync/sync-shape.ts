import { createHash } from 'node:crypto';
import { locate, type Declared, type LoadedProject } from '../config/load-project.js';
import { matchField, type SegmentTarget, type SyncConfig } from '../config/schema.js';
import { isAccountTrait, syncEntity, type SyncEntity } from '../config/sync-entity.js';
import type { AudienceSpec, FieldSpec, SyncSpec } from '../destinations/destination.js';
import type { SqlType, TableRef } from '../dialect/dialect.js';
import { identitySpec } from '../identity/identity-spec.js';
import { normalizedForm } from '../identity/normalize-sql.js';
import { cdpTable } from '../model/relations.js';
import { targetKey, type RecordedTarget } from './sync-targets.js';

/** A mapped field: destination field <- trait, and the state column holding its last confirmed value. */
export interface ShapeField {
  readonly name: string;
  readonly trait: string;
  readonly type: SqlType;
  readonly column: string;
  /**
   * A field cdp wrote before and no longer maps (renamed or removed; mirror mode only): its desired value
   * is NULL, so every value cdp left in it is cleared (docs/sync-renames.md).
   */
  readonly retired?: true;
  /**
   * The contact's account (a person sync with `account: { sync }`): not a destination field but an
   * association (HubSpot) / `Contact.Account` reference (Salesforce); always diffed with NULL = none.
   */
  readonly association?: true;
}

/** The destination field name of the association entry in `fields` (never sent as a field). */
export const ACCOUNT_ASSOCIATION = '@account';

/** A synced segment, and the state column holding its last confirmed membership. */
export interface ShapeSegment {
  readonly segment: string;
  readonly target: SegmentTarget;
  readonly column: string;
  /** For `{ field: x }` targets: the boolean destination field written. */
  readonly field?: string;
  /**
   * A target cdp wrote before and no longer uses (the list, campaign or field was renamed, or the segment
   * unmapped): nobody is desired in it, so its members are removed (docs/sync-renames.md). `segment` is the
   * connector's segment name; the entry's own `segment` is an id unique within the shape.
   */
  readonly retired?: { readonly segment: string; readonly replacedBy?: SegmentTarget };
}

/** Everything the diff, the engine and the state need to know about one sync (pure data). */
export interface SyncShape {
  readonly sync: Declared<SyncConfig>;
  /**
   * Persons or accounts (docs/accounts-sync.md): which tables the diff reads and their key column. The
   * diff's and the state's `profile_id` column holds this key (an account_id for account syncs).
   */
  readonly entity: SyncEntity;
  readonly keyCaseInsensitive: boolean;
  /**
   * `match: { id_type }` on people: identity stores the type's values already as the diff makes keys (trimmed and,
   * when keys ignore case, lower-cased), so the diff takes them as they are instead of normalising every identifier
   * of the type on each diff (docs/incremental.md#syncs).
   */
  readonly keysAsStored: boolean;
  /** A pattern every key must match, or the destination refuses it on every run (KeyRules.pattern). */
  readonly keyPattern: string | undefined;
  readonly keyType: SqlType;
  /** The destination field matched on (`match.field`, or the id_type's name). */
  readonly matchField: string;
  readonly fields: readonly ShapeField[];
  readonly segments: readonly ShapeSegment[];
  readonly tables: {
    /** `profiles` or `accounts`: one row per entity, a column per trait. */
    readonly entities: TableRef;
    /** `segment_members` or `account_segment_members`. */
    readonly members: TableRef;
    readonly state: TableRef;
    readonly diff: TableRef;
    readonly log: TableRef;
    /** `identifiers` or `account_identifiers`. */
    readonly identifiers: TableRef;
    /** `_identity_review`, when the build wrote one (shared identifiers for `match: { id_type }`). */
    readonly review?: TableRef;
    /** `erasures`, when `cdp forget` wrote one: profiles holding an erased identifier are never in scope. */
    readonly erasures?: TableRef;
    /** `accounts` and `account_members`, when a person sync maps `account.<trait>` fields. */
    readonly accounts?: TableRef;
    readonly accountMembers?: TableRef;
    /** The state of the account sync named by `account: { sync }` (its confirmed records). */
    readonly accountState?: TableRef;
  };
  /**
   * `account: { sync }`: which column of the account sync's state is the association's value:
   * `destination_id` (HubSpot company id) or `match_key` (Salesforce external id).
   */
  readonly account?: { readonly sync: Declared<SyncConfig>; readonly value: 'destination_id' | 'match_key' };
}

/** How the destination compares and accepts keys of one sync's match field (DestinationFactory). */
export interface KeyRules {
  readonly caseInsensitive: boolean;
  readonly pattern?: string;
}

export const STATE_KEY_COLUMNS = ['match_key', 'destination_id', 'profile_id', 'synced_at'] as const;

/**
 * The shape of a sync, given the warehouse types of the entity's columns (lower-cased trait name ->
 * type). Field and membership state columns are named after the destination field / segment
 * (`f_<field>`, `m_<segment>`), with a short hash only when two names would fold to one column.
 */
export function syncShape(
  project: LoadedProject,
  sync: Declared<SyncConfig>,
  traitTypes: ReadonlyMap<string, SqlType>,
  key: KeyRules | boolean,
  recorded: readonly RecordedTarget[] = [],
): SyncShape {
  const rules: KeyRules = typeof key === 'boolean' ? { caseInsensitive: key } : key;
  const typeOf = (trait: string): SqlType => traitTypes.get(trait.toLowerCase()) ?? 'string';
  const recordedColumns = new Set(recorded.map((r) => r.column.toLowerCase()));
  const claimed = new Set<string>();
  /** The recorded column of a target that is still written, or a new column that no recorded target uses. */
  const columnFor = (match: RecordedTarget | undefined, fallback: string, identity: string): string => {
    if (match) {
      claimed.add(match.column);
      return match.column;
    }
    return recordedColumns.has(fallback.toLowerCase()) ? `${fallback}_${createHash('md5').update(identity).digest('hex').slice(0, 6)}` : fallback;
  };
  const recordedFields = recorded.filter((r): r is Extract<RecordedTarget, { kind: 'field' }> => r.kind === 'field');
  const recordedSegments = recorded.filter((r): r is Extract<RecordedTarget, { kind: 'segment' }> => r.kind === 'segment');

  const fieldColumns = columnNames('f_', Object.keys(sync.fields));
  const segmentColumns = columnNames('m_', Object.keys(sync.segments));
  const fields = Object.entries(sync.fields).map(([name, trait]): ShapeField => {
    const match = recordedFields.find((r) => r.field === name && !claimed.has(r.column));
    return { name, trait, type: typeOf(trait), column: columnFor(match, fieldColumns.get(name) ?? `f_${name}`, `field:${name}`) };
  });
  const segments = Object.entries(sync.segments).map(([segment, target]): ShapeSegment => {
    // Matched by what it writes to, so a segment renamed in the connector keeps its state (no churn).
    const match = recordedSegments.find((r) => targetKey(r.target) === targetKey(target) && !claimed.has(r.column));
    return {
      segment,
      target,
      column: columnFor(match, segmentColumns.get(segment) ?? `m_${segment}`, targetKey(target)),
      ...('field' in target ? { field: target.field } : {}),
    };
  });
  const accountSync = sync.account ? project.syncs.find((s) => s.sync === sync.account?.sync) : undefined;
  if (accountSync) {
    const match = recordedFields.find((r) => r.field === ACCOUNT_ASSOCIATION && !claimed.has(r.column));
    fields.push({ name: ACCOUNT_ASSOCIATION, trait: 'account.@record', type: 'string', column: columnFor(match, 'a_account', 'association'), association: true });
  }
  // Targets written before and no longer used. Lists and campaigns are always emptied (their members move
  // to the new target); fields (and boolean segment fields) are cleared only in mirror mode.
  const mirror = sync.mode === 'mirror';
  for (const r of recordedFields) {
    if (claimed.has(r.column) || !mirror || fields.some((f) => f.name === r.field)) continue;
    fields.push({ name: r.field, trait: '', type: r.type, column: r.column, retired: true, ...(r.field === ACCOUNT_ASSOCIATION ? { association: true as const } : {}) });
  }
  for (const r of recordedSegments) {
    if (claimed.has(r.column) || ('field' in r.target && !mirror)) continue;
    const replacedBy = sync.segments[r.segment];
    segments.push({
      segment: `${r.segment} (was ${targetKey(r.target)})`,
      target: r.target,
      column: r.column,
      ...('field' in r.target ? { field: r.target.field } : {}),
      retired: { segment: r.segment, ...(replacedBy ? { replacedBy } : {}) },
    });
  }
  const name = sync.sync.toLowerCase();
  const entity = syncEntity(sync);
  return {
    sync,
    entity,
    keyCaseInsensitive: rules.caseInsensitive,
    keysAsStored: entity.kind === 'person' && storedAsKeys(project, sync.match.id_type, rules.caseInsensitive),
    keyPattern: rules.pattern,
    keyType: sync.match.trait !== undefined ? typeOf(sync.match.trait) : 'string',
    matchField: matchField(sync.match),
    fields,
    segments,
    tables: {
      entities: cdpTable(project, entity.table),
      members: cdpTable(project, entity.members),
      state: cdpTable(project, `sync_state_${name}`),
      diff: cdpTable(project, `_sync_diff_${name}`),
      log: cdpTable(project, 'sync_log'),
      identifiers: cdpTable(project, entity.identifiers),
      ...(entity.kind === 'person' && Object.values(sync.fields).some(isAccountTrait)
        ? { accounts: cdpTable(project, 'accounts'), accountMembers: cdpTable(project, 'account_members') }
        : {}),
      ...(accountSync ? { accountMembers: cdpTable(project, 'account_members'), accountState: cdpTable(project, `sync_state_${accountSync.sync.toLowerCase()}`) } : {}),
    },
    ...(accountSync ? { account: { sync: accountSync, value: project.config.destinations[sync.destination]?.type === 'salesforce' ? ('match_key' as const) : ('destination_id' as const) } } : {}),
  };
}

/** Whether identity stores `idType`'s values as their own match keys: already trimmed and, for a case-blind key, lower-case. */
function storedAsKeys(project: LoadedProject, idType: string | undefined, caseInsensitive: boolean): boolean {
  const kind = idType === undefined ? undefined : identitySpec(project).types.find((t) => t.name === idType)?.normalize;
  if (kind === undefined) return false;
  const form = normalizedForm(kind);
  return form.trimmed && (form.lowerCase || !caseInsensitive);
}

function columnNames(prefix: string, names: readonly string[]): Map<string, string> {
  const folded = (n: string) => `${prefix}${n.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
  const counts = new Map<string, number>();
  for (const n of names) counts.set(folded(n), (counts.get(folded(n)) ?? 0) + 1);
  return new Map(
    names.map((n) => {
      const base = folded(n);
      return [n, (counts.get(base) ?? 0) > 1 ? `${base}_${createHash('md5').update(n).digest('hex').slice(0, 6)}` : base];
    }),
  );
}

/** What the destination is asked to prepare: fields (segment fields as booleans) and audiences. */
export function syncSpec(shape: SyncShape): SyncSpec {
  const sync = shape.sync;
  const at = (...path: (string | number)[]) => sync.origin.file.locate([...sync.origin.path, ...path]);
  // A retired target is pointed at where its segment (or the connector's fields) is now.
  const fields: FieldSpec[] = shape.fields.filter((f) => !f.association).map((f) => ({ name: f.name, type: f.type, at: sync.origin.file.locate([...sync.origin.path, 'fields', ...(f.retired ? [] : [f.name])], { key: !f.retired }) }));
  for (const s of shape.segments) {
    if (s.field !== undefined && !fields.some((f) => f.name === s.field)) fields.push({ name: s.field, type: 'boolean', at: at('segments', s.retired?.segment ?? s.segment, 'field') });
  }
  const audiences: AudienceSpec[] = shape.segments.flatMap((s) =>
    'field' in s.target ? [] : [{ segment: s.segment, target: s.target, at: at('segments', s.retired?.segment ?? s.segment) }],
  );
  return {
    sync: sync.sync,
    object: sync.object,
    match: { name: shape.matchField, type: shape.keyType, at: at('match', sync.match.field !== undefined ? 'field' : 'id_type') },
    fields,
    audiences,
    createFields: sync.create_fields,
    ...(shape.account ? { account: { object: shape.account.sync.object, field: matchField(shape.account.sync.match), at: at('account', 'sync') } } : {}),
    at: locate(sync.origin, 'object'),
  };
}
