import type { Declared, LoadedProject } from '../config/load-project.js';
import type { SourceConfig } from '../config/schema.js';
import type { Dialect, SqlType, TableRef } from '../dialect/dialect.js';
import { RunError } from '../diagnostics/diagnostic.js';
import { cdpTable, sourceRelation } from '../model/relations.js';
import type { ColumnInfo } from '../warehouse/warehouse.js';
import type { StageContext } from '../model/stage-context.js';

/** Bad rows of one source in this build: kept out of identity and traits, and left in `quarantine_<source>`. */
export interface BadRows {
  readonly source: string;
  readonly rows: number;
  /** Bad values per column. */
  readonly columns: Readonly<Record<string, number>>;
  readonly quarantine: string;
}

/** A column whose values must convert to `type`; `cast` false when the column already has the type (finiteness only). */
interface ColumnRule {
  readonly column: string;
  readonly type: SqlType;
  readonly cast: boolean;
}

/**
 * Types each source's values per its declared `columns:`, its `timestamp` column (a timestamp) and the
 * columns `sum`/`avg` traits add up (numbers), after the sources are read and before identity
 * (docs/bad-rows.md). A value that does not convert, or a number that is NaN or infinite, makes its row
 * a bad row: with `on_bad_rows: skip` (the default) the row is moved to `quarantine_<source>` and counted;
 * with `fail` the build stops before anything is replaced. A source needing no conversion is untouched.
 */
export async function typeSources(ctx: StageContext): Promise<readonly BadRows[]> {
  const out: BadRows[] = [];
  for (const source of ctx.project.sources) {
    const relation = sourceRelation(ctx.project, source);
    const columns = await ctx.warehouse.columns(relation);
    const rules = columnRules(ctx.project, source, columns);
    if (rules.length === 0) continue;
    out.push(await typeSource(ctx, source, relation, columns, rules));
  }
  return out;
}

async function typeSource(ctx: StageContext, source: Declared<SourceConfig>, relation: TableRef, columns: readonly ColumnInfo[], rules: readonly ColumnRule[]): Promise<BadRows> {
  const { warehouse, project } = ctx;
  const d = warehouse.dialect;
  const q = (n: string) => d.quoteIdentifier(n);
  const raw = cdpTable(project, `_cdp_raw_${source.name}`);
  const quarantine = cdpTable(project, `quarantine_${source.name}`);
  const label = `source ${source.name}`;
  if (rules.every((r) => !r.cast)) {
    // Only finiteness to check: when every number is finite the source stays as it is (no copy).
    const [row] = await warehouse.query(`select count(*) as n from ${d.table(relation)} r where ${rules.map((r) => badValue(d, r)).join(' or ')}`);
    if (Number(row?.n ?? 0) === 0) {
      await warehouse.execute(d.dropTable(quarantine), { label });
      return { source: source.name, rows: 0, columns: {}, quarantine: `${project.config.schema}.quarantine_${source.name}` };
    }
  }
  await warehouse.execute(d.createTableAs(raw, `select * from ${d.table(relation)}`), { label });
  try {
    const bad = rules.map((r) => `case when ${badValue(d, r)} then 1 else 0 end`);
    const [counts] = await warehouse.query(
      `select count(*) as n_rows, ${rules.map((r, i) => `coalesce(sum(${bad[i]}), 0) as c${i}`).join(', ')} from ${d.table(raw)} r where ${rules.map((r) => badValue(d, r)).join(' or ')}`,
    );
    const rows = Number(counts?.n_rows ?? 0);
    const perColumn = Object.fromEntries(rules.flatMap((r, i) => (Number(counts?.[`c${i}`] ?? 0) > 0 ? [[r.column, Number(counts?.[`c${i}`])]] : [])));
    if (rows > 0 && source.on_bad_rows === 'fail') {
      const [example] = await warehouse.query(`select ${rules.map((r) => q(r.column)).join(', ')} from ${d.table(raw)} r where ${rules.map((r) => badValue(d, r)).join(' or ')} limit 1`);
      const shown = rules.filter((r) => example !== undefined && example[r.column] !== null).map((r) => `${r.column} ${JSON.stringify(String(example?.[r.column]))}`);
      throw new RunError(
        'bad-rows',
        `source ${source.name}: ${rows} row${rows === 1 ? '' : 's'} with values that are not their type (${Object.entries(perColumn).map(([c, n]) => `${c}: ${n}`).join(', ')}; e.g. ${shown.join(', ')})`,
        `fix the data, or set on_bad_rows: skip on the source to quarantine such rows in ${project.config.schema}.quarantine_${source.name} and go on`,
      );
    }
    const reasons = rules.map((r) => `case when ${badValue(d, r)} then ${d.stringLiteral(`${r.column} `)} else '' end`).join(' || ');
    await warehouse.execute(
      d.createTableAs(
        quarantine,
        `select r.*, ${d.literal(ctx.runId)} as _cdp_run_id, trim(${reasons}) as _cdp_bad_columns from ${d.table(raw)} r where ${rules.map((r) => badValue(d, r)).join(' or ')}`,
      ),
      { label },
    );
    const byColumn = new Map(rules.map((r) => [r.column, r]));
    const select = columns.map((c) => {
      const rule = byColumn.get(c.name);
      return rule?.cast ? `${d.tryCast(`r.${q(c.name)}`, rule.type)} as ${q(c.name)}` : `r.${q(c.name)}`;
    });
    if ((await warehouse.relationKind(relation)) === 'view') await warehouse.execute(d.dropView(relation), { label });
    await warehouse.execute(
      d.createTableAs(relation, `select ${select.join(', ')} from ${d.table(raw)} r where not (${rules.map((r) => badValue(d, r)).join(' or ')})`),
      { label },
    );
    return { source: source.name, rows, columns: perColumn, quarantine: `${project.config.schema}.quarantine_${source.name}` };
  } finally {
    await warehouse.execute(d.dropTable(raw)).catch(() => undefined);
  }
}

/** Which columns of a source need converting or checking, from its declarations, timestamp and traits. */
function columnRules(project: LoadedProject, source: Declared<SourceConfig>, columns: readonly ColumnInfo[]): ColumnRule[] {
  const wanted = new Map<string, SqlType>();
  for (const t of project.traits) {
    if (t.from === source.name && t.column !== undefined && (t.aggregate === 'sum' || t.aggregate === 'avg')) wanted.set(t.column.toLowerCase(), 'float');
  }
  if (source.timestamp !== undefined) wanted.set(source.timestamp.toLowerCase(), 'timestamp');
  for (const [column, type] of Object.entries(source.columns)) wanted.set(column.toLowerCase(), type);
  return columns.flatMap((c): ColumnRule[] => {
    const type = wanted.get(c.name.toLowerCase());
    if (type === undefined) return [];
    const actual = c.sqlType;
    const declared = Object.keys(source.columns).some((k) => k.toLowerCase() === c.name.toLowerCase());
    if (type === 'float' && !declared && actual === 'integer') return [];
    const sameKind = actual === type || (type === 'timestamp' && actual === 'date');
    if (sameKind && type !== 'float') return [];
    // Floats are always checked: a NaN or an infinity never reaches a trait or a destination.
    return [{ column: c.name, type, cast: !sameKind }];
  });
}

/** True when the row's value of the rule's column is present but not a usable value of its type. */
function badValue(d: Dialect, rule: ColumnRule): string {
  const col = `r.${d.quoteIdentifier(rule.column)}`;
  const typed = rule.cast ? d.tryCast(col, rule.type) : col;
  const blank = rule.cast ? `${col} is null or trim(${d.cast(col, 'string')}) = ''` : `${col} is null`;
  const finite = rule.type === 'float' || rule.type === 'integer' ? ` or not (${typed} - ${typed} = 0)` : '';
  return `(not (${blank}) and (${typed} is null${finite}))`;
}
