import { describe, expect, it } from 'vitest';
import { stronglyConnectedComponents } from '../../checker/graph/scc.js';
import { Rng } from '../../properties/ltl/random.js';

/** The components of a graph given as adjacency lists. */
function sccOf(adj: readonly (readonly number[])[], roots?: readonly number[]) {
  return stronglyConnectedComponents(adj.length, (v, visit) => adj[v]!.forEach((w) => visit(w)), roots);
}

describe('stronglyConnectedComponents on hand-worked graphs', () => {
  it('two cycles joined by an edge, and a third cycle reaching into one of them', () => {
    // 0 -> 1 -> 2 -> 0, 2 -> 3 -> 4 -> 5 -> 3, 6 <-> 7, 6 -> 5.
    const adj = [[1], [2], [0, 3], [4], [5], [3], [5, 7], [6]];
    // Worked by hand: {3,4,5} completes first (it reaches nothing else), its members leaving the
    // stack deepest first; then {0,1,2}; then {6,7} from the next root.
    const { components, componentOf } = sccOf(adj);
    expect(components).toEqual([
      [5, 4, 3],
      [2, 1, 0],
      [7, 6],
    ]);
    expect([...componentOf]).toEqual([1, 1, 1, 0, 0, 0, 2, 2]);
  });

  it('a DAG with a self-loop: singletons in reverse topological order', () => {
    // 0 -> 1 -> 3, 0 -> 2 -> 3, 3 -> 3.
    const { components } = sccOf([[1, 2], [3], [3], [3]]);
    expect(components).toEqual([[3], [1], [2], [0]]);
  });

  it("follows each vertex's successors in the order the callback visits them", () => {
    expect(sccOf([[1, 2], [], []]).components).toEqual([[1], [2], [0]]);
    expect(sccOf([[2, 1], [], []]).components).toEqual([[2], [1], [0]]);
  });

  it('starts only from the given roots, in their order; unreached vertices have no component', () => {
    // 0 <-> 1, 2 <-> 3, 4 -> 0.
    const adj = [[1], [0], [3], [2], [0]];
    const fromTwo = sccOf(adj, [2]);
    expect(fromTwo.components).toEqual([[3, 2]]);
    expect([...fromTwo.componentOf]).toEqual([-1, -1, 0, 0, -1]);
    expect(sccOf(adj, [4, 2]).components).toEqual([[1, 0], [4], [3, 2]]);
  });

  it('edges the callback leaves out are not in the graph', () => {
    // The cycle 0 -> 1 -> 2 -> 0 without its closing edge is three singletons.
    const adj = [[1], [2], [0]];
    const open = stronglyConnectedComponents(3, (v, visit) => adj[v]!.forEach((w) => w !== 0 && visit(w)));
    expect(open.components).toEqual([[2], [1], [0]]);
  });

  it('a cycle of 200 000 vertices: one component, no recursion', () => {
    const n = 200_000;
    const { components, componentOf } = stronglyConnectedComponents(n, (v, visit) => visit((v + 1) % n));
    expect(components.length).toBe(1);
    expect(components[0]!.length).toBe(n);
    expect(components[0]![0]).toBe(n - 1);
    expect(components[0]![n - 1]).toBe(0);
    expect(componentOf.every((c) => c === 0)).toBe(true);
  });
});

describe('stronglyConnectedComponents against mutual reachability', () => {
  it('agrees on 300 random graphs, and lists components in reverse topological order', () => {
    const rng = new Rng(1414);
    for (let i = 0; i < 300; i++) {
      const n = 1 + rng.int(10);
      const adj = Array.from({ length: n }, () => Array.from({ length: rng.int(3) }, () => rng.int(n)));
      const reach = adj.map((_, s) => {
        const seen = new Set([s]);
        const stack = [s];
        while (stack.length > 0)
          for (const w of adj[stack.pop()!]!)
            if (!seen.has(w)) {
              seen.add(w);
              stack.push(w);
            }
        return seen;
      });
      const { components, componentOf } = sccOf(adj);
      for (let u = 0; u < n; u++)
        for (let v = 0; v < n; v++) {
          const mutual = reach[u]!.has(v) && reach[v]!.has(u);
          expect(componentOf[u] === componentOf[v], `graph ${i}: ${u}, ${v}`).toBe(mutual);
          // An edge leaves a component only towards one completed before it.
          if (adj[u]!.includes(v)) expect(componentOf[v]!).toBeLessThanOrEqual(componentOf[u]!);
        }
      expect(components.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, v) => v));
    }
  });
});
