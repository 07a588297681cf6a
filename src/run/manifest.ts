import type { LoadedProject } from '../config/load-project.js';
import { identitySpec, type IdentitySpec } from '../identity/identity-spec.js';
import { modelGraph, type ModelGraph } from '../model/model-graph.js';

/**
 * What `cdp build` and `cdp compile` both start from (docs/architecture.md#parse-manifest-plan-execute):
 * the project parsed once into the stages a build runs and their inputs. The model DAG and the identity
 * spec are each resolved once per loaded project (model-graph.ts, identity-spec.ts).
 */
export interface Manifest {
  readonly project: LoadedProject;
  readonly models: ModelGraph;
  /** Present when the project resolves identity: an `identity:` block and a source with identifiers. */
  readonly identity?: {
    readonly spec: IdentitySpec;
    /** Sources with `identifiers:`, in declaration order. */
    readonly sources: readonly string[];
  };
  /** Sources the traits aggregate, in trait order (a source once). */
  readonly traitSources: readonly string[];
}

export function parseManifest(project: LoadedProject): Manifest {
  const identitySources = project.sources.filter((s) => s.entity !== 'account' && s.identifiers.length > 0).map((s) => s.name);
  const hasIdentity = project.identity !== undefined && identitySources.length > 0;
  return {
    project,
    models: modelGraph(project),
    identity: hasIdentity ? { spec: identitySpec(project), sources: identitySources } : undefined,
    traitSources: [...new Set(project.traits.flatMap((t) => (t.from ? [t.from] : [])))],
  };
}
