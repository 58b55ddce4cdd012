/**
 * Fair accepting cycles in the product of a TransitionSystem with a Büchi automaton, for LTL
 * under fairness. The product graph is built explicitly (breadth first, so stems are shortest),
 * its strongly connected components are computed (iteratively: no recursion), and a component
 * is a counterexample when it holds an accepting state, has an internal edge, and is fair:
 *
 *  - weak fairness: every actor that is enabled in every state of the component takes a step
 *    inside it;
 *  - strong fairness: every actor enabled somewhere in the component takes a step inside it
 *    (components that fail are refined by removing the states where the offending actor is
 *    enabled, as in Emerson-Lei);
 *  - `excluded` edges (e.g. kernel events under "finitely many events") are never part of a
 *    cycle, though stems may use them.
 *
 * Product semantics are those of checker/cycles.ts: (s, q) with q having read s; a system
 * state without successors stutters forever (a self-loop edge with no choice index).
 */
import type { ProductSpec } from '../graph/cycles.js';
import { EdgeLog, Exploration, expandInProcess, type VisitedStore } from '../explore.js';
import { ProductSystem, STUTTER } from './product.js';
import { stronglyConnectedComponents } from '../graph/scc.js';
import type { TransitionSystem } from '../transition-system.js';
import type { Limit } from '../result.js';

/** How transitions map to actors (threads) and which states enable which actors. */
export interface FairnessSpec {
  readonly kind: 'none' | 'weak' | 'strong';
  /** Number of actors (at most 31). */
  readonly actors: number;
  /** The actor that takes a transition with this label, or -1 (the environment). */
  actorOf(label: number): number;
  /** Bitmask of the actors enabled in system state `s`. */
  enabled(s: Int32Array): number;
  /** Edges that may not be part of a cycle (only finitely many of them happen). */
  excluded(label: number): boolean;
}

export type FairCycleResult =
  | { readonly verdict: 'pass'; readonly states: number; readonly transitions: number }
  | { readonly verdict: 'incomplete'; readonly stoppedBy: Limit; readonly states: number; readonly transitions: number }
  | {
      readonly verdict: 'violation';
      readonly stem: number[];
      readonly cycle: number[];
      /** Index (into the states replayed from [...stem, ...cycle]) where the cycle starts. */
      readonly loopStart: number;
      readonly states: number;
      readonly transitions: number;
    };

/**
 * The explored product graph: states by id (ids may have gaps: they are never edge targets),
 * edges in CSR form with the product choice and label of each, and shortest paths from the
 * initial states (BFS parent links).
 */
export interface ProductGraph {
  /** One past the largest state id. */
  readonly ids: number;
  /** Product states stored. */
  readonly states: number;
  readonly transitions: number;
  readonly edgeStart: Int32Array;
  readonly edgeTo: Int32Array;
  readonly edgeChoice: Int32Array;
  readonly edgeLabel: Int32Array;
  load(id: number, out: Int32Array): void;
  pathTo(id: number): number[];
}

/** CSR edges from (from, to, choice, label) quadruples. */
function graphFromEdges(quads: Int32Array, length: number, ids: number): Pick<ProductGraph, 'edgeStart' | 'edgeTo' | 'edgeChoice' | 'edgeLabel'> {
  const m = length / 4;
  const edgeStart = new Int32Array(ids + 1);
  for (let i = 0; i < length; i += 4) edgeStart[quads[i]! + 1]!++;
  for (let u = 0; u < ids; u++) edgeStart[u + 1]! += edgeStart[u]!;
  const fill = edgeStart.slice(0, ids);
  const edgeTo = new Int32Array(m);
  const edgeChoice = new Int32Array(m);
  const edgeLabel = new Int32Array(m);
  // Within a source, keep the successor order (quadruples of one source arrive in order).
  for (let i = 0; i < length; i += 4) {
    const e = fill[quads[i]!]!++;
    edgeTo[e] = quads[i + 1]!;
    edgeChoice[e] = quads[i + 2]!;
    edgeLabel[e] = quads[i + 3]!;
  }
  return { edgeStart, edgeTo, edgeChoice, edgeLabel };
}

/** Builds the product graph in-process (breadth first, every edge recorded), or says which limit stopped it. */
async function buildProductGraph(product: ProductSystem, options: { maxStates?: number } = {}): Promise<{ graph: ProductGraph } | { stoppedBy: Limit }> {
  const edges = new EdgeLog();
  const x = new Exploration(product, options.maxStates !== undefined ? { maxStates: options.maxStates } : {}, undefined, edges);
  await expandInProcess(x);
  if (x.stoppedBy) return { stoppedBy: x.stoppedBy };
  return { graph: productGraph(x.store, edges, x.store.count, x.store.count, x.transitions) };
}

/** The graph of an explored product: its store (states, parent links) and its recorded edges. */
export function productGraph(store: Pick<VisitedStore, 'load' | 'pathTo'>, edges: EdgeLog, ids: number, states: number, transitions: number): ProductGraph {
  return { ids, states, transitions, ...graphFromEdges(edges.data, edges.length, ids), load: (id, out) => store.load(id, out), pathTo: (id) => store.pathTo(id) };
}

/** Searches a fair accepting cycle; `maxStates` bounds the product (incomplete beyond it). */
export async function findFairAcceptingCycle(
  system: TransitionSystem,
  spec: ProductSpec,
  fairness: FairnessSpec,
  options: { maxStates?: number } = {},
): Promise<FairCycleResult> {
  const product = new ProductSystem(system, spec);
  const built = await buildProductGraph(product, options);
  if ('stoppedBy' in built) return { verdict: 'incomplete', stoppedBy: built.stoppedBy, states: options.maxStates ?? 0, transitions: 0 };
  return searchFairCycle(product, built.graph, fairness);
}

/** The SCC-based search over an explored product graph (see the header). */
export function searchFairCycle(product: ProductSystem, graph: ProductGraph, fairness: FairnessSpec): FairCycleResult {
  const W = product.system.stateWords;
  const prod = new Int32Array(W + 1);
  const sys = new Int32Array(W);
  const { edgeStart, edgeTo, edgeLabel } = graph;
  const n = graph.ids;
  const transitions = graph.transitions;
  const store = graph;
  const accepting = (id: number): boolean => {
    store.load(id, prod);
    return product.accepting(prod);
  };
  const enabledOf = new Int32Array(n);
  if (fairness.kind !== 'none') {
    for (let id = 0; id < n; id++) {
      store.load(id, prod);
      sys.set(prod.subarray(0, W));
      enabledOf[id] = fairness.enabled(sys);
    }
  }
  const cycleEdge = (e: number): boolean => edgeLabel[e] === STUTTER || !fairness.excluded(edgeLabel[e]!);

  // Candidate sets of states, refined for strong fairness; start from the SCCs of the cycle graph.
  const inSet = new Int32Array(n).fill(-1);
  const work: number[][] = sccs(n, edgeStart, edgeTo, cycleEdge, null, inSet, 0);
  let setId = work.length;
  while (work.length > 0) {
    const members = work.pop()!;
    const mark = inSet[members[0]!]!;
    let hasEdge = false;
    let steps = 0;
    let always = -1;
    let sometimes = 0;
    for (const u of members) {
      always &= enabledOf[u]!;
      sometimes |= enabledOf[u]!;
      for (let e = edgeStart[u]!; e < edgeStart[u + 1]!; e++) {
        if (!cycleEdge(e) || inSet[edgeTo[e]!] !== mark) continue;
        hasEdge = true;
        const a = edgeLabel[e] === STUTTER ? -1 : fairness.actorOf(edgeLabel[e]!);
        if (a >= 0) steps |= 1 << a;
      }
    }
    if (!hasEdge || !members.some(accepting)) continue;
    if (fairness.kind === 'weak' && (always & ~steps & actorMask(fairness)) !== 0) continue;
    if (fairness.kind === 'strong') {
      const bad = sometimes & ~steps & actorMask(fairness);
      if (bad !== 0) {
        const keep = members.filter((u) => (enabledOf[u]! & bad) === 0);
        for (const u of members) inSet[u] = -1;
        if (keep.length === 0) continue;
        const sub = sccs(n, edgeStart, edgeTo, cycleEdge, keep, inSet, setId);
        setId += sub.length;
        work.push(...sub);
        continue;
      }
    }
    // A fair accepting component: build the lasso.
    const target = members.find(accepting)!;
    const required: number[] = [];
    if (fairness.kind !== 'none') {
      const need = (fairness.kind === 'weak' ? always : sometimes) & actorMask(fairness);
      for (let a = 0; a < fairness.actors; a++) {
        if (!(need & (1 << a))) continue;
        const e = findEdge(members, mark, (e2) => cycleEdge(e2) && edgeLabel[e2] !== STUTTER && fairness.actorOf(edgeLabel[e2]!) === a);
        if (e >= 0) required.push(e);
      }
    }
    const cycleEdges: number[] = [];
    let cur = target;
    for (const e of required) {
      const src = edgeSource(e);
      cycleEdges.push(...pathWithin(cur, src, mark, false));
      cycleEdges.push(e);
      cur = edgeTo[e]!;
    }
    cycleEdges.push(...pathWithin(cur, target, mark, cycleEdges.length === 0));
    const stem = product.systemPath(store.pathTo(target));
    const cycle = cycleEdges
      .map((e) => {
        store.load(edgeSource(e), prod);
        return product.systemChoice(prod, graph.edgeChoice[e]!);
      })
      .filter((c) => c !== STUTTER);
    return { verdict: 'violation', stem, cycle, loopStart: stem.length - 1, states: graph.states, transitions };
  }
  return { verdict: 'pass', states: graph.states, transitions };

  function findEdge(members: number[], mark: number, ok: (e: number) => boolean): number {
    for (const u of members) for (let e = edgeStart[u]!; e < edgeStart[u + 1]!; e++) if (inSet[edgeTo[e]!] === mark && ok(e)) return e;
    return -1;
  }
  function edgeSource(e: number): number {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (edgeStart[mid]! <= e) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  /** Shortest edge path from `from` to `to` inside the set `mark` (non-empty when `nonEmpty`). */
  function pathWithin(from: number, to: number, mark: number, nonEmpty: boolean): number[] {
    if (from === to && !nonEmpty) return [];
    const prevEdge = new Map<number, number>();
    const queue: number[] = [from];
    for (let i = 0; i < queue.length; i++) {
      const u = queue[i]!;
      for (let e = edgeStart[u]!; e < edgeStart[u + 1]!; e++) {
        const v = edgeTo[e]!;
        if (!cycleEdge(e) || inSet[v] !== mark || prevEdge.has(v)) continue;
        prevEdge.set(v, e);
        if (v === to) {
          const path: number[] = [];
          for (let x = to; ; ) {
            const pe = prevEdge.get(x)!;
            path.push(pe);
            x = edgeSource(pe);
            if (x === from && path.length > 0) break;
          }
          return path.reverse();
        }
        queue.push(v);
      }
    }
    throw new Error('internal: no path inside a strongly connected set');
  }
}

function actorMask(f: FairnessSpec): number {
  return f.actors >= 31 ? 0x7fffffff : (1 << f.actors) - 1;
}

/**
 * The strongly connected components of the states of `subset` (all when null), using only edges
 * accepted by `useEdge` and staying inside the subset. Labels each component's states in `inSet`
 * with a fresh id from `firstId` on, and returns the components.
 */
function sccs(
  n: number,
  edgeStart: Int32Array,
  edgeTo: Int32Array,
  useEdge: (e: number) => boolean,
  subset: readonly number[] | null,
  inSet: Int32Array,
  firstId: number,
): number[][] {
  const member = new Uint8Array(n);
  if (subset) for (const u of subset) member[u] = 1;
  else member.fill(1);
  const { components } = stronglyConnectedComponents(
    n,
    (u, visit) => {
      for (let e = edgeStart[u]!; e < edgeStart[u + 1]!; e++) if (useEdge(e) && member[edgeTo[e]!]) visit(edgeTo[e]!);
    },
    subset ?? undefined,
  );
  components.forEach((members, i) => {
    for (const u of members) inSet[u] = firstId + i;
  });
  return components;
}
