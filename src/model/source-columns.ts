import type { LoadedProject } from '../config/load-project.js';
import { openForDescribing } from '../engines/open-read-only.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { fileSourceSelect } from './compile-models.js';
import { qualifiedName, sourceRelation } from './relations.js';

/**
 * The columns of each source that can be seen without building (lower-case), for `cdp validate`
 * (docs/commands.md#cdp-validate): files (`path:`) are described by DuckDB; other sources through the
 * relation the last build made (`source_<name>`) or, on DuckDB, the table itself. Sources that cannot
 * be seen (no warehouse, a model not built yet) are left out. Never writes, never waits on a run.
 */
export async function sourceColumns(project: LoadedProject, log: (line: string) => void = () => undefined): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (project.sources.length === 0) return out;
  const warehouse = await openQuietly(project, log);
  if (!warehouse) return out;
  try {
    // Only DuckDB reads files, and it can DESCRIBE any SELECT.
    const readsFiles = warehouse.dialect.capabilities.readsFiles;
    for (const source of project.sources) {
      const columns = await describe(warehouse, readsFiles, project, source).catch((error: unknown) => {
        log(`columns of source '${source.name}' not checked: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      });
      if (columns) out.set(source.name, columns.map((c) => c.toLowerCase()));
    }
  } finally {
    await warehouse.close();
  }
  return out;
}

async function describe(warehouse: Warehouse, readsFiles: boolean, project: LoadedProject, source: LoadedProject['sources'][number]): Promise<string[] | undefined> {
  if (source.path !== undefined) {
    if (!readsFiles) return undefined;
    const rows = await warehouse.query(`describe ${fileSourceSelect(project, warehouse.dialect, source.path)}`, { label: `describe source ${source.name}` });
    return rows.map((r) => String(r.column_name));
  }
  const built = sourceRelation(project, source);
  if (await warehouse.relationKind(built)) {
    const columns = await warehouse.columns(built);
    if (columns.length > 0) return columns.map((c) => c.name);
  }
  if (source.table !== undefined && readsFiles) {
    const rows = await warehouse.query(`describe select * from ${qualifiedName(warehouse.dialect, source.table)}`, { label: `describe source ${source.name}` });
    return rows.map((r) => String(r.column_name));
  }
  return undefined;
}

async function openQuietly(project: LoadedProject, log: (line: string) => void): Promise<Warehouse | undefined> {
  try {
    return await openForDescribing(project.config.warehouse, project.dir);
  } catch (error) {
    log(`source columns not checked: the warehouse is not reachable (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
}
