import type { TableRef } from '../dialect/dialect.js';

/** One step of a build: statements that run in order, with a label errors can name. */
export interface PlanStep {
  readonly id: string;
  readonly stage: 'setup' | 'models' | 'sources' | 'identity' | 'profiles' | 'segments' | 'accounts';
  readonly label: string;
  readonly statements: readonly string[];
  /** The relation the step (re)creates; a relation of the other kind under that name is dropped first. */
  readonly replaces?: { readonly target: TableRef; readonly kind: 'table' | 'view' };
}

export interface Plan {
  readonly dialect: string;
  readonly steps: readonly PlanStep[];
}
