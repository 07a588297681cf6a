import { resolve } from 'node:path';
import { loadProject, type LoadedProject } from '../config/load-project.js';
import { error, hasErrors, ProjectError, warning, type Diagnostic } from '../diagnostics/diagnostic.js';
import { validateProject } from '../model/validate-project.js';
import { validatePulledSources } from '../pull/validate-pulled-sources.js';
import { sourceColumns } from '../model/source-columns.js';
import { validateColumns } from '../model/validate-columns.js';
import { openWarehouse } from '../engines/open-warehouse.js';
import { openForReading } from '../engines/open-read-only.js';
import type { Warehouse } from '../warehouse/warehouse.js';
import { Reporter, type CliIO, type GlobalOptions } from './io.js';

/** What every command gets: where the project is, how to print, and the run's reference time. */
export class CommandContext {
  readonly reporter: Reporter;
  readonly dir: string;
  readonly asOf: Date;

  constructor(
    readonly io: CliIO,
    readonly options: GlobalOptions,
    readonly command = 'cdp',
  ) {
    this.reporter = new Reporter(io, options, command);
    this.dir = resolve(io.cwd, options.projectDir ?? '.');
    this.asOf = parseAsOf(options.asOf);
  }

  /**
   * Loads and checks the project. Problems that stop the command throw a ProjectError (exit 2);
   * warnings are printed. `needs` names config the command will use, so that only then a
   * missing `${VAR}` in it is an error. `missingEnv: 'warning'` (validate: it checks files, not
   * secrets) reports those as warnings instead. With `columns`, the source columns that sources and
   * traits name are checked against what the warehouse (or the files) have, in the same report.
   */
  async project(
    needs: {
      readonly warehouse?: boolean;
      readonly destinations?: readonly string[] | 'used' | 'all';
      readonly missingEnv?: 'error' | 'warning';
      readonly columns?: boolean;
    } = {},
  ): Promise<LoadedProject> {
    const { project, diagnostics } = await loadProject(this.dir, this.io.env, { target: this.options.target });
    const all: Diagnostic[] = [...diagnostics];
    if (project) {
      all.push(...validateProject(project), ...validatePulledSources(project));
      const missing = needs.missingEnv === 'warning' ? warning : error;
      const destinations =
        needs.destinations === 'used'
          ? project.syncs.map((s) => s.destination)
          : needs.destinations === 'all'
            ? Object.keys(project.config.destinations)
            : (needs.destinations ?? []);
      for (const use of project.missingEnv) {
        const [top, name] = use.path;
        if (top === 'warehouse' && needs.warehouse) {
          all.push(missing('missing-env', `the warehouse needs \${${use.variable}}, which is not set`, use.at, `export ${use.variable}=... before running`));
        } else if (top === 'destinations' && destinations.includes(String(name))) {
          const users = project.syncs.filter((s) => s.destination === name).map((s) => `'${s.sync}'`);
          const hint = `export ${use.variable}=... before running${users.length ? `; used by sync ${users.join(', ')}` : ''}`;
          all.push(missing('missing-env', `destination '${String(name)}' needs \${${use.variable}}, which is not set`, use.at, hint));
        }
      }
    }
    const configFile = project?.config.origin.file.file;
    const warehouseUsable = project && !all.some((d) => d.severity === 'error' && d.file === configFile) && !project.missingEnv.some((u) => u.path[0] === 'warehouse');
    if (needs.columns && project && warehouseUsable) {
      all.push(...validateColumns(project, await sourceColumns(project, (line) => this.reporter.verbose(line))));
    }
    const sorted = sortDiagnostics(all);
    if (!project || hasErrors(sorted)) throw new ProjectError(sorted);
    this.reporter.diagnostics(sorted);
    return project;
  }

  async warehouse(project: LoadedProject): Promise<Warehouse> {
    return openWarehouse(project.config.warehouse, project.dir);
  }

  /** For commands that only read: never waits on a run; on DuckDB, reads a copy while a run has the file. */
  async readOnlyWarehouse(project: LoadedProject): Promise<Warehouse> {
    const { warehouse, source } = await openForReading(project.config.warehouse, project.dir);
    if (source === 'snapshot') this.reporter.problem('note: a run has the warehouse file open; showing a copy of it as of now (what that run has not written yet is missing)');
    return warehouse;
  }
}

export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => (a.file ?? '').localeCompare(b.file ?? '') || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

function parseAsOf(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw new ProjectError([error('invalid-option', `--as-of '${text}' is not a timestamp`, {}, 'use ISO 8601, e.g. 2026-01-31T00:00:00Z')]);
  }
  return date;
}
