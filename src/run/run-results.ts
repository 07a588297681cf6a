import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadedProject } from '../config/load-project.js';
import { toSnakeCase } from './snake-case-keys.js';

/** The version of `target/run_results.json` (docs/json-output.md#run-results-file). */
export const RUN_RESULTS_VERSION = 1;

export interface RunResults {
  readonly runId: string;
  readonly command: string;
  readonly status: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly counts: unknown;
  readonly error: string | null;
}

/**
 * Writes `target/run_results.json` for the run that just ended (success or failure), replacing the
 * previous run's, as dbt does: a file an orchestrator can read without a warehouse connection.
 * Written to a temporary name and renamed, so a reader never sees half a file.
 */
export async function writeRunResults(project: LoadedProject, results: RunResults): Promise<string> {
  const dir = join(project.dir, 'target');
  await mkdir(dir, { recursive: true });
  const body = {
    version: RUN_RESULTS_VERSION,
    project: project.config.project,
    ...(toSnakeCase({
      runId: results.runId,
      command: results.command,
      status: results.status,
      startedAt: results.startedAt.toISOString(),
      finishedAt: results.finishedAt.toISOString(),
      elapsedSeconds: Math.round((results.finishedAt.getTime() - results.startedAt.getTime()) / 10) / 100,
      error: results.error,
      counts: results.counts ?? null,
    }) as Record<string, unknown>),
  };
  const path = join(dir, 'run_results.json');
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(body, null, 2)}\n`);
  await rename(temporary, path);
  return path;
}
