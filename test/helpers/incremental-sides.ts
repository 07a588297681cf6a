import { afterEach } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import { buildProject, type BuildSummary } from '../../src/run/build-project.js';
import { removeProject, writeProject } from './project.js';

/**
 * The two sides of an incremental test (docs/incremental.md): warehouses in memory that receive the same history,
 * one building incrementally and one with --full-refresh. Each side is a project of `models` over the tables that
 * `rawTables` create; both are closed and removed after each test.
 */
export interface Side {
  readonly warehouse: DuckDBWarehouse;
  readonly project: LoadedProject;
}

export function incrementalSides(models: string, rawTables: readonly string[]): { side: () => Promise<Side> } {
  const dirs: string[] = [];
  const open: Side[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.warehouse.close()));
    await Promise.all(dirs.splice(0).map(removeProject));
  });
  return {
    async side() {
      const dir = await writeProject({ 'cdp.config.yaml': 'project: t\n', 'models/m.yaml': models });
      dirs.push(dir);
      const project = (await loadProject(dir)).project as LoadedProject;
      const warehouse = await DuckDBWarehouse.open({ path: ':memory:' });
      for (const sql of rawTables) await warehouse.execute(sql);
      const s = { warehouse, project };
      open.push(s);
      return s;
    },
  };
}

/** One build of a side at `asOf`. */
export async function buildSide(s: Side, runId: string, asOf: number | string, fullRefresh: boolean): Promise<BuildSummary> {
  return buildProject({ project: s.project, warehouse: s.warehouse, runId, asOf: new Date(asOf), fullRefresh, log: () => {} });
}
