import type { Row, Warehouse } from '../warehouse/warehouse.js';
import type { DecideStep, PlanStep, StatementsStep } from './plan.js';

/** What running plan steps read and chose, by step id: the stage drivers build their reports from it. */
export interface PlanRun {
  /** The branch each `decide` step took. */
  readonly decisions: Map<string, string>;
  /** Rounds each `loop` ran (summed over every time it ran, e.g. an inner loop once per outer round). */
  readonly rounds: Map<string, number>;
  /** The rows of each `read` and `compute` step. */
  readonly reads: Map<string, readonly Row[]>;
}

export interface ExecuteOptions {
  /** `--full-refresh`: decisions may take it into account. */
  readonly fullRefresh?: boolean;
  /** Lines for the user: a decision's `say`, a computed step's log. */
  readonly log?: (line: string) => void;
  /** Called with each `statements` step before it runs (the models stage lists its models, and counts what they wrote). */
  readonly onStep?: (label: string, step: StatementsStep) => void;
  /** The stage driver's work at each `hook` step, by id; a hook without one is skipped. */
  readonly hooks?: Readonly<Record<string, (run: PlanRun) => Promise<void>>>;
}

/**
 * Runs plan steps in order (docs/architecture.md#parse-manifest-plan-execute): the one interpreter of the
 * plan `cdp compile` writes. Every statement sent is one a step holds or its pure functions write.
 */
export async function executePlan(warehouse: Warehouse, steps: readonly PlanStep[], options: ExecuteOptions = {}): Promise<PlanRun> {
  const run: PlanRun = { decisions: new Map(), rounds: new Map(), reads: new Map() };
  await runSteps(warehouse, steps, options, run);
  return run;
}

async function runSteps(w: Warehouse, steps: readonly PlanStep[], options: ExecuteOptions, run: PlanRun): Promise<void> {
  for (const step of steps) await runStep(w, step, options, run);
}

async function runStep(w: Warehouse, step: PlanStep, options: ExecuteOptions, run: PlanRun): Promise<void> {
  const label = { label: step.label };
  switch (step.kind) {
    case 'statements': {
      options.onStep?.(step.label, step);
      if (step.replaces) {
        // A model switched between view and table: the old relation of the other kind goes first.
        const existing = await w.relationKind(step.replaces.target);
        if (existing !== undefined && existing !== step.replaces.kind) {
          await w.execute(existing === 'view' ? w.dialect.dropView(step.replaces.target) : w.dialect.dropTable(step.replaces.target), label);
        }
      }
      if (step.transaction) await w.transaction(step.statements, label);
      else for (const sql of step.statements) await w.execute(sql, label);
      return;
    }
    case 'loop': {
      let rounds = 0;
      while (Number((await w.query(step.count(rounds + 1), label))[0]?.n ?? 0) > 0) {
        if (rounds >= step.maxRounds) throw step.exceeded();
        rounds += 1;
        await runSteps(w, step.body(rounds), options, run);
      }
      run.rounds.set(step.id, (run.rounds.get(step.id) ?? 0) + rounds);
      if (step.after) await runSteps(w, step.after(rounds), options, run);
      return;
    }
    case 'decide': {
      const branch = step.choose(await decideInput(w, step, options, run));
      const taken = step.branches[branch];
      if (!taken) throw new Error(`plan step ${step.id} chose '${branch}', which is not one of its branches`);
      run.decisions.set(step.id, branch);
      if (step.say) options.log?.(step.say(branch));
      await runSteps(w, taken.steps, options, run);
      return;
    }
    case 'read': {
      const rows = await w.query(step.sql, label);
      run.reads.set(step.id, rows);
      const failure = step.check?.(rows);
      if (failure) throw failure;
      return;
    }
    case 'compute': {
      const rows: Row[] = [];
      for await (const chunk of w.stream(step.read, label)) rows.push(...chunk);
      run.reads.set(step.id, rows);
      const written = step.write(rows);
      for (const line of written.log ?? []) options.log?.(line);
      if (step.transaction) await w.transaction(written.statements, label);
      else for (const sql of written.statements) await w.execute(sql, label);
      return;
    }
    case 'session': {
      for (const sql of step.enter) await w.execute(sql, label);
      try {
        await runSteps(w, step.steps, options, run);
      } finally {
        for (const sql of step.exit) await w.execute(sql, label);
      }
      return;
    }
    case 'hook':
      await options.hooks?.[step.id]?.(run);
      return;
  }
}

async function decideInput(w: Warehouse, step: DecideStep, options: ExecuteOptions, run: PlanRun) {
  const on = step.on;
  const fullRefresh = options.fullRefresh ?? false;
  if ('query' in on) return { rows: await w.query(on.query, { label: step.label }), answer: '', fullRefresh };
  if ('decision' in on) return { rows: [], answer: run.decisions.get(on.decision) ?? '', fullRefresh };
  return { rows: [], answer: (await w.tableExists(on.exists)) ? 'exists' : 'missing', fullRefresh };
}
