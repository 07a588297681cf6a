import { isAccountTrait } from '../config/sync-entity.js';
import type { Dialect } from '../dialect/dialect.js';
import { profileChangesTable, syncPositionTables } from '../model/profile-changes.js';
import { STATE_KEY_COLUMNS, type SyncShape } from './sync-shape.js';

export interface DiffOptions {
  /** Lower-cased names of the state table's columns; undefined when it does not exist yet. */
  readonly stateColumns: ReadonlySet<string> | undefined;
  /** Compare against nothing: every record in scope is sent again with every non-null field. */
  readonly fullResync: boolean;
  /** Diff only the keys of profiles changed since the sync's last diff (sync-position.ts); undefined: every profile. */
  readonly scope?: DiffScope;
  /**
   * Also return records where only the profile changed (`owner_only`: a merge or split gave the key to another
   * profile with the same values). Nothing is sent for them; `sendSync` moves their state row to the new
   * profile, so a state row always names the profile its key belongs to (what a scoped diff relies on).
   */
  readonly owners?: boolean;
}

/**
 * A person sync's diff limited to what can differ (docs/incremental.md#syncs): the keys of the profiles
 * `profile_changes` logged after build `since`, the keys whose state row holds one of them, and the keys the
 * last diff left unconfirmed (`sync_pending`). Every profile holding one of those keys is diffed, so the
 * records of those keys come out exactly as in a whole diff; every other key had nothing to send.
 */
export interface DiffScope {
  readonly since: number;
}

/**
 * The diff of one sync as one SELECT (pure): the desired state (profiles with a match key, in the
 * audience, passing the consent gate; one profile per key) full-outer-joined with the last confirmed
 * state, keeping only records that enter, leave or changed. Columns, per record:
 *
 * - `match_key`, `profile_id`, `destination_id`, `op` (`enter` | `change` | `leave`)
 * - per field i: `v{i}` the trait value, `t{i}` its text (what state stores), `s{i}` the stored text,
 *   `c{i}` whether it must be sent
 * - per segment j: `d{j}` desired membership, `sm{j}` stored membership, `a{j}` add, `r{j}` remove
 *
 * Values are compared as the warehouse's own text of the value, so the comparison is exact and
 * the same on every run of one engine.
 */
export function compileDiffSelect(shape: SyncShape, d: Dialect, options: DiffOptions): string {
  const { fields, segments } = shape;
  const text = (expr: string) => d.cast(expr, 'string');
  const ctes = keyedCtes(shape, d, options.scope);
  ctes.push(`desired as (select * from ranked where dup_rank = 1${shape.sync.match.on_collision === 'skip' ? ' and dup_n = 1' : ''})`);
  ctes.push(`st as (\n  ${stateSelect(shape, d, options.stateColumns, options.scope !== undefined)}\n)`);

  const perField = fields.map((f, i) => `, d.v${i} as v${i}, ${text(`d.v${i}`)} as t${i}, st.s${i} as s${i}`).join('');
  const perSegment = segments.map((_, j) => `, coalesce(d.d${j}, false) as d${j}, coalesce(st.sm${j}, false) as sm${j}`).join('');
  ctes.push(
    `joined as (\n  select coalesce(d.match_key, st.match_key) as match_key, coalesce(d.profile_id, st.profile_id) as profile_id, st.destination_id as destination_id, st.profile_id as state_profile_id,\n    case when d.match_key is null then 'leave' when st.match_key is null then 'enter' else 'change' end as op${perField}${perSegment}\n  from desired d full outer join st on st.match_key = d.match_key\n)`,
  );

  const clear = shape.sync.nulls === 'clear';
  const changed = fields.map((f, i) => {
    if (f.retired) return `(op <> 'leave' and s${i} is not null) as c${i}`;
    // The account association is always exact: no account any more removes it.
    const clearing = clear || f.association === true;
    const test = options.fullResync
      ? clearing ? `(t${i} is not null or s${i} is not null)` : `t${i} is not null`
      : clearing ? `t${i} is distinct from s${i}` : `(t${i} is not null and t${i} is distinct from s${i})`;
    return `(op <> 'leave' and ${test}) as c${i}`;
  });
  const adds = segments.map((_, j) => `(op <> 'leave' and d${j}${options.fullResync ? '' : ` and not sm${j}`}) as a${j}`);
  const removes = segments.map((_, j) => `(op <> 'leave' and not d${j} and sm${j}) as r${j}`);
  const flags = [...changed, ...adds, ...removes];
  const anyChange = [...fields.map((_, i) => `c${i}`), ...segments.flatMap((_, j) => [`a${j}`, `r${j}`])];
  const moved = options.owners ? [`(op = 'change' and profile_id is distinct from state_profile_id${anyChange.map((c) => ` and not ${c}`).join('')}) as owner_only`] : [];
  const filter = options.fullResync ? '' : `\nwhere op <> 'change'${anyChange.map((c) => ` or ${c}`).join('')}${options.owners ? ' or owner_only' : ''}`;
  return `with ${ctes.join(',\n')},\nflagged as (\n  select joined.*${[...flags, ...moved].map((f) => `, ${f}`).join('')}\n  from joined\n)\nselect * from flagged${filter}`;
}

/**
 * The profiles with their match keys, as CTEs ending in `ranked` (in-scope profiles with a usable key,
 * `dup_rank`/`dup_n` per key). `src` has per profile:
 *
 * - `match_key`: `match: { id_type }` — the profile's best identifier of that type from `identifiers`
 *   (blocklisted values and hubs are never there): one the destination accepts first, then the newest seen;
 *   `match: { trait }` — the trait's text. Trimmed, lower-cased when the destination ignores case, and NULL
 *   when it does not match the destination's key pattern;
 * - `refused_key`: the key the destination would refuse on every run (not sent, reported once);
 * - `in_scope`: the consent gate and the audience.
 */
export function keyedCtes(shape: SyncShape, d: Dialect, scope?: DiffScope): string[] {
  const q = (n: string) => d.quoteIdentifier(n);
  const { sync, fields, segments, tables } = shape;
  // Persons or accounts: the same diff over other tables and another key column (docs/accounts-sync.md).
  const id = q(shape.entity.key);
  const text = (expr: string) => d.cast(expr, 'string');
  const norm = (expr: string) => {
    const trimmed = `trim(${text(expr)})`;
    return `nullif(${shape.keyCaseInsensitive ? `lower(${trimmed})` : trimmed}, '')`;
  };
  // An identifier's key: as stored when identity already normalised it so (SyncShape.keysAsStored).
  const key = (expr: string) => (shape.keysAsStored ? expr : norm(expr));
  const accepted = (expr: string) => (shape.keyPattern !== undefined ? d.regexpContains(expr, d.literal(shape.keyPattern)) : 'true');
  const audience =
    sync.audience === 'all'
      ? ''
      : ` and exists (select 1 from ${d.table(tables.members)} am where am.segment = ${d.literal(sync.audience)} and am.${id} = p.${id})`;
  const consent = sync.where !== undefined ? `coalesce((${sync.where}), false)` : 'true';
  // A person erased with `cdp forget` stays out, even when the sources bring their identifiers back.
  const erased = tables.erasures
    ? ` and not exists (select 1 from ${d.table(tables.identifiers)} ei join ${d.table(tables.erasures)} er on er.id_hash = ${d.md5Hex(`ei.id_type || ':' || ei.id_value`)} where ei.${id} = p.${id})`
    : '';
  const gate = `${consent}${erased}`;

  const ctes: string[] = scope ? scopeCtes(shape, d, scope, key, norm) : [];
  // With a scope: only the profiles holding one of its keys (`near`), and only records of those keys.
  const near = (column: string) => (scope ? ` and ${column} in (select profile_id from near)` : '');
  const withAccount = accountColumns(shape, d);
  if (withAccount) ctes.push(withAccount);
  const base = withAccount ? 'base' : d.table(tables.entities);
  if (sync.match.id_type !== undefined) {
    const type = d.literal(sync.match.id_type);
    // Values identity gave to one profile although other people's links to them were dropped (a family address).
    const shared = shape.tables.review
      ? `select k, count(distinct who) as n_other from (\n    select ${norm('id_value')} as k, other_type || ':' || other_value as who from ${d.table(shape.tables.review)} where reason = 'limit' and id_type = ${type}\n    union all\n    select ${norm('other_value')} as k, id_type || ':' || id_value as who from ${d.table(shape.tables.review)} where reason = 'limit' and other_type = ${type}\n  ) r group by k`
      : `select ${d.cast('null', 'string')} as k, 0 as n_other from ${d.table(tables.identifiers)} where 1 = 0`;
    const usable = sync.match.on_collision === 'skip' ? ' and n_other is null' : '';
    ctes.push(
      `shared as (\n  ${shared}\n)`,
      `ids as (\n  select i.${id} as profile_id, ${key('i.id_value')} as k, i.last_seen, i.first_seen, sh.n_other from ${d.table(tables.identifiers)} i left join shared sh on sh.k = ${key('i.id_value')} where i.id_type = ${type}${near(`i.${id}`)}\n)`,
      `best_key as (\n  select profile_id, k, ok from (\n    select profile_id, k, ${accepted('k')} as ok, row_number() over (partition by profile_id order by case when ${accepted('k')} then 0 else 1 end, last_seen desc, first_seen desc, k) as rn\n    from ids where k is not null${usable}\n  ) b where rn = 1\n)`,
      `keyed as (\n  select p.*, bk.k as raw_key, bk.ok as key_ok from ${base} p left join best_key bk on bk.profile_id = p.${id}${scope ? ` where p.${id} in (select profile_id from near)` : ''}\n)`,
    );
  } else {
    const keyFrom = norm(`p.${q(sync.match.trait ?? '')}`);
    ctes.push(`keyed as (\n  select p.*, ${keyFrom} as raw_key, ${accepted(keyFrom)} as key_ok from ${base} p${scope ? ` where p.${id} in (select profile_id from near)` : ''}\n)`);
  }
  ctes.push(
    `src as (\n  select p.${id} as profile_id, case when p.key_ok then p.raw_key end as match_key, case when not p.key_ok then p.raw_key end as refused_key, (${gate}${audience}) as in_scope${fields.map((f, i) => `, ${f.retired ? d.cast('null', f.type) : `p.${q(sourceColumn(f))}`} as v${i}`).join('')}\n  from keyed p\n)`,
  );
  // Retired targets (docs/sync-renames.md) want nobody: their members are removed, their values cleared.
  const active = segments.flatMap((s, j) => (s.retired ? [] : [{ s, j }]));
  if (active.length > 0) {
    const flags = active.map(({ s, j }) => `max(case when segment = ${d.literal(s.segment)} then 1 else 0 end) as d${j}`).join(', ');
    const names = active.map(({ s }) => d.literal(s.segment)).join(', ');
    ctes.push(`mem as (\n  select ${id} as profile_id, ${flags}\n  from ${d.table(tables.members)} where segment in (${names})${near(id)} group by ${id}\n)`);
  }
  const memberJoin = active.length > 0 ? ' left join mem on mem.profile_id = src.profile_id' : '';
  ctes.push(
    `ranked as (\n  select src.*${segments.map((s, j) => (s.retired ? `, false as d${j}` : `, coalesce(mem.d${j}, 0) = 1 as d${j}`)).join('')}, row_number() over (partition by src.match_key order by src.profile_id) as dup_rank, count(*) over (partition by src.match_key) as dup_n\n  from src${memberJoin}\n  where src.in_scope and src.match_key is not null${scope ? ' and src.match_key in (select k from scope_keys)' : ''}\n)`,
  );
  return ctes;
}

/**
 * `touched`: the profiles logged after the scope's build; `scope_keys`: their keys (every identifier of the
 * matched type, or the matched trait's text), the keys of state rows holding them and the pending keys;
 * `near`: every profile holding one of those keys.
 */
function scopeCtes(shape: SyncShape, d: Dialect, scope: DiffScope, key: (expr: string) => string, norm: (expr: string) => string): string[] {
  const { sync, tables } = shape;
  const schema = tables.state.schema;
  const q = (n: string) => d.quoteIdentifier(n);
  // Persons or accounts: account builds log account ids (docs/incremental.md#syncs); both read as `profile_id`.
  const id = q(shape.entity.key);
  const touched = `select profile_id from touched`;
  const type = sync.match.id_type;
  const held =
    type !== undefined
      ? (where: string) => `select i.${id} as profile_id, ${key('i.id_value')} as k from ${d.table(tables.identifiers)} i where i.id_type = ${d.literal(type)} and ${where}`
      : (where: string) => `select p.${id} as profile_id, ${norm(`p.${q(sync.match.trait ?? '')}`)} as k from ${d.table(tables.entities)} p where ${where}`;
  const own = held(`${id} in (${touched})`);
  return [
    `touched as (\n  select distinct c.profile_id from ${d.table(profileChangesTable(schema))} c where c.build > ${scope.since} and c.profile_id is not null\n)`,
    `scope_keys as (\n  select distinct u.k from (\n    select o.k from (${own}) o\n    union all\n    select s.match_key as k from ${d.table(tables.state)} s where s.profile_id in (${touched})\n    union all\n    select pk.match_key as k from ${d.table(syncPositionTables(schema).pending)} pk where pk.sync = ${d.literal(sync.sync)}\n  ) u where u.k is not null\n)`,
    `near as (\n  select distinct h.profile_id from (${held('true')}) h where h.k in (select k from scope_keys)\n)`,
  ];
}

/** `base`'s column for the account association (a plain name: BigQuery column names take no dots). */
const ACCOUNT_RECORD_COLUMN = '_cdp_account_record';

/** `base`'s column for `account.<trait>`. */
function accountColumn(trait: string): string {
  return `_cdp_account_${trait.slice('account.'.length)}`;
}

/** The column of the keyed row a field's value comes from. */
function sourceColumn(f: SyncShape['fields'][number]): string {
  if (f.association) return ACCOUNT_RECORD_COLUMN;
  return isAccountTrait(f.trait) ? accountColumn(f.trait) : f.trait;
}

/**
 * Person syncs that take something from the person's account (`account_members`, at most one per person):
 * `base` = the profiles plus a column `_cdp_account_<trait>` per mapped account trait, and `_cdp_account_record` for
 * `account: { sync }`: the account's record at the destination as the account sync confirmed it (HubSpot
 * company id / Salesforce external id), NULL while that account is not synced. Undefined otherwise.
 */
function accountColumns(shape: SyncShape, d: Dialect): string | undefined {
  const { accounts, accountMembers, accountState } = shape.tables;
  if (!accountMembers || shape.entity.kind !== 'person') return undefined;
  const q = (n: string) => d.quoteIdentifier(n);
  const traits = [...new Set(shape.fields.filter((f) => !f.retired && !f.association && isAccountTrait(f.trait)).map((f) => f.trait))];
  const columns = traits.map((t) => `, a.${q(t.slice('account.'.length))} as ${q(accountColumn(t))}`);
  const joins = [`left join ${d.table(accountMembers)} am on am.profile_id = p.profile_id`];
  if (accounts && traits.length > 0) joins.push(`left join ${d.table(accounts)} a on a.account_id = am.account_id`);
  if (shape.account) {
    columns.push(accountState ? `, ast.${q(shape.account.value)} as ${q(ACCOUNT_RECORD_COLUMN)}` : `, ${d.cast('null', 'string')} as ${q(ACCOUNT_RECORD_COLUMN)}`);
    if (accountState) joins.push(`left join ${d.table(accountState)} ast on ast.profile_id = am.account_id`);
  }
  if (columns.length === 0) return undefined;
  return `base as (\n  select p.*${columns.join('')}\n  from ${d.table(shape.tables.entities)} p ${joins.join(' ')}\n)`;
}

/**
 * One row: keys shared by several people (`collided_keys`, and `collided_profiles` sharing them) and
 * in-scope profiles whose key the destination refuses. `match: { trait }`: one key text for several in-scope
 * profiles. `match: { id_type }`: an identifier of in-scope profiles whose links to other people identity
 * dropped (a `limit` row in `_identity_review`): the owner plus the people dropped.
 */
export function compileKeyReport(shape: SyncShape, d: Dialect, scope?: DiffScope): string {
  const collided =
    shape.sync.match.id_type !== undefined
      ? `(select count(distinct ids.k) from ids join src on src.profile_id = ids.profile_id where src.in_scope and ids.n_other is not null) as collided_keys, (select coalesce(sum(1 + ids.n_other), 0) from ids join src on src.profile_id = ids.profile_id where src.in_scope and ids.n_other is not null) as collided_profiles`
      : `(select count(distinct match_key) from ranked where dup_n > 1) as collided_keys, (select count(*) from ranked where dup_n > 1) as collided_profiles`;
  // duplicated_keys: keys held by several in-scope profiles (what compileCollidedKeys lists), so a sync asks only when there are.
  return `with ${keyedCtes(shape, d, scope).join(',\n')}\nselect ${collided}, (select count(*) from src where in_scope and refused_key is not null) as refused_keys, (select count(distinct match_key) from ranked where dup_n > 1) as duplicated_keys`;
}

/**
 * Keys held by several in-scope profiles and so sent for none of them (`on_collision: skip`). A scoped diff
 * looks at them again next time (sync_pending): when one holder changes, the key may belong to another.
 */
export function compileCollidedKeys(shape: SyncShape, d: Dialect, scope?: DiffScope): string {
  return `with ${keyedCtes(shape, d, scope).join(',\n')}\nselect distinct match_key from ranked where dup_n > 1`;
}

/**
 * The values identity shared between people (`_identity_review` limits), with how many: with
 * `on_collision: skip` they decide which key each holder gets, so a scoped diff is valid only while they stay.
 */
export function compileSharedKeys(shape: SyncShape, d: Dialect): string | undefined {
  if (shape.sync.match.id_type === undefined || !shape.tables.review || shape.sync.match.on_collision !== 'skip') return undefined;
  const shared = keyedCtes(shape, d).find((c) => c.startsWith('shared as'));
  return `with ${shared}\nselect k, n_other from shared order by k`;
}

/** In-scope profiles whose key the destination refuses and that `sync_log` does not list yet for this sync (reported once). */
export function compileNewRefusedKeys(shape: SyncShape, d: Dialect, scope?: DiffScope): string {
  const log = d.table(shape.tables.log);
  return `with ${keyedCtes(shape, d, scope).join(',\n')}\nselect refused_key, min(profile_id) as profile_id from src where in_scope and refused_key is not null and not exists (select 1 from ${log} l where l.sync = ${d.literal(shape.sync.sync)} and l.code = ${d.literal(REFUSED_KEY_CODE)} and l.${d.quoteIdentifier('key')} = src.refused_key) group by refused_key order by refused_key`;
}

/** The `sync_log` code of a key the destination would always refuse (logged once, never sent). */
export const REFUSED_KEY_CODE = 'refused-key';

/** The state as the diff reads it; columns the table lacks (or a missing table) read as NULL. */
function stateSelect(shape: SyncShape, d: Dialect, columns: ReadonlySet<string> | undefined, scoped: boolean): string {
  const has = (c: string) => columns?.has(c.toLowerCase()) === true;
  const col = (c: string, alias: string, type: 'string' | 'boolean') => (has(c) ? `${d.quoteIdentifier(c)} as ${alias}` : `${d.cast('null', type)} as ${alias}`);
  const list = [
    ...STATE_KEY_COLUMNS.filter((c) => c !== 'synced_at').map((c) => col(c, c, 'string')),
    ...shape.fields.map((f, i) => col(f.column, `s${i}`, 'string')),
    ...shape.segments.map((s, j) => col(s.column, `sm${j}`, 'boolean')),
  ].join(', ');
  return columns === undefined
    ? `select ${list} from ${d.table(shape.tables.entities)} where 1 = 0`
    : `select ${list} from ${d.table(shape.tables.state)}${scoped ? ' where match_key in (select k from scope_keys)' : ''}`;
}
