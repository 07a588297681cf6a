import type { Dialect, TableRef } from '../dialect/dialect.js';
import { statementsStep, type PlanStage, type PlanStep } from './plan.js';

/** What a replacement logs for syncs (model/profile-changes.ts) just before the swap, in its transaction. */
export interface ReplaceLog {
  /** When `target` exists: statements logging what differs between it (`before`) and the staging table (`after`). */
  readonly changed: (before: TableRef, after: TableRef) => readonly string[];
  /** On the first build: there is nothing to compare with. */
  readonly first: readonly string[];
}

/**
 * `replaceTable` (warehouse/replace-table.ts) as plan steps: `select` into `<target>__new`, then a decision on
 * whether `target` exists (id `<id>.swap`) picks how the staging table is swapped in, as one transaction
 * where the engine allows DDL in one. With `log`, what changed is logged first, in the same step.
 */
export function replaceTableSteps(d: Dialect, stage: PlanStage, id: string, label: string, target: TableRef, select: string, log?: ReplaceLog): PlanStep[] {
  const staging = { schema: target.schema, name: `${target.name}__new` };
  const logged = (exists: boolean) => (log ? (exists ? log.changed(target, staging) : log.first) : []);
  const swap = (exists: boolean) => [
    statementsStep(stage, `${id}.swap`, label, [...logged(exists), ...d.swapTables(staging, target, exists)], { transaction: d.capabilities.transactionalDdl }),
  ];
  return [
    statementsStep(stage, id, label, [d.createTableAs(staging, select)]),
    {
      kind: 'decide',
      id: `${id}.swap`,
      stage,
      label,
      on: { exists: target },
      choose: ({ answer }) => (answer === 'exists' ? 'replace' : 'first'),
      branches: {
        replace: { when: `${target.name} exists: the staging table replaces it`, steps: swap(true) },
        first: { when: `on the first build (no ${target.name} yet)`, steps: swap(false) },
      },
    },
  ];
}
