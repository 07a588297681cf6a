import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { LoadedProject } from '../config/load-project.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { fileSourcePath, fileSourceSelect } from './compile-models.js';

/**
 * Per source with `path:`, a stamp of what it would read now: the read statement, and each matched file's name,
 * size, modification time (nanoseconds) and inode. The files are matched by the warehouse itself (DuckDB's
 * `glob`), so the stamp covers exactly the files its read covers. A source whose stamp equals the one stored when
 * its table was last written is not read again (compile-models.ts, docs/incremental.md#file-sources). A source
 * that matches no file has no stamp: it is read as before, and fails as before.
 */
export async function fileStamps(warehouse: Warehouse, project: LoadedProject): Promise<Map<string, string>> {
  const stamps = new Map<string, string>();
  const d = warehouse.dialect;
  if (!d.capabilities.readsFiles) return stamps;
  for (const source of project.sources) {
    if (source.path === undefined) continue;
    const rows = await warehouse.query(`select file from glob(${d.stringLiteral(fileSourcePath(project, source.path))}) order by file`, { label: `files of source ${source.name}` });
    const files = rows.map((r) => String(r.file));
    if (files.length === 0) continue;
    const stats = [];
    for (const file of files) {
      const s = await stat(file, { bigint: true });
      stats.push([file, String(s.size), String(s.mtimeNs), String(s.ino)]);
    }
    stamps.set(source.name, createHash('sha256').update(JSON.stringify([fileSourceSelect(project, d, source.path), stats])).digest('hex').slice(0, 32));
  }
  return stamps;
}
