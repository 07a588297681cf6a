import type { LoadedProject } from '../config/load-project.js';
import type { PlanStep } from './plan.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/** What each build stage (models, identity, profiles, segments) is handed. */
export interface StageContext {
  readonly project: LoadedProject;
  readonly warehouse: Warehouse;
  readonly runId: string;
  /** The run's reference time: relative windows are measured back from it. */
  readonly asOf: Date;
  readonly fullRefresh: boolean;
  readonly log: (line: string) => void;
}

/** Runs plan steps in order; a failing statement names its step. */
export async function executeSteps(warehouse: Warehouse, steps: readonly PlanStep[], log?: (line: string) => void): Promise<void> {
  for (const step of steps) {
    log?.(step.label);
    if (step.replaces) {
      // A model switched between view and table: the old relation of the other kind goes first.
      const existing = await warehouse.relationKind(step.replaces.target);
      if (existing !== undefined && existing !== step.replaces.kind) {
        const drop = existing === 'view' ? warehouse.dialect.dropView(step.replaces.target) : warehouse.dialect.dropTable(step.replaces.target);
        await warehouse.execute(drop, { label: step.label });
      }
    }
    for (const sql of step.statements) await warehouse.execute(sql, { label: step.label });
  }
}
