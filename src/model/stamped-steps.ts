import type { TableRef } from '../dialect/dialect.js';
import type { DecideStep, PlanStage, PlanStep } from './plan.js';

export interface Stamped {
  /** Step id prefix; the decisions are `<id>.exists` and `<id>.stamp`. */
  readonly id: string;
  readonly stage: PlanStage;
  readonly label: string;
  /** The table the steps write. */
  readonly target: TableRef;
  /** Reads the stamp stored when `target` was last written: one row with a column `stamp`, or none. */
  readonly storedSql: string;
  /** This build's stamp. */
  readonly stamp: string;
  /** Writes `target` and stores `stamp`. */
  readonly write: readonly PlanStep[];
  /** Whether `--full-refresh` writes it although the stamps match. */
  readonly refresh: boolean;
  /** What the stamp is made of, and so when it differs (for `cdp compile`). */
  readonly differs: string;
  /** Steps that bring `target` up to date from the stamp `from` (instead of `write`), and when that is so. */
  readonly append?: { readonly from: string; readonly when: string; readonly steps: readonly PlanStep[] };
}

/**
 * Steps that write a table only when what it is made from changed: when the table is missing, or the stamp stored
 * with it is not this build's. Used by file sources (compile-models.ts) and identity's kept row groups
 * (identity/observation-sql.ts).
 */
export function stampedSteps(x: Stamped): DecideStep {
  return {
    kind: 'decide',
    id: `${x.id}.exists`,
    stage: x.stage,
    label: x.label,
    on: { exists: x.target },
    choose: ({ answer }) => answer,
    branches: {
      missing: { when: `${x.target.name} does not exist yet`, steps: x.write },
      exists: {
        when: `${x.target.name} exists`,
        steps: [
          {
            kind: 'decide',
            id: `${x.id}.stamp`,
            stage: x.stage,
            label: x.label,
            on: { query: x.storedSql },
            choose: ({ rows, fullRefresh }) => {
              const stored = rows.length === 1 ? String(rows[0]?.stamp) : undefined;
              if ((x.refresh && fullRefresh) || stored === undefined) return 'write';
              return stored === x.stamp ? 'same' : x.append && stored === x.append.from ? 'append' : 'write';
            },
            branches: {
              same: { when: 'the stored stamp is this build\'s: nothing is written', steps: [] },
              ...(x.append ? { append: { when: `the stored stamp is ${x.append.from}: ${x.append.when}`, steps: x.append.steps } } : {}),
              write: { when: `${x.differs}${x.refresh ? ', or with --full-refresh' : ''}`, steps: x.write },
            },
          },
        ],
      },
    },
  };
}
