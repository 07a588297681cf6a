import type { LoadedProject } from '../config/load-project.js';
import { topologicalOrder } from './find-cycle.js';
import { templateCalls } from './templates.js';

/** The model DAG: each model's `ref`s (models and sources) and the models in dependency order. */
export interface ModelGraph {
  readonly refs: ReadonlyMap<string, readonly string[]>;
  /** Every model after the models it refs. */
  readonly order: readonly string[];
}

const graphs = new WeakMap<LoadedProject, ModelGraph>();

/**
 * The model DAG read from the models' SQL once per loaded project (part of the manifest,
 * docs/architecture.md#parse-manifest-plan-execute): `compileModels` orders by it and `--select` walks it.
 * Validation (validate-project.ts) reads the same template calls with their errors, before a project loads.
 */
export function modelGraph(project: LoadedProject): ModelGraph {
  let graph = graphs.get(project);
  if (!graph) {
    const refs = new Map(project.models.map((m) => [m.name, templateCalls(m.sql).flatMap((c) => (c.kind === 'ref' ? [c.name] : []))]));
    graph = { refs, order: topologicalOrder(project.models.map((m) => m.name), (name) => refs.get(name) ?? []) };
    graphs.set(project, graph);
  }
  return graph;
}
