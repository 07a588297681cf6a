import type { LoadedProject } from '../config/load-project.js';
import type { Dialect, TableRef } from '../dialect/dialect.js';
import { compileIdentitySql } from '../identity/compile-identity-sql.js';
import { rowProfileSelect } from '../identity/row-profile-select.js';
import { compileModels } from '../model/compile-models.js';
import type { Plan, PlanStep } from '../model/plan.js';
import { cdpTable } from '../model/relations.js';
import { segmentSql } from '../profile/compile-segments.js';
import { compileTraitsSelect, type SourceColumnTypes } from '../profile/compile-traits.js';
import { compileAccounts } from '../account/compile-accounts.js';
import { parseManifest } from './manifest.js';

export interface CompilePlanOptions {
  /** The run id the plan is written for (default `<run_id>`): a parameter of the plan, like `asOf`. */
  readonly runId?: string;
  /** Source column types, when known: `cdp build` reads them from the warehouse and casts traits to them. */
  readonly columnTypes?: SourceColumnTypes;
}

/**
 * The whole build as SQL for one dialect: pure, no I/O (`cdp compile`). It is written from the same
 * builders `cdp build` sends (test/compile/build-runs-compiled-plan.test.ts checks every statement a
 * build sends against it). Loops are written as their rounds (connected components: rounds 1-3, later
 * rounds repeat 2 and 3); read-then-decide steps write every choice behind a `--` note saying when it
 * runs. Trait column types come from the warehouse at build time, so compiled traits are untyped unless
 * `columnTypes` is given.
 */
export function compilePlan(project: LoadedProject, dialect: Dialect, asOf: Date, options: CompilePlanOptions = {}): Plan {
  const manifest = parseManifest(project);
  const d = dialect;
  const runId = options.runId ?? '<run_id>';
  const steps: PlanStep[] = [...compileModels(project, dialect)];
  if (manifest.identity) {
    steps.push(...compileIdentitySql(project, dialect, { asOf, runId }));
    const profiles = cdpTable(project, 'profiles');
    const staging = { ...profiles, name: 'profiles__new' };
    const traits = compileTraitsSelect(project, dialect, {
      rowsOf: (source) => rowProfileSelect(project, dialect, { name: source }),
      profileIds: `(select distinct profile_id from ${dialect.table(cdpTable(project, 'identifiers'))})`,
      asOf,
      columnTypes: options.columnTypes,
    });
    steps.push({ id: 'profiles', stage: 'profiles', label: 'profiles (traits)', statements: [d.createTableAs(staging, traits), ...swap(d, staging, profiles)] });
    const seg = segmentSql(project, d, { runId, asOf });
    const membersStaging = { ...seg.members, name: 'segment_members__new' };
    steps.push({
      id: 'segments',
      stage: 'segments',
      label: 'segment members, entries and exits',
      statements: [
        seg.evaluate,
        note('on the first build only (segment_members does not exist yet):'),
        seg.createMembers,
        seg.createChanges,
        note(`for each segment renamed in the model (same members under a new name), in the transaction below:\n${seg.rename('<old name>', '<new name>')}`),
        seg.recordChanges,
        d.createTableAs(membersStaging, seg.nextMembers),
        ...swap(d, membersStaging, seg.members),
        seg.dropNow,
      ],
    });
    steps.push(...compileAccounts(project, dialect, { runId, asOf, columnTypes: options.columnTypes }));
  }
  return { dialect: dialect.name, steps };
}

/** How a staging table replaces its target (replace-table.ts): when the target exists, and on the first build. */
function swap(d: Dialect, staging: TableRef, target: TableRef): string[] {
  const exists = d.swapTables(staging, target, true);
  const first = d.swapTables(staging, target, false).filter((s) => !exists.includes(s));
  return first.length === 0 ? [...exists] : [...exists, note('on the first build (no table to replace yet):'), ...first];
}

/** A comment-only statement (see compile-identity-sql.ts). */
function note(text: string): string {
  return text
    .split('\n')
    .map((line) => `-- ${line}`)
    .join('\n');
}
