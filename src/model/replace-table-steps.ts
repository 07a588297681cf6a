import type { Dialect, TableRef } from '../dialect/dialect.js';
import { statementsStep, type PlanStage, type PlanStep } from './plan.js';

/**
 * `replaceTable` (warehouse/replace-table.ts) as plan steps: `select` into `<target>__new`, then a decision on
 * whether `target` exists (id `<id>.swap`) picks how the staging table is swapped in, as one transaction
 * where the engine allows DDL in one.
 */
export function replaceTableSteps(d: Dialect, stage: PlanStage, id: string, label: string, target: TableRef, select: string): PlanStep[] {
  const staging = { schema: target.schema, name: `${target.name}__new` };
  const swap = (exists: boolean) => [statementsStep(stage, `${id}.swap`, label, d.swapTables(staging, target, exists), { transaction: d.capabilities.transactionalDdl })];
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
