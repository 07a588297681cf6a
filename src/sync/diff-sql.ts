import type { Dialect } from '../dialect/dialect.js';
import { STATE_KEY_COLUMNS, type SyncShape } from './sync-shape.js';

export interface DiffOptions {
  /** Lower-cased names of the state table's columns; undefined when it does not exist yet. */
  readonly stateColumns: ReadonlySet<string> | undefined;
  /** Compare against nothing: every record in scope is sent again with every non-null field. */
  readonly fullResync: boolean;
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
  const q = (n: string) => d.quoteIdentifier(n);
  const { sync, fields, segments, tables } = shape;
  const text = (expr: string) => d.cast(expr, 'string');
  const keyText = `trim(${text(`p.${q(sync.match.trait)}`)})`;
  const key = `nullif(${shape.keyCaseInsensitive ? `lower(${keyText})` : keyText}, '')`;
  const audience =
    sync.audience === 'all'
      ? ''
      : ` and exists (select 1 from ${d.table(tables.members)} am where am.segment = ${d.literal(sync.audience)} and am.profile_id = p.profile_id)`;
  const gate = sync.where !== undefined ? `coalesce((${sync.where}), false)` : 'true';

  const ctes: string[] = [];
  ctes.push(
    `src as (\n  select p.profile_id as profile_id, ${key} as match_key, (${gate}${audience}) as in_scope${fields.map((f, i) => `, ${f.retired ? d.cast('null', f.type) : `p.${q(f.trait)}`} as v${i}`).join('')}\n  from ${d.table(tables.profiles)} p\n)`,
  );
  // Retired targets (docs/sync-renames.md) want nobody: their members are removed, their values cleared.
  const active = segments.flatMap((s, j) => (s.retired ? [] : [{ s, j }]));
  if (active.length > 0) {
    const flags = active.map(({ s, j }) => `max(case when segment = ${d.literal(s.segment)} then 1 else 0 end) as d${j}`).join(', ');
    const names = active.map(({ s }) => d.literal(s.segment)).join(', ');
    ctes.push(`mem as (\n  select profile_id, ${flags}\n  from ${d.table(tables.members)} where segment in (${names}) group by profile_id\n)`);
  }
  const memberJoin = active.length > 0 ? ' left join mem on mem.profile_id = src.profile_id' : '';
  ctes.push(
    `ranked as (\n  select src.*${segments.map((s, j) => (s.retired ? `, false as d${j}` : `, coalesce(mem.d${j}, 0) = 1 as d${j}`)).join('')}, row_number() over (partition by src.match_key order by src.profile_id) as dup_rank\n  from src${memberJoin}\n  where src.in_scope and src.match_key is not null\n)`,
  );
  ctes.push(`desired as (select * from ranked where dup_rank = 1)`);
  ctes.push(`st as (\n  ${stateSelect(shape, d, options.stateColumns)}\n)`);

  const perField = fields.map((f, i) => `, d.v${i} as v${i}, ${text(`d.v${i}`)} as t${i}, st.s${i} as s${i}`).join('');
  const perSegment = segments.map((_, j) => `, coalesce(d.d${j}, false) as d${j}, coalesce(st.sm${j}, false) as sm${j}`).join('');
  ctes.push(
    `joined as (\n  select coalesce(d.match_key, st.match_key) as match_key, coalesce(d.profile_id, st.profile_id) as profile_id, st.destination_id as destination_id,\n    case when d.match_key is null then 'leave' when st.match_key is null then 'enter' else 'change' end as op${perField}${perSegment}\n  from desired d full outer join st on st.match_key = d.match_key\n)`,
  );

  const clear = sync.nulls === 'clear';
  const changed = fields.map((f, i) => {
    if (f.retired) return `(op <> 'leave' and s${i} is not null) as c${i}`;
    const test = options.fullResync
      ? clear ? `(t${i} is not null or s${i} is not null)` : `t${i} is not null`
      : clear ? `t${i} is distinct from s${i}` : `(t${i} is not null and t${i} is distinct from s${i})`;
    return `(op <> 'leave' and ${test}) as c${i}`;
  });
  const adds = segments.map((_, j) => `(op <> 'leave' and d${j}${options.fullResync ? '' : ` and not sm${j}`}) as a${j}`);
  const removes = segments.map((_, j) => `(op <> 'leave' and not d${j} and sm${j}) as r${j}`);
  const flags = [...changed, ...adds, ...removes];
  const anyChange = [...fields.map((_, i) => `c${i}`), ...segments.flatMap((_, j) => [`a${j}`, `r${j}`])];
  const filter = options.fullResync ? '' : `\nwhere op <> 'change'${anyChange.map((c) => ` or ${c}`).join('')}`;
  return `with ${ctes.join(',\n')},\nflagged as (\n  select joined.*${flags.map((f) => `, ${f}`).join('')}\n  from joined\n)\nselect * from flagged${filter}`;
}

/** The state as the diff reads it; columns the table lacks (or a missing table) read as NULL. */
function stateSelect(shape: SyncShape, d: Dialect, columns: ReadonlySet<string> | undefined): string {
  const has = (c: string) => columns?.has(c.toLowerCase()) === true;
  const col = (c: string, alias: string, type: 'string' | 'boolean') => (has(c) ? `${d.quoteIdentifier(c)} as ${alias}` : `${d.cast('null', type)} as ${alias}`);
  const list = [
    ...STATE_KEY_COLUMNS.filter((c) => c !== 'synced_at').map((c) => col(c, c, 'string')),
    ...shape.fields.map((f, i) => col(f.column, `s${i}`, 'string')),
    ...shape.segments.map((s, j) => col(s.column, `sm${j}`, 'boolean')),
  ].join(', ');
  return columns === undefined
    ? `select ${list} from ${d.table(shape.tables.profiles)} where 1 = 0`
    : `select ${list} from ${d.table(shape.tables.state)}`;
}
