/** A cycle in a dependency graph, as the list of names around it (first name repeated at the end). */
export function findCycle(nodes: Iterable<string>, edges: (node: string) => Iterable<string>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of edges(node)) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of nodes) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Nodes in an order where every node comes after the nodes it depends on (input order kept among equals). */
export function topologicalOrder(nodes: readonly string[], dependencies: (node: string) => Iterable<string>): string[] {
  const done = new Set<string>();
  const order: string[] = [];
  const visit = (node: string, seen: Set<string>) => {
    if (done.has(node) || seen.has(node)) return;
    seen.add(node);
    for (const dep of dependencies(node)) if (nodes.includes(dep)) visit(dep, seen);
    done.add(node);
    order.push(node);
  };
  for (const node of nodes) visit(node, new Set());
  return order;
}
