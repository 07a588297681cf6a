import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { buildIdentity } from '../../src/identity/build-identity.js';
import type { IdentityReport } from '../../src/identity/identity-report.js';
import { compileModels } from '../../src/model/compile-models.js';
import { executePlan } from '../../src/model/execute-plan.js';
import { DuckDBWarehouse } from '../../src/engines/duckdb/warehouse.js';
import type { Value } from '../../src/warehouse/warehouse.js';
import { removeProject, writeProject } from '../helpers/project.js';

export type RawRow = Readonly<Record<string, string | null>>;

export interface BuildOptions {
  readonly fullRefresh?: boolean;
  readonly asOf?: Date;
}

/** A project (models YAML) over raw DuckDB tables that tests rewrite between builds. */
export interface IdentityFixture {
  readonly w: DuckDBWarehouse;
  readonly project: LoadedProject;
  /** Replaces raw.<table>; a column named `ts` is a timestamp, every other column text. */
  setRows(table: string, rows: readonly RawRow[], columns?: readonly string[]): Promise<void>;
  build(options?: BuildOptions): Promise<IdentityReport>;
  /** `type:value` -> profile_id, from the published identifiers table. */
  profiles(): Promise<Map<string, string>>;
  rows(sql: string): Promise<Record<string, Value>[]>;
  close(): Promise<void>;
}

export const AS_OF = new Date('2026-01-31T00:00:00Z');

export async function identityFixture(modelsYaml: string, tables: Readonly<Record<string, readonly string[]>>): Promise<IdentityFixture> {
  const dir = await writeProject({ 'cdp.config.yaml': 'project: t\nwarehouse: { type: duckdb, path: ":memory:" }\n', 'models/m.yaml': modelsYaml });
  const { project, diagnostics } = await loadProject(dir);
  if (!project || diagnostics.some((x) => x.severity === 'error')) throw new Error(JSON.stringify(diagnostics));
  const w = await DuckDBWarehouse.open({ path: ':memory:', threads: 2 });
  await w.execute('create schema raw');
  let run = 0;
  const setRows = async (table: string, rows: readonly RawRow[], columns: readonly string[] = tables[table]) => {
    const cols = columns.map((c) => `${c} ${c === 'ts' ? 'timestamp' : 'varchar'}`).join(', ');
    await w.execute(`create or replace table raw.${table} (${cols})`);
    if (rows.length > 0) await w.insertRows({ schema: 'raw', name: table }, columns, rows.map((r) => columns.map((c) => r[c] ?? null)));
  };
  for (const [table, columns] of Object.entries(tables)) await setRows(table, [], columns);
  await executePlan(w, compileModels(project, w.dialect));
  return {
    w,
    project,
    setRows,
    async build(options = {}) {
      run += 1;
      return buildIdentity({
        project,
        warehouse: w,
        runId: `run${run}`,
        asOf: options.asOf ?? AS_OF,
        fullRefresh: options.fullRefresh ?? false,
        log: () => undefined,
      });
    },
    async profiles() {
      const rows = await w.query('select id_type, id_value, profile_id from cdp.identifiers');
      return new Map(rows.map((r) => [`${r.id_type}:${r.id_value}`, String(r.profile_id)]));
    },
    rows: (sql) => w.query(sql),
    async close() {
      await w.close();
      await removeProject(dir);
    },
  };
}

/** The partition of identifiers as sorted groups of `type:value`, independent of profile ids. */
export function groups(profiles: ReadonlyMap<string, string>): string[][] {
  const byProfile = new Map<string, string[]>();
  for (const [id, p] of profiles) byProfile.set(p, [...(byProfile.get(p) ?? []), id]);
  return [...byProfile.values()].map((g) => g.sort()).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** Whether every identifier listed is in one profile. */
export function together(profiles: ReadonlyMap<string, string>, ...ids: string[]): boolean {
  const p = ids.map((id) => profiles.get(id));
  return p[0] !== undefined && p.every((x) => x === p[0]);
}
