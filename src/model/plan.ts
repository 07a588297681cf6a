/** One step of a build: statements that run in order, with a label errors can name. */
export interface PlanStep {
  readonly id: string;
  readonly stage: 'setup' | 'models' | 'sources' | 'identity' | 'profiles' | 'segments';
  readonly label: string;
  readonly statements: readonly string[];
}

export interface Plan {
  readonly dialect: string;
  readonly steps: readonly PlanStep[];
}
