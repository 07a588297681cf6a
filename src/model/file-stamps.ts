import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { LoadedProject } from '../config/load-project.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { fileSourcePath, fileSourceSelect, fileStampsTable } from './compile-models.js';
import { sourceRelation } from './relations.js';

/** What a file source would read now, and whether its table can take only the files added since it was written. */
export interface FileStamp {
  /** Of the read statement and every matched file's name, size, modification time (nanoseconds) and inode. */
  readonly stamp: string;
  /** Those files as JSON, stored with the stamp: the next build finds the files added since. */
  readonly files: string;
  /**
   * Set when every file the table was written from is still there unchanged, the first file is still first, more
   * files match, and the whole read still gives the table's columns: the table then takes the rows of the new files
   * (`files`), as the whole read gives them, when the stamp stored with it is still `from`.
   */
  readonly append?: { readonly from: string; readonly files: readonly string[] };
}

type FileStats = readonly (readonly [file: string, size: string, mtimeNs: string, inode: string])[];

const stampOf = (select: string, stats: FileStats): string => createHash('sha256').update(JSON.stringify([select, stats])).digest('hex').slice(0, 32);

/**
 * Per source with `path:`, a stamp of what it would read now. The files are matched by the warehouse itself
 * (DuckDB's `glob`), so the stamp covers exactly the files its read covers. A source whose stamp equals the one
 * stored when its table was last written is not read again; one whose new files can be appended reads only those
 * (compile-models.ts, docs/incremental.md#file-sources). A source that matches no file has no stamp: it is read as
 * before, and fails as before.
 */
export async function fileStamps(warehouse: Warehouse, project: LoadedProject): Promise<Map<string, FileStamp>> {
  const stamps = new Map<string, FileStamp>();
  const d = warehouse.dialect;
  if (!d.capabilities.readsFiles) return stamps;
  const stored = await storedFiles(warehouse, project);
  for (const source of project.sources) {
    if (source.path === undefined) continue;
    const rows = await warehouse.query(`select file from glob(${d.stringLiteral(fileSourcePath(project, source.path))}) order by file`, { label: `files of source ${source.name}` });
    const files = rows.map((r) => String(r.file));
    if (files.length === 0) continue;
    const stats: (readonly [string, string, string, string])[] = [];
    for (const file of files) {
      const s = await stat(file, { bigint: true });
      stats.push([file, String(s.size), String(s.mtimeNs), String(s.ino)]);
    }
    const select = fileSourceSelect(project, d, source.path);
    const before = stored.get(source.name);
    const added = before === undefined ? undefined : addedFiles(before, stats);
    const append = added && (await appendable(warehouse, project, source.name, select)) ? { from: stampOf(select, before as FileStats), files: added } : undefined;
    stamps.set(source.name, { stamp: stampOf(select, stats), files: JSON.stringify(stats), ...(append ? { append } : {}) });
  }
  return stamps;
}

/** The files each source's table was last written from, as stored with its stamp (none before the first write). */
async function storedFiles(warehouse: Warehouse, project: LoadedProject): Promise<Map<string, FileStats>> {
  const table = fileStampsTable(project);
  const byName = new Map<string, FileStats>();
  if (!(await warehouse.tableExists(table))) return byName;
  // `select *`: a table stored before the file list has no `files` column yet (the next write adds it).
  for (const row of await warehouse.query(`select * from ${warehouse.dialect.table(table)}`, { label: 'file source stamps' })) {
    try {
      const parsed = JSON.parse(String(row.files ?? 'null')) as unknown;
      if (Array.isArray(parsed)) byName.set(String(row.source), parsed as FileStats);
    } catch {
      // not a list: the source is read whole, as before
    }
  }
  return byName;
}

/**
 * The files matched now that were not before, when every file matched before is still matched and unchanged and the
 * first file is still first (DuckDB takes a multi-file CSV read's dialect from it).
 */
function addedFiles(before: FileStats, now: FileStats): string[] | undefined {
  const current = new Map(now.map((s) => [s[0], s.join('\u0000')]));
  if (before.length === 0 || before[0][0] !== now[0][0] || before.some((s) => current.get(s[0]) !== s.join('\u0000'))) return undefined;
  const known = new Set(before.map((s) => s[0]));
  const added = now.map((s) => s[0]).filter((file) => !known.has(file));
  return added.length > 0 ? added : undefined;
}

/**
 * Whether the whole read, new files included, still gives the table's columns (names, types, order): DuckDB infers a
 * multi-file read's types from several files, so a new file can change them for every row. The new rows are picked
 * out of that same read by its `filename` column, so a table with a column of that name is read whole.
 */
async function appendable(warehouse: Warehouse, project: LoadedProject, source: string, select: string): Promise<boolean> {
  const d = warehouse.dialect;
  const table = sourceRelation(project, { name: source });
  if ((await warehouse.relationKind(table)) !== 'table') return false;
  const describe = async (of: string) =>
    (await warehouse.query(`select column_name, column_type from (describe ${of})`, { label: `columns of source ${source}` })).map((r) => `${r.column_name} ${r.column_type}`);
  try {
    const columns = await describe(select);
    return !columns.some((c) => c.toLowerCase().startsWith('filename ')) && columns.join(', ') === (await describe(`select * from ${d.table(table)}`)).join(', ');
  } catch {
    return false; // unreadable: the whole read says why
  }
}
