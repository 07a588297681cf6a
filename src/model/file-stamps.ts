import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { LoadedProject } from '../config/load-project.js';
import type { CsvDialect } from '../dialect/dialect.js';
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
  readonly append?: {
    readonly from: string;
    readonly files: readonly string[];
    /**
     * For CSV files each sniffed like the first file: a read of the new files alone with that dialect and the table's
     * columns, nothing detected (`newFilesRead`). Without it the new rows are picked out of the whole read.
     */
    readonly read?: string;
  };
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
    const columns = added && (await appendable(warehouse, project, source.name, select));
    const read = columns && /\.csv$/i.test(source.path) ? await newFilesRead(warehouse, files[0], added, columns) : undefined;
    const append = added && columns ? { from: stampOf(select, before as FileStats), files: added, ...(read ? { read } : {}) } : undefined;
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

/** Whether `file` holds `text` anywhere (read in chunks; a match across two chunks counts too). */
async function holds(file: string, text: string): Promise<boolean> {
  if (text === '') return false;
  const needle = Buffer.from(text);
  let tail = Buffer.alloc(0);
  for await (const chunk of createReadStream(file)) {
    const window = Buffer.concat([tail, chunk as Buffer]);
    if (window.includes(needle)) return true;
    tail = window.subarray(Math.max(0, window.length - needle.length + 1));
  }
  return false;
}

type Columns = readonly (readonly [name: string, type: string])[];

/**
 * The columns (names, types, order) of the whole read, new files included, when they are still the table's: DuckDB
 * infers a multi-file read's types from several files, so a new file can change them for every row. The new rows may
 * be picked out of that same read by its `filename` column, so a table with a column of that name is read whole.
 */
async function appendable(warehouse: Warehouse, project: LoadedProject, source: string, select: string): Promise<Columns | undefined> {
  const d = warehouse.dialect;
  const table = sourceRelation(project, { name: source });
  if ((await warehouse.relationKind(table)) !== 'table') return undefined;
  const describe = async (of: string): Promise<Columns> =>
    (await warehouse.query(`select column_name, column_type from (describe ${of})`, { label: `columns of source ${source}` })).map((r) => [String(r.column_name), String(r.column_type)] as const);
  const text = (columns: Columns) => columns.map(([name, type]) => `${name} ${type}`).join(', ');
  try {
    const columns = await describe(select);
    const same = !columns.some(([name]) => name.toLowerCase() === 'filename') && text(columns) === text(await describe(`select * from ${d.table(table)}`));
    return same ? columns : undefined;
  } catch {
    return undefined; // unreadable: the whole read says why
  }
}

/**
 * The new CSV files read on their own, when each is written like the first file (the same delimiter, quote, escape,
 * line ends, comment, skipped rows, header, and date and time formats, as DuckDB sniffs them): with that dialect and
 * the whole read's columns, and nothing detected, they give the rows the whole read gives them, without parsing the
 * files the table already holds (docs/incremental.md#file-sources). Undefined when any differs, or cannot be sniffed.
 */
async function newFilesRead(warehouse: Warehouse, first: string, added: readonly string[], columns: Columns): Promise<string | undefined> {
  const d = warehouse.dialect;
  const sniff = async (file: string): Promise<CsvDialect | undefined> => {
    const [row] = await warehouse.query(d.sniffCsv(file), { label: 'sniff new files' });
    if (!row) return undefined;
    const text = (v: unknown) => (v === null || v === undefined || v === '(empty)' ? '' : String(v));
    const format = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));
    return {
      delimiter: text(row.delimiter),
      quote: text(row.quote),
      escape: text(row.escape),
      newLine: text(row.new_line),
      comment: text(row.comment),
      skipRows: Number(row.skip_rows),
      hasHeader: row.has_header === true || row.has_header === 'true',
      dateFormat: format(row.date_format),
      timestampFormat: format(row.timestamp_format),
    };
  };
  try {
    const dialect = await sniff(first);
    if (!dialect) return undefined;
    for (const file of added) {
      const own = await sniff(file);
      if (!own) return undefined;
      if (JSON.stringify(own) === JSON.stringify(dialect)) continue;
      // A file without a single quote character sniffs as unquoted: quoting cannot change how it is read.
      const unquoted = { ...own, quote: dialect.quote, escape: dialect.escape };
      if (own.quote !== '' || JSON.stringify(unquoted) !== JSON.stringify(dialect) || (await holds(file, dialect.quote))) return undefined;
    }
    return `select * from ${d.readCsvAs(added, dialect, columns)}`;
  } catch {
    return undefined; // a file the sniffer cannot read: the whole read says why
  }
}
