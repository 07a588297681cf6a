import type { LoadedProject } from '../config/load-project.js';
import type { Dialect } from '../dialect/dialect.js';
import { compileIdentitySql } from '../identity/compile-identity-sql.js';
import { rowProfileSelect } from '../identity/row-profile-select.js';
import { compileModels } from '../model/compile-models.js';
import type { Plan, PlanStep } from '../model/plan.js';
import { cdpTable } from '../model/relations.js';
import { compileSegmentMembersSelect } from '../profile/compile-segments.js';
import { compileTraitsSelect } from '../profile/compile-traits.js';

/**
 * The whole build as SQL for one dialect: pure, no I/O (`cdp compile`). Identity's loop runs as
 * many rounds as the data needs; the plan shows one round. Trait column types come from the
 * warehouse at build time, so compiled traits are untyped where the source's types are unknown.
 */
export function compilePlan(project: LoadedProject, dialect: Dialect, asOf: Date): Plan {
  const steps: PlanStep[] = [...compileModels(project, dialect)];
  const hasIdentifiers = project.identity !== undefined && project.sources.some((s) => s.identifiers.length > 0);
  if (hasIdentifiers) {
    steps.push(...compileIdentitySql(project, dialect, { asOf }));
    const profiles = cdpTable(project, 'profiles');
    const traits = compileTraitsSelect(project, dialect, {
      rowsOf: (source) => rowProfileSelect(project, dialect, { name: source }),
      profileIds: `(select distinct profile_id from ${dialect.table(cdpTable(project, 'identifiers'))})`,
      asOf,
    });
    steps.push({ id: 'profiles', stage: 'profiles', label: 'profiles (traits)', statements: [dialect.createTableAs({ ...profiles, name: 'profiles__new' }, traits)] });
    steps.push({
      id: 'segments',
      stage: 'segments',
      label: 'segment members',
      statements: [dialect.createScratchTableAs(cdpTable(project, '_segment_members_now'), compileSegmentMembersSelect(project, dialect, dialect.table(profiles)))],
    });
  }
  return { dialect: dialect.name, steps };
}
