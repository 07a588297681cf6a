import type { LoadedProject } from '../config/load-project.js';
import type { Dialect } from '../dialect/dialect.js';
import { identityPlan } from '../identity/identity-plan.js';
import { changedRowSelect, rowProfileSelect } from '../identity/row-profile-select.js';
import { accountsPlan } from '../account/accounts-plan.js';
import { compileModels } from '../model/compile-models.js';
import type { FileStamp } from '../model/file-stamps.js';
import type { Plan, PlanStep } from '../model/plan.js';
import type { SourceColumnTypes } from '../profile/compile-traits.js';
import { profilesPlan } from '../profile/profiles-plan.js';
import { parseManifest, type Manifest } from './manifest.js';

/** What a plan is compiled for: the run's parameters, and what a build reads before a stage. */
export interface PlanParams {
  /** The run id the plan is written for (`<run_id>` in `cdp compile`). */
  readonly runId: string;
  readonly asOf: Date;
  /** Source column types, when known: `cdp build` reads them from the warehouse and casts traits to them. */
  readonly columnTypes?: SourceColumnTypes;
  /** `--select`: the models that run (default: all). */
  readonly selected?: ReadonlySet<string>;
  /** Sources with `pulled:` whose CRM object has been pulled: they read the pulled table (docs/pull.md). */
  readonly pulled?: ReadonlySet<string>;
  /** Per file source, the stamp of the files it would read now (model/file-stamps.ts): unchanged files are not read again. */
  readonly fileStamps?: ReadonlyMap<string, FileStamp>;
}

export type PlanStageName = 'models' | 'identity' | 'profiles' | 'accounts';

/**
 * The build's stages in order, each compiled from the manifest into plan steps. A stage added to the build
 * is one entry here (and, when it needs its own driver, one in build-project.ts).
 */
export const PLAN_STAGES: readonly { readonly name: PlanStageName; readonly compile: (m: Manifest, d: Dialect, p: PlanParams) => readonly PlanStep[] }[] = [
  { name: 'models', compile: (m, d, p) => compileModels(m.project, d, p.selected, p.pulled, p.fileStamps) },
  { name: 'identity', compile: (m, d, p) => (m.identity ? identityPlan(m.project, d, p) : []) },
  {
    name: 'profiles',
    compile: (m, d, p) =>
      m.identity
        ? profilesPlan(m.project, d, {
            ...p,
            rowsOf: (source) => rowProfileSelect(m.project, d, { name: source }),
            changedRows: (source, options) => changedRowSelect(m.project, d, { name: source }, options),
          })
        : [],
  },
  // After the person segments: accounts read identifiers, profiles and segment_members (docs/accounts.md).
  { name: 'accounts', compile: (m, d, p) => (m.identity ? accountsPlan(m.project, d, p) : []) },
];

/** One stage's plan steps. */
export function compileStage(name: PlanStageName, manifest: Manifest, dialect: Dialect, params: PlanParams): readonly PlanStep[] {
  return PLAN_STAGES.find((s) => s.name === name)?.compile(manifest, dialect, params) ?? [];
}

/**
 * The whole build as a plan for one dialect: pure, no I/O (`cdp compile` writes it, print-plan.ts). `cdp build`
 * executes the same stages compiled with the same parameters (test/compile/build-runs-compiled-plan.test.ts
 * checks every statement a build sends against this plan). Trait column types come from the warehouse at
 * build time, so compiled traits are untyped unless `columnTypes` is given.
 */
export function compilePlan(project: LoadedProject, dialect: Dialect, asOf: Date, options: Partial<Omit<PlanParams, 'asOf'>> = {}): Plan {
  const manifest = parseManifest(project);
  // A build stamps each file source's files when it starts (model/file-stamps.ts); compile shows where the stamp goes.
  const shown: FileStamp = {
    stamp: '<stamp of the files at build time>',
    files: '<the files, each with its size, modification time and inode>',
    append: { from: '<stamp of the files the table was written from>', files: ['<each file added since>'] },
  };
  const fileStamps = options.fileStamps ?? new Map(dialect.capabilities.readsFiles ? project.sources.flatMap((s) => (s.path !== undefined ? [[s.name, shown] as const] : [])) : []);
  const params: PlanParams = { ...options, fileStamps, runId: options.runId ?? '<run_id>', asOf };
  return { dialect: dialect.name, steps: PLAN_STAGES.flatMap((stage) => stage.compile(manifest, dialect, params)) };
}
