import type { LoadedProject } from '../config/load-project.js';
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
