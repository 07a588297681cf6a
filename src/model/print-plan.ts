import type { Dialect } from '../dialect/dialect.js';
import type { DecideOn, Plan, PlanStage, PlanStep } from './plan.js';

/** One `.sql` file `cdp compile` writes: a top-level plan step with every choice and shown round as statements and notes. */
export interface PrintedStep {
  readonly id: string;
  readonly stage: PlanStage;
  readonly label: string;
  /** Statements in order; a comment-only one is a note (when the statements after it run), not something to run. */
  readonly statements: readonly string[];
}

/** Whether a compiled statement is only `--` comments (a note in the plan, nothing to run). */
export function isCommentOnly(statement: string): boolean {
  return statement.split('\n').every((line) => line.trim() === '' || line.trimStart().startsWith('--'));
}

/**
 * A comment-only statement: every line of `text` behind `--`, so SQL shown as a template (a later round,
 * a loop condition, a read) stays a comment in every dialect instead of running once.
 */
export function note(text: string): string {
  return text
    .split('\n')
    .map((line) => `-- ${line}`)
    .join('\n');
}

/** The plan as `cdp compile` writes it: one printed step per top-level step; a session's steps each get their own. */
export function printPlan(plan: Plan, d: Dialect): PrintedStep[] {
  return plan.steps.flatMap((step): PrintedStep[] => {
    if (step.kind !== 'session') return [{ id: step.id, stage: step.stage, label: step.label, statements: printStep(step, d) }];
    return [
      { id: step.id, stage: step.stage, label: `${step.label}: enter`, statements: step.enter },
      ...printPlan({ dialect: plan.dialect, steps: step.steps }, d),
      { id: `${step.id}.exit`, stage: step.stage, label: `${step.label}: exit (also when a step above fails)`, statements: step.exit },
    ];
  });
}

/** A step's statements and notes: loops as their shown rounds, decisions as every branch. */
function printStep(step: PlanStep, d: Dialect): string[] {
  const all = (steps: readonly PlanStep[]) => steps.flatMap((s) => printStep(s, d));
  switch (step.kind) {
    case 'statements':
      return step.transaction ? [d.beginTransaction(), ...step.statements, d.commitTransaction()] : [...step.statements];
    case 'loop':
      return [
        note(`${step.label}: r = 1, 2, ... (at most ${step.maxRounds}) while this count (shown before round 1) is above 0:\n${step.count(1)}`),
        ...step.shown.rounds.flatMap((r, i) => [
          note(`round ${r}${i === step.shown.rounds.length - 1 && i > 0 ? ' (every later round repeats one of the rounds shown, with its own round number)' : ''}:`),
          ...all(step.body(r)),
        ]),
        ...(step.after ? step.shown.after.flatMap((r) => [note(`after the last round R, when R = ${r}:`), ...all(step.after?.(r) ?? [])]) : []),
      ];
    case 'decide':
    {
      // A branch with nothing to run is told in the first note: a note after the last statement would read as one more.
      const branches = Object.entries(step.branches);
      const empty = branches.filter(([, b]) => b.steps.length === 0).map(([name, b]) => `\n${name}: ${b.when}: nothing to run`);
      return [
        note(`${step.label}: the build takes one branch, by ${decideText(step.on)}${empty.join('')}`),
        ...branches.filter(([, b]) => b.steps.length > 0).flatMap(([name, branch]) => [note(`${name}: ${branch.when}`), ...all(branch.steps)]),
      ];
    }
    case 'read':
      return [note(`${step.label}: read by the build${step.check ? ', which stops on what it finds' : ''}:\n${step.sql}`)];
    case 'compute':
      return [note(`${step.label}: read by the build, which writes the statements below from its rows:\n${step.read}`), ...step.shown];
    case 'session':
      return [...step.enter, ...all(step.steps), ...step.exit];
    case 'hook':
      return [note(step.note)];
  }
}

function decideText(on: DecideOn): string {
  if ('query' in on) return `what this query reads:\n${on.query}`;
  if ('decision' in on) return `the decision of ${on.decision}:`;
  return `whether ${on.exists.schema}.${on.exists.name} exists:`;
}

/** One printed step as the text of a `.sql` file: a label comment, then each statement ended by `;` (a note gets none). */
export function stepSqlText(step: PrintedStep): string {
  const statements = step.statements.map((s) => (isCommentOnly(s) ? s : `${s};`));
  return `-- ${step.label}\n${statements.join('\n\n')}\n`;
}

/** The plan as JSON (`plan.json`): every step with its kind; loops as their shown rounds, decisions with every branch. */
export function describePlan(plan: Plan): unknown {
  return { dialect: plan.dialect, steps: plan.steps.map(describeStep) };
}

function describeStep(step: PlanStep): unknown {
  const base = { kind: step.kind, id: step.id, stage: step.stage, label: step.label };
  const all = (steps: readonly PlanStep[]) => steps.map(describeStep);
  switch (step.kind) {
    case 'statements':
      return { ...base, statements: step.statements, transaction: step.transaction ?? false, ...(step.replaces ? { replaces: step.replaces } : {}) };
    case 'loop':
      return {
        ...base,
        count: step.count(1),
        max_rounds: step.maxRounds,
        rounds: Object.fromEntries(step.shown.rounds.map((r) => [r, all(step.body(r))])),
        after: step.after ? Object.fromEntries(step.shown.after.map((r) => [r, all(step.after?.(r) ?? [])])) : {},
      };
    case 'decide':
      return {
        ...base,
        on: 'exists' in step.on ? { exists: `${step.on.exists.schema}.${step.on.exists.name}` } : step.on,
        branches: Object.fromEntries(Object.entries(step.branches).map(([name, b]) => [name, { when: b.when, steps: all(b.steps) }])),
      };
    case 'read':
      return { ...base, sql: step.sql, checked: step.check !== undefined };
    case 'compute':
      return { ...base, read: step.read, shown: step.shown, transaction: step.transaction ?? false };
    case 'session':
      return { ...base, enter: step.enter, steps: all(step.steps), exit: step.exit };
    case 'hook':
      return { ...base, note: step.note };
  }
}
