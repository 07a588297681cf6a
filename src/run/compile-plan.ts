import type { LoadedProject } from '../config/load-project.js';
import type { Dialect } from '../dialect/dialect.js';
import { compileModels } from '../model/compile-models.js';
import type { Plan } from '../model/plan.js';

/** The whole build as SQL for one dialect: pure, no I/O (`cdp compile`). */
export function compilePlan(project: LoadedProject, dialect: Dialect, _asOf: Date): Plan {
  return { dialect: dialect.name, steps: [...compileModels(project, dialect)] };
}
