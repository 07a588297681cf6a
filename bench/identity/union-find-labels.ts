/** Union-find over dense node ids (typed arrays, union by size, path halving): the benchmark's baseline. */
export function unionFindLabels(a: Int32Array, b: Int32Array, nodes: number): Int32Array {
  const parent = new Int32Array(nodes);
  const size = new Int32Array(nodes).fill(1);
  for (let i = 0; i < nodes; i++) parent[i] = i;
  const find = (x: number): number => {
    let v = x;
    while (parent[v] !== v) {
      parent[v] = parent[parent[v]];
      v = parent[v];
    }
    return v;
  };
  for (let k = 0; k < a.length; k++) {
    let ra = find(a[k]);
    let rb = find(b[k]);
    if (ra === rb) continue;
    if (size[ra] < size[rb]) [ra, rb] = [rb, ra];
    parent[rb] = ra;
    size[ra] += size[rb];
  }
  for (let i = 0; i < nodes; i++) parent[i] = find(i);
  return parent;
}

/**
 * Whether SQL labels and union-find roots give the same partition of every node that has a
 * (non-loop) edge: label -> root and root -> label must both be functions.
 */
export function samePartition(labels: Int32Array, roots: Int32Array, a: Int32Array, b: Int32Array): string {
  const linked = new Uint8Array(labels.length);
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) linked[a[k]] = linked[b[k]] = 1;
  const rootOfLabel = new Int32Array(labels.length).fill(-1);
  const labelOfRoot = new Int32Array(labels.length).fill(-1);
  let nodes = 0;
  for (let v = 0; v < labels.length; v++) {
    if (!linked[v]) continue;
    nodes++;
    const l = labels[v];
    const r = roots[v];
    if (l < 0) return `MISMATCH: node ${v} has no label`;
    if (rootOfLabel[l] !== -1 && rootOfLabel[l] !== r) return `MISMATCH: over-merge at node ${v}`;
    if (labelOfRoot[r] !== -1 && labelOfRoot[r] !== l) return `MISMATCH: under-merge at node ${v}`;
    rootOfLabel[l] = r;
    labelOfRoot[r] = l;
  }
  return `[partition = union-find on ${nodes} nodes]`;
}
