/**
 * Strongly connected components: Tarjan's algorithm (1972) with explicit stacks, so the depth of
 * the graph is limited by memory only, never by the call stack. The graph is given by a
 * successor callback over the vertices 0..n-1, so callers keep their own representation (CSR
 * product edges, adjacency lists) and filter edges or vertices in the callback.
 */

export interface Components {
  /**
   * The components in the order Tarjan completes them (reverse topological order: a component
   * comes before every component that reaches it). Each lists its vertices in the order they
   * leave Tarjan's stack (its root last).
   */
  readonly components: number[][];
  /** For each vertex, the index of its component in `components`; -1 for a vertex not reached from the roots. */
  readonly componentOf: Int32Array;
}

/**
 * The components reachable from `roots` (every vertex 0..n-1 in order when omitted), depth first
 * from each unvisited root in turn, each vertex's successors in the order `successors` visits
 * them. `successors(v, visit)` calls `visit(w)` once per edge v -> w; it is called once per vertex.
 */
export function stronglyConnectedComponents(
  vertices: number,
  successors: (v: number, visit: (w: number) => void) => void,
  roots?: Iterable<number>,
): Components {
  const index = new Int32Array(vertices).fill(-1);
  const low = new Int32Array(vertices);
  const onStack = new Uint8Array(vertices);
  const componentOf = new Int32Array(vertices).fill(-1);
  const components: number[][] = [];
  const tarjanStack = new Int32Array(vertices);
  let tarjanTop = 0;
  // The successors of every vertex on the DFS path, frame after frame; a frame's successors
  // end where the next frame's begin (or at `top` for the deepest frame).
  let targets = new Int32Array(64);
  let top = 0;
  // The DFS path (at most every vertex once): its vertices and, per frame, where its successors
  // begin in `targets` and the next one to follow.
  const pathVertex = new Int32Array(vertices);
  const pathCursor = new Int32Array(vertices);
  const pathStart = new Int32Array(vertices);
  let depth = 0;
  let counter = 0;

  const visit = (w: number): void => {
    if (top === targets.length) {
      const grown = new Int32Array(targets.length * 2);
      grown.set(targets);
      targets = grown;
    }
    targets[top++] = w;
  };
  const enter = (v: number): void => {
    index[v] = low[v] = counter++;
    tarjanStack[tarjanTop++] = v;
    onStack[v] = 1;
    pathVertex[depth] = v;
    pathStart[depth] = top;
    pathCursor[depth] = top;
    depth++;
    successors(v, visit);
  };

  const rootOrder = roots ?? Array.from({ length: vertices }, (_, v) => v);
  for (const root of rootOrder) {
    if (index[root] !== -1) continue;
    enter(root);
    while (depth > 0) {
      const d = depth - 1;
      const v = pathVertex[d]!;
      const cursor = pathCursor[d]!;
      if (cursor < top) {
        pathCursor[d] = cursor + 1;
        const w = targets[cursor]!;
        if (index[w] === -1) enter(w);
        else if (onStack[w] === 1) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      top = pathStart[d]!;
      depth = d;
      // Equivalent mutants (they survive, argued here): `d >= 0` and `true`. At d = 0 the root has
      // no parent: pathVertex[-1] is undefined, and low[undefined] is a named property of the
      // Int32Array, not an element, which nothing reads.
      if (d > 0) {
        const parent = pathVertex[d - 1]!;
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === index[v]) {
        const id = components.length;
        const members: number[] = [];
        for (;;) {
          const w = tarjanStack[--tarjanTop]!;
          onStack[w] = 0;
          componentOf[w] = id;
          members.push(w);
          if (w === v) break;
        }
        components.push(members);
      }
    }
  }
  return { components, componentOf };
}
