import type { TableRef } from '../dialect/dialect.js';
import type { RunError } from '../diagnostics/diagnostic.js';
import type { Row } from '../warehouse/warehouse.js';

/**
 * The compiled build plan (docs/architecture.md#parse-manifest-plan-execute): what `cdp compile` writes and
 * `cdp build` executes (`executePlan`). A step is one of a few kinds; only `statements` writes SQL on its own,
 * the others say when and how often their inner steps run. Functions in a step are pure: the build hands them
 * what it read, and compile calls them with the values it shows (print-plan.ts).
 */
export type PlanStep = StatementsStep | LoopStep | DecideStep | ReadStep | ComputeStep | SessionStep | HookStep;

export type PlanStage = 'setup' | 'models' | 'sources' | 'identity' | 'profiles' | 'segments' | 'accounts';

interface StepBase {
  /** Unique in the plan: errors, decisions, reads and loop rounds are known by it. */
  readonly id: string;
  readonly stage: PlanStage;
  /** What a failing statement's error names. */
  readonly label: string;
}

/** Statements run in order. */
export interface StatementsStep extends StepBase {
  readonly kind: 'statements';
  readonly statements: readonly string[];
  /** All or none: the statements run as one transaction. */
  readonly transaction?: boolean;
  /** The relation the step (re)creates; a relation of the other kind under that name is dropped first. */
  readonly replaces?: { readonly target: TableRef; readonly kind: 'table' | 'view' };
  /** For a step that adds rows to a table it does not replace: `select count(*) as n` of the rows it added. */
  readonly added?: string;
}

/** Rounds 1, 2, ... of `body` while `count` (a `select count(*) as n`) is above 0, then `after` the last round. */
export interface LoopStep extends StepBase {
  readonly kind: 'loop';
  /** Read before round `round`: the loop stops when it is 0. */
  readonly count: (round: number) => string;
  readonly body: (round: number) => readonly PlanStep[];
  /** Run once the loop stopped after `rounds` rounds. */
  readonly after?: (rounds: number) => readonly PlanStep[];
  /** A round more than this fails the build with `exceeded`. */
  readonly maxRounds: number;
  readonly exceeded: () => RunError;
  /** What compile writes: these rounds stand for every round (a later round repeats one of them), and these `after` cases. */
  readonly shown: { readonly rounds: readonly number[]; readonly after: readonly number[] };
}

/** What a decision reads: a query's rows, an earlier decision, or whether a table exists. */
export type DecideOn = { readonly query: string } | { readonly decision: string } | { readonly exists: TableRef };

export interface DecideInput {
  readonly rows: readonly Row[];
  /** The earlier decision's branch (`on.decision`), or `exists` / `missing` (`on.exists`). */
  readonly answer: string;
  readonly fullRefresh: boolean;
}

/** A read, then one of named branches, chosen by a pure function of what was read. */
export interface DecideStep extends StepBase {
  readonly kind: 'decide';
  readonly on: DecideOn;
  readonly choose: (input: DecideInput) => string;
  /** Each branch with when it is taken (compile writes it as a note) and its steps. */
  readonly branches: Readonly<Record<string, { readonly when: string; readonly steps: readonly PlanStep[] }>>;
  /** A line the build logs for the branch taken. */
  readonly say?: (branch: string) => string;
}

/** A query the build keeps the rows of (for the stage's report); `check` may stop the build on them. */
export interface ReadStep extends StepBase {
  readonly kind: 'read';
  readonly sql: string;
  readonly check?: (rows: readonly Row[]) => RunError | undefined;
}

/** A query, then statements a pure function writes from its rows (compile writes `shown`, a template). */
export interface ComputeStep extends StepBase {
  readonly kind: 'compute';
  readonly read: string;
  readonly write: (rows: readonly Row[]) => { readonly statements: readonly string[]; readonly log?: readonly string[] };
  readonly transaction?: boolean;
  readonly shown: readonly string[];
}

/** Session settings around `steps`: `exit` runs after them, and also when one of them fails. */
export interface SessionStep extends StepBase {
  readonly kind: 'session';
  readonly enter: readonly string[];
  readonly steps: readonly PlanStep[];
  readonly exit: readonly string[];
}

/**
 * Where the stage's driver reads what compile cannot know (the identity report and its oversize check,
 * non-finite trait values): the build calls the driver's hook of this id; compile writes `note`.
 */
export interface HookStep extends StepBase {
  readonly kind: 'hook';
  readonly note: string;
}

export interface Plan {
  readonly dialect: string;
  readonly steps: readonly PlanStep[];
}

/** A `statements` step. */
export function statementsStep(
  stage: PlanStage,
  id: string,
  label: string,
  statements: readonly string[],
  more: Pick<StatementsStep, 'transaction' | 'replaces' | 'added'> = {},
): StatementsStep {
  return { kind: 'statements', id, stage, label, statements, ...more };
}
