import type { PlanStep } from './plan.js';

/** Whether a compiled statement is only `--` comments (a note in the plan, nothing to run). */
export function isCommentOnly(statement: string): boolean {
  return statement.split('\n').every((line) => line.trim() === '' || line.trimStart().startsWith('--'));
}

/**
 * One plan step as the text of a `.sql` file: a label comment, then each statement ended by `;`.
 * A comment-only statement gets no `;`: after a `--` line it would be an empty statement.
 */
export function stepSqlText(step: PlanStep): string {
  const statements = step.statements.map((s) => (isCommentOnly(s) ? s : `${s};`));
  return `-- ${step.label}\n${statements.join('\n\n')}\n`;
}
