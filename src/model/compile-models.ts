import { isAbsolute, join } from 'node:path';
import type { LoadedProject } from '../config/load-project.js';
import type { Dialect, TableRef } from '../dialect/dialect.js';
import { statementsStep, type PlanStep, type StatementsStep } from './plan.js';
import type { FileStamp } from './file-stamps.js';
import { cdpTable, pulledTableName, qualifiedName, sourceRelation } from './relations.js';
import { modelGraph } from './model-graph.js';
import { stampedSteps } from './stamped-steps.js';
import { renderTemplates } from './templates.js';

/** A `path:` as the warehouse reads it: relative to the project folder. */
export function fileSourcePath(project: LoadedProject, sourcePath: string): string {
  return isAbsolute(sourcePath) ? sourcePath : join(project.dir, sourcePath);
}

/** The reader a `path:` takes, by its extension. */
function fileSourceFormat(sourcePath: string): 'csv' | 'parquet' | 'json' {
  return /\.parquet$/i.test(sourcePath) ? 'parquet' : /\.json(l)?$/i.test(sourcePath) ? 'json' : 'csv';
}

/** `select * from read_csv_auto(...)`: what a source with `path:` reads (DuckDB). */
export function fileSourceSelect(project: LoadedProject, dialect: Dialect, sourcePath: string): string {
  return `select * from ${dialect.readFile(fileSourcePath(project, sourcePath), fileSourceFormat(sourcePath))}`;
}

/** Where the stamp of each file source's table is kept (file-stamps.ts). */
export function fileStampsTable(project: LoadedProject) {
  return cdpTable(project, '_cdp_file_sources');
}

/** Creates `fileStampsTable` when missing. */
export function createFileStampsTable(project: LoadedProject, dialect: Dialect): string[] {
  const table = dialect.table(fileStampsTable(project));
  const text = dialect.typeName('string');
  // `files` came after `stamp`: a table from before it gains the column (empty, so the next write is whole).
  return [`create table if not exists ${table} (source ${text}, stamp ${text}, files ${text})`, `alter table ${table} add column if not exists files ${text}`];
}

/**
 * A file source's table, written only when its files changed: when the table exists and the stamp stored with it
 * is this build's (`stamp`, file-stamps.ts), nothing is read. When files were only added and the stamp stored is
 * the one of the files the table holds (`append.from`), the table takes the new files' rows, in one transaction
 * with the new stamp, so a build that fails in between appends them again next time rather than twice.
 * `--full-refresh` reads every file again. A whole write stores its stamp after the table is written, so a build
 * that fails in between reads the files again next time.
 */
function fileSourceStep(project: LoadedProject, dialect: Dialect, source: (typeof project.sources)[number], write: StatementsStep, stamp: FileStamp): PlanStep {
  const table = dialect.table(fileStampsTable(project));
  const name = dialect.stringLiteral(source.name);
  const stored = [
    `delete from ${table} where source = ${name}`,
    `insert into ${table} (source, stamp, files) values (${name}, ${dialect.stringLiteral(stamp.stamp)}, ${dialect.stringLiteral(stamp.files)})`,
  ];
  const target = write.replaces?.target as TableRef;
  const added = cdpTable(project, `_cdp_tmp_${source.name}_added`);
  const append = stamp.append && {
    from: stamp.append.from,
    when: 'files were only added since the table was written and the read gives its columns: the new files\' rows are taken from it (new CSV files written like the first are read alone, with its dialect and the columns)',
    steps: [
      statementsStep(
        'sources',
        `${write.id}.append`,
        `${write.label} (new files${stamp.append.read ? ', read alone' : ''})`,
        [
          dialect.createScratchTableAs(
            added,
            stamp.append.read ?? `${fileSourceSelect(project, dialect, source.path as string)}\nwhere filename in (${stamp.append.files.map((f) => dialect.stringLiteral(f)).join(', ')})`,
          ),
          `insert into ${dialect.table(target)}\nselect * from ${dialect.scratchTable(added)}`,
          ...stored,
        ],
        { transaction: true, added: `select count(*) as n from ${dialect.scratchTable(added)}` },
      ),
    ],
  };
  return stampedSteps({
    id: write.id,
    stage: 'sources',
    label: `${write.label}: files unchanged?`,
    target,
    storedSql: `select stamp from ${table} where source = ${name}`,
    stamp: stamp.stamp,
    write: [{ ...write, statements: [...write.statements, ...stored] }],
    refresh: true,
    differs: 'a file was added, removed or changed (name, size, modification time)',
    ...(append ? { append } : {}),
  });
}

/**
 * Sources over tables and files, SQL models in dependency order (a model may ref a model or such a
 * source), then sources over models. `selected` limits which models run.
 */
export function compileModels(
  project: LoadedProject,
  dialect: Dialect,
  selected?: ReadonlySet<string>,
  pulled: ReadonlySet<string> = new Set(),
  stamps: ReadonlyMap<string, FileStamp> = new Map(),
): PlanStep[] {
  const byName = new Map(project.models.map((m) => [m.name, m]));
  const { order } = modelGraph(project);
  const steps: PlanStep[] = [
    { kind: 'statements', id: 'schema', stage: 'setup', label: `schema ${project.config.schema}`, statements: [dialect.createSchema(project.config.schema)] },
  ];
  if (stamps.size > 0) steps.push({ kind: 'statements', id: 'file_stamps', stage: 'setup', label: 'file source stamps', statements: createFileStampsTable(project, dialect) });
  const sourceStep = (source: (typeof project.sources)[number]): StatementsStep => {
    const target = sourceRelation(project, source);
    let statements: string[];
    if (source.pulled && pulled.has(source.name)) {
      // The CRM's live records as `cdp pull` copied them, under the source's own column names.
      const table = cdpTable(project, pulledTableName(source.pulled.destination, source.pulled.object));
      const columns = Object.entries(source.pulled.columns).map(([as, column]) => `${dialect.quoteIdentifier(column.toLowerCase())} as ${dialect.quoteIdentifier(as)}`);
      statements = [dialect.createTableAs(target, `select ${columns.join(', ')} from ${dialect.table(table)} where not deleted`)];
      return { kind: 'statements', id: `source.${source.name}`, stage: 'sources', label: `source ${source.name} (pulled)`, statements, replaces: { target, kind: 'table' } };
    }
    if (source.path !== undefined) {
      // An append source's rows are laid out by time: the reads that take its recent rows (the tail, the rows after
      // the kept identity groups, rows crossing a window) then skip the rest by DuckDB's per-block min/max
      // (docs/incremental.md#file-sources). New files are appended after them, usually later still.
      const byTime = source.changes === 'append' && source.timestamp !== undefined ? `\norder by ${dialect.quoteIdentifier(source.timestamp)}` : '';
      statements = [dialect.createTableAs(target, `${fileSourceSelect(project, dialect, source.path)}${byTime}`)];
    } else {
      const from = source.model !== undefined ? dialect.table(cdpTable(project, source.model)) : qualifiedName(dialect, source.table as string);
      statements = [dialect.createViewAs(target, `select * from ${from}`)];
    }
    const kind = source.path !== undefined ? 'table' : 'view';
    return { kind: 'statements', id: `source.${source.name}`, stage: 'sources', label: `source ${source.name}`, statements, replaces: { target, kind } };
  };
  // Sources over tables and files come first (models may ref them), sources over models last.
  for (const source of project.sources.filter((s) => s.model === undefined)) {
    const step = sourceStep(source);
    const stamp = stamps.get(source.name);
    if (source.path !== undefined && stamp !== undefined && !(source.pulled && pulled.has(source.name))) steps.push(fileSourceStep(project, dialect, source, step, stamp));
    else if (stamp !== undefined) {
      // Written from the pulled records: the table no longer holds what its files' stamp says (read again from the
      // files later, it is written whole; profiles hash it again: docs/incremental.md).
      steps.push({ ...step, statements: [...step.statements, `delete from ${dialect.table(fileStampsTable(project))} where source = ${dialect.stringLiteral(source.name)}`] });
    } else steps.push(step);
  }
  const sourceNames = new Set(project.sources.map((s) => s.name));
  for (const name of order) {
    if (selected && !selected.has(name)) continue;
    const model = byName.get(name);
    if (!model) continue;
    const select = renderTemplates(model.sql.trim(), (call) => {
      if (call.kind === 'source') return qualifiedName(dialect, `${call.schema}.${call.table}`);
      return dialect.table(byName.has(call.name) || !sourceNames.has(call.name) ? cdpTable(project, call.name) : sourceRelation(project, { name: call.name }));
    });
    const target = cdpTable(project, model.name);
    const statements = [model.materialized === 'table' ? dialect.createTableAs(target, select) : dialect.createViewAs(target, select)];
    steps.push({ kind: 'statements', id: `model.${name}`, stage: 'models', label: `model ${name}`, statements, replaces: { target, kind: model.materialized } });
  }
  for (const source of project.sources.filter((s) => s.model !== undefined)) steps.push(sourceStep(source));
  return steps;
}

/** dbt-style selection: `name`, `name+` (and downstream), `+name` (and upstream). */
export function selectModels(project: LoadedProject, selectors: readonly string[]): Set<string> {
  const deps = modelGraph(project).refs;
  const dependents = new Map<string, string[]>();
  for (const [name, ds] of deps) for (const d of ds) dependents.set(d, [...(dependents.get(d) ?? []), name]);
  const walk = (start: string, next: ReadonlyMap<string, readonly string[]>, into: Set<string>) => {
    for (const n of next.get(start) ?? []) if (!into.has(n)) (into.add(n), walk(n, next, into));
  };
  const selected = new Set<string>();
  for (const selector of selectors) {
    const name = selector.replace(/^\+/, '').replace(/\+$/, '');
    if (!deps.has(name)) continue;
    selected.add(name);
    if (selector.endsWith('+')) walk(name, dependents, selected);
    if (selector.startsWith('+')) walk(name, deps, selected);
  }
  return selected;
}
