/**
 * Fair accepting cycles in the product of a TransitionSystem with a Büchi automaton, for LTL
 * under fairness, searched on the fly: no edge is ever stored, and the search stops at the first
 * fair accepting cycle it closes.
 *
 * The algorithm is Couvreur's SCC-based emptiness check for generalized Büchi automata (1999,
 * in the iterative form of Renault et al. 2013): a Tarjan-like depth-first search that keeps a
 * stack of roots of the partial strongly connected components, each with the union of the
 * acceptance marks of the edges inside it. A merge that completes the marks proves a cycle
 * through all of them (the merged states are strongly connected), so the search stops there.
 * Acceptance marks live on edges; an edge u -> v carries:
 *
 *  - bit 0 when u is accepting (the Büchi condition);
 *  - weak fairness: bit 1 + a for every actor a that takes the edge or is not enabled in u. A
 *    cycle holding every bit is weakly fair: each actor either steps on it or is disabled in one
 *    of its states, and conversely every weakly fair accepting cycle holds every bit.
 *  - strong fairness: bit 1 + a for the actor a that takes the edge. A component is fair when
 *    every actor enabled in some state of it steps inside it. That is a Streett condition, which
 *    the marks alone cannot decide: a merge reports as soon as the partial component is fair (it
 *    is strongly connected, so a cycle through all its states and marked edges exists), and a
 *    completed component that is accepting but unfair is refined as in Emerson-Lei: the states
 *    enabling an offending actor are removed and the rest is split into components again (their
 *    edges regenerated, not stored), recursively.
 *
 * Edges of `excluded` labels (kernel events under "finitely many events") may lead to a cycle
 * but never lie on one: the search runs on the graph without them, and the target of an
 * excluded edge becomes one more root of that search (as Tarjan takes every vertex as a root).
 * Every reachable state is still visited, and a component of the graph without excluded edges
 * reachable through any edges is exactly a candidate cycle of a run with finitely many events.
 *
 * Product semantics are those of checker/graph/cycles.ts: (s, q) with q having read s; a system
 * state without successors stutters forever (a self-loop edge with no choice index, taken by no
 * actor). Memory per product state: its packed words in the store, two int32 fields (DFS number,
 * parent for the stem) and the table slot; the DFS stacks hold ids only.
 */
import { IntStack, ProductStore, StateField } from '../graph/product-store.js';
import { productInitialStates, productSuccessors, STUTTER, type ProductSpec } from '../graph/product-steps.js';
import { stronglyConnectedComponents } from '../graph/scc.js';
import type { Progress } from '../options.js';
import type { TransitionSystem } from '../transition-system.js';
import type { Limit } from '../result.js';
import { MemoryBound } from '../memory-bound.js';

/** How transitions map to actors (threads) and which states enable which actors. */
export interface FairnessSpec {
  readonly kind: 'none' | 'weak' | 'strong';
  /** Number of actors (at most 30). */
  readonly actors: number;
  /** The actor that takes a transition with this label, or -1 (the environment). */
  actorOf(label: number): number;
  /** Bitmask of the actors enabled in system state `s`. */
  enabled(s: Int32Array): number;
  /** Edges that may not be part of a cycle (only finitely many of them happen). */
  excluded(label: number): boolean;
}

export interface FairSearchOptions {
  /** Stop (incomplete) once more than this many product states are stored. */
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  /** Bound on the process's resident size, in MiB (checker/memory-bound.ts). */
  readonly maxMemoryMB?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
}

interface Counts {
  /** Product states stored. */
  readonly states: number;
  /** Product edges generated (every edge of every state stored, when the search completes). */
  readonly transitions: number;
  /** Bytes of the store and the per-state fields, per stored state. */
  readonly bytesPerState: number;
}

export type FairCycleResult =
  | ({ readonly verdict: 'pass' } & Counts)
  | ({ readonly verdict: 'incomplete'; readonly stoppedBy: Limit } & Counts)
  | ({
      readonly verdict: 'violation';
      /** Choice path (replay.ts format) from an initial state to the first state of the cycle. */
      readonly stem: number[];
      /** System successor indices around the cycle back to its first state; empty if it stutters. */
      readonly cycle: number[];
      /** Index (into the states replayed from [...stem, ...cycle]) where the cycle starts. */
      readonly loopStart: number;
    } & Counts);

/** DFS number of a state whose component is complete (no cycle through it is left to find). */
const DEAD = -1;
/** Expansions between checks of the limits, the clock and the abort signal. */
const CHECK_EVERY = 1 << 14;

/** Fields of a DFS frame: the state, where its successors begin in the buffers, the next one. */
const FRAME = 3;
/** Fields of a root: its state, its DFS number, the marks inside its component, the marks of the edge that entered it, the actors enabled in its component. */
const ROOT = 5;

/** Searches a reachable fair accepting cycle on the fly (see the header). */
export async function findFairAcceptingCycle(system: TransitionSystem, spec: ProductSpec, fairness: FairnessSpec, options: FairSearchOptions = {}): Promise<FairCycleResult> {
  if (fairness.actors > 30) throw new Error(`fairness over ${fairness.actors} actors: at most 30 are supported`);
  const W = system.stateWords;
  const store = new ProductStore(W + 1);
  /** 0: stored, not yet entered by the DFS; > 0: its DFS number (live); DEAD. */
  const dfsNumber = new StateField(0);
  /** The state from which each state was first stored (-1 for an initial state): the stems. */
  const parent = new StateField(-1);
  const key = new Int32Array(W + 1);
  const out = new Int32Array(W);
  const cur = new Int32Array(W + 1);
  const curSystem = cur.subarray(0, W);
  const actorMask = (1 << fairness.actors) - 1;
  const kind = fairness.kind;
  const allMarks = kind === 'weak' ? 1 | (actorMask << 1) : 1;
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const start = performance.now();
  let transitions = 0;
  let stoppedBy: Limit | undefined;

  const bytes = (): number => store.bytes() + (dfsNumber.data.length + parent.data.length) * 4;
  const counts = (): Counts => ({ states: store.size, transitions, bytesPerState: store.size > 0 ? Math.round(bytes() / store.size) : 0 });

  /**
   * Whether marks `acc` of a component whose states enable actors `enabled` make it a fair accepting one.
   * (Mutation testing: the strong test for every kind is equivalent. Without fairness `enabled`
   * is 0 and acc is 0 or 1; under weak fairness an actor's bit is missing only if it is enabled
   * at the source of every edge merged, so it is in `enabled` too.)
   */
  const fair = (acc: number, enabled: number): boolean => (kind === 'strong' ? (acc & 1) !== 0 && (((enabled & actorMask) << 1) & ~acc) === 0 : acc === allMarks);

  /** The marks of an edge labelled `label` from a state that is accepting (`accepting` 0 or 1) and enables `enabled`. */
  const marksOf = (accepting: number, enabled: number, label: number): number => {
    if (kind === 'none') return accepting;
    const a = label === STUTTER ? -1 : fairness.actorOf(label);
    const step = a >= 0 ? 1 << (a + 1) : 0;
    return kind === 'weak' ? accepting | step | ((~enabled & actorMask) << 1) : accepting | step;
  };

  /** Whether an edge labelled `label` may lie on a cycle (a stutter step always may). */
  const cycleEdge = (label: number): boolean => label === STUTTER || !fairness.excluded(label);

  /** Actors enabled in the state `successors` last generated from (0 without fairness). */
  let enabledHere = 0;
  /**
   * Generates the product successors of state `id`: `visit(target, systemChoice, label)` for each
   * (system choice and label STUTTER for a stutter step), with `enabledHere` set for `id`. With
   * `intern` the targets are stored when new, else looked up (-1 if never stored). Stops early
   * once a limit is reached.
   */
  const successors = (id: number, intern: boolean, visit: (target: number, choice: number, label: number) => void): void => {
    store.load(id, cur);
    enabledHere = kind === 'none' ? 0 : fairness.enabled(curSystem);
    const emit = (to: Int32Array, q2: number, choice: number, label: number): void => {
      key.set(to);
      key[W] = q2;
      // (Mutation testing: interning here too is equivalent: a lookup only ever generates the
      // successors of an entered state, which were all stored when it was entered.)
      if (!intern) return visit(store.find(key), choice, label);
      const before = store.size;
      const target = store.intern(key);
      if (store.size > before) {
        dfsNumber.ensure(store.size);
        parent.ensure(store.size);
        parent.data[target] = id;
        if (store.size > maxStates) stoppedBy ??= { kind: 'states', bound: maxStates };
      }
      visit(target, choice, label);
    };
    productSuccessors(system, spec, curSystem, cur[W]!, out, emit, () => stoppedBy !== undefined);
  };

  // Roots of the search: the initial states, then the targets of excluded edges.
  const pending = new IntStack();
  productInitialStates(system, spec, out, (s0, q) => {
    key.set(s0);
    key[W] = q;
    const before = store.size;
    const id = store.intern(key);
    if (store.size > before) {
      dfsNumber.ensure(store.size);
      parent.ensure(store.size);
      pending.push(id);
    }
  });

  const frames = new IntStack();
  let depth = 0;
  const succIds = new IntStack();
  const succMarks = new IntStack();
  const roots = new IntStack();
  /** Tarjan's stack: the live states, in DFS order. */
  const live = new IntStack();
  let counter = 0;
  // The limits are first checked at the first expansion (a signal may be aborted already).
  let expansions = CHECK_EVERY;

  const enter = (id: number, incoming: number): void => {
    dfsNumber.data[id] = ++counter;
    live.push(id);
    const begin = succIds.length;
    const accepting = spec.accepting[store.automatonState(id)] === true ? 1 : 0;
    // A state stored but not entered is in `pending` or in the successors of a frame on the
    // stack (entered before that frame ends): only the targets stored by this expansion can be
    // in neither, so `pending` holds each state at most a few times.
    const storedBefore = store.size;
    successors(id, true, (target, _choice, label) => {
      transitions++;
      if (cycleEdge(label)) {
        succIds.push(target);
        succMarks.push(marksOf(accepting, enabledHere, label));
      } else if (target >= storedBefore) pending.push(target);
    });
    frames.length = depth * FRAME;
    frames.push(id);
    frames.push(begin);
    frames.push(begin);
    depth++;
    roots.push(id);
    roots.push(counter);
    roots.push(0);
    roots.push(incoming);
    roots.push(enabledHere);
    expansions++;
  };

  // (Mutation testing: a MemoryBound built for every search is equivalent: with an undefined
  // bound it compares against NaN and is never exceeded.)
  const memory = options.maxMemoryMB !== undefined ? new MemoryBound(options.maxMemoryMB) : undefined;
  const limits = async (): Promise<void> => {
    const seconds = (performance.now() - start) / 1000;
    // (Mutation testing: a first test that is always true is equivalent, a time compared with an
    // undefined bound is false; so is `>=`, as a time equal to the bound to the nanosecond is.)
    if (options.maxSeconds !== undefined && seconds > options.maxSeconds) stoppedBy ??= { kind: 'time', bound: options.maxSeconds };
    // Each state also has its two int32 fields (DFS number, parent).
    if (memory?.exceededAhead(store.size, (n) => store.growthBytes(n) + n * 8)) stoppedBy ??= { kind: 'memory', bound: memory.boundMB };
    if (options.signal) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (options.signal.aborted) stoppedBy ??= { kind: 'interrupted' };
    }
    options.onProgress?.({ states: store.size, transitions, frontier: pending.length, depth, seconds, statesPerSecond: store.size / Math.max(seconds, 1e-9), memoryBytes: bytes() });
  };

  // (Mutation testing: `>= 0` is equivalent: it reads index -1 once, undefined, whose DFS number
  // is not 0, and stops at length -1.)
  while (pending.length > 0) {
    const root = pending.get(--pending.length);
    if (dfsNumber.data[root] !== 0) continue;
    enter(root, 0);
    while (depth > 0) {
      if (stoppedBy) return { verdict: 'incomplete', stoppedBy, ...counts() };
      if (expansions >= CHECK_EVERY) {
        expansions = 0;
        await limits();
        if (stoppedBy) return { verdict: 'incomplete', stoppedBy, ...counts() };
      }
      const f = (depth - 1) * FRAME;
      const u = frames.get(f);
      const cursor = frames.get(f + 2);
      if (cursor < succIds.length) {
        frames.set(f + 2, cursor + 1);
        const v = succIds.get(cursor);
        const n = dfsNumber.data[v]!;
        if (n === 0) {
          enter(v, succMarks.get(cursor));
          continue;
        }
        if (n === DEAD) continue;
        // v is live: every root above v's component is now in one component with it.
        let acc = succMarks.get(cursor);
        let enabled = 0;
        let top = roots.length - ROOT;
        while (roots.get(top + 1) > n) {
          acc |= roots.get(top + 2) | roots.get(top + 3);
          enabled |= roots.get(top + 4);
          roots.length = top;
          top -= ROOT;
        }
        acc |= roots.get(top + 2);
        enabled |= roots.get(top + 4);
        roots.set(top + 2, acc);
        roots.set(top + 4, enabled);
        if (fair(acc, enabled)) {
          const rootNumber = roots.get(top + 1);
          return lasso(roots.get(top), (x) => dfsNumber.data[x]! >= rootNumber, acc, enabled);
        }
        continue;
      }
      // u is finished: if it is a root, its component is complete.
      succIds.length = succMarks.length = frames.get(f + 1);
      depth--;
      const top = roots.length - ROOT;
      if (roots.get(top) !== u) continue;
      const acc = roots.get(top + 2);
      roots.length = top;
      const members: number[] = [];
      // (Mutation testing: the three mutants that refine more are equivalent: refining a component
      // whose marks lack bit 0 finds no accepting part in it, and when `refine` is false,
      // collecting the members changes nothing and refining none of them finds nothing.)
      const refine = kind === 'strong' && (acc & 1) !== 0;
      for (;;) {
        const x = live.get(--live.length);
        dfsNumber.data[x] = DEAD;
        if (refine) members.push(x);
        if (x === u) break;
      }
      if (refine) {
        const found = refineStrong(members);
        if (found) return found;
      }
    }
  }
  return { verdict: 'pass', ...counts() };

  /**
   * Emerson-Lei refinement of a complete, accepting but unfair component under strong fairness:
   * a fair accepting cycle inside `members`, as a lasso, or undefined.
   */
  function refineStrong(members: number[]): FairCycleResult | undefined {
    const work: number[][] = [members];
    while (work.length > 0) {
      const set = work.pop()!;
      const local = new Map<number, number>();
      set.forEach((x, i) => local.set(x, i));
      // Stryker disable next-line ArrayDeclaration: equivalent, every index is assigned below
      const enabledOf: number[] = [];
      const edges: [number, number][][] = set.map((x, i) => {
        const list: [number, number][] = [];
        const accepting = spec.accepting[store.automatonState(x)] === true ? 1 : 0;
        // Stryker disable next-line BooleanLiteral: equivalent, the successors of an entered state are all stored
        successors(x, false, (target, _choice, label) => {
          const t = local.get(target);
          if (t !== undefined && cycleEdge(label)) list.push([t, marksOf(accepting, 0, label)]);
        });
        enabledOf[i] = enabledHere;
        return list;
      });
      for (const component of stronglyConnectedComponents(set.length, (v, visit) => edges[v]!.forEach(([t]) => visit(t))).components) {
        const inside = new Set(component);
        let acc = 0;
        let enabled = 0;
        // Stryker disable next-line BooleanLiteral: equivalent, a component without internal edges has no marks (acc is 0)
        let internal = false;
        for (const v of component) {
          enabled |= enabledOf[v]!;
          for (const [t, m] of edges[v]!)
            if (inside.has(t)) {
              internal = true;
              acc |= m;
            }
        }
        if (!internal || (acc & 1) === 0) continue;
        if (fair(acc, enabled)) {
          const ids = new Set(component.map((v) => set[v]!));
          const target = component.find((v) => spec.accepting[store.automatonState(set[v]!)] === true)!;
          return lasso(set[target]!, (x) => ids.has(x), acc, enabled);
        }
        const bad = (enabled & actorMask & ~(acc >>> 1)) >>> 0;
        const keep = component.filter((v) => (enabledOf[v]! & bad) === 0).map((v) => set[v]!);
        // (Mutation testing: pushing an empty set is equivalent: it has no components.)
        if (keep.length > 0) work.push(keep);
      }
    }
    return undefined;
  }

  /**
   * The lasso through `target`: its stem along the parent links, then a cycle inside the states
   * `member` accepts that holds the marks a fair accepting cycle needs (all of `acc` under weak
   * fairness or none; under strong fairness bit 0 and a step of every actor `enabled` there).
   */
  function lasso(target: number, member: (id: number) => boolean, acc: number, enabled: number): FairCycleResult {
    // Bit 0 is always needed, so the cycle has at least one edge.
    let need = kind === 'strong' ? 1 | ((enabled & actorMask) << 1) : acc;
    const cycle: number[] = [];
    let at = target;
    // One breadth-first search to the nearest edge holding a missing mark, until none is missing.
    while (need !== 0) {
      const goal = need;
      const path = shortestPath(at, member, (_to, marks) => (marks & goal) !== 0);
      for (const [choice, marks] of path.edges) {
        need &= ~marks;
        if (choice !== STUTTER) cycle.push(choice);
      }
      at = path.end;
    }
    if (at !== target) {
      const back = shortestPath(at, member, (to) => to === target);
      for (const [choice] of back.edges) if (choice !== STUTTER) cycle.push(choice);
    }
    const stem = stemTo(target);
    return { verdict: 'violation', stem, cycle, loopStart: stem.length - 1, ...counts() };
  }

  /** The shortest edge path from `from` inside `member` whose last edge satisfies `goal`: its (system choice, marks) pairs and end state. */
  function shortestPath(from: number, member: (id: number) => boolean, goal: (to: number, marks: number) => boolean): { edges: [number, number][]; end: number } {
    const previous = new Map<number, [number, number, number]>();
    const queue = [from];
    // (Mutation testing: `<=` is equivalent: the loop always returns before the queue runs out.)
    for (let i = 0; i < queue.length; i++) {
      const x = queue[i]!;
      const accepting = spec.accepting[store.automatonState(x)] === true ? 1 : 0;
      const found: [number, number, number][] = [];
      // Stryker disable next-line BooleanLiteral: equivalent, the successors of an entered state are all stored
      successors(x, false, (target, choice, label) => {
        // (Mutation testing: dropping `target >= 0` is equivalent: every target here was stored.)
        if (target >= 0 && member(target) && cycleEdge(label)) found.push([target, choice, marksOf(accepting, enabledHere, label)]);
      });
      for (const [y, choice, marks] of found) {
        if (goal(y, marks)) {
          const edges: [number, number][] = [[choice, marks]];
          for (let z = x; z !== from; ) {
            const [p, c, m] = previous.get(z)!;
            edges.push([c, m]);
            z = p;
          }
          return { edges: edges.reverse(), end: y };
        }
        // (Mutation testing: dropping `y !== from` is equivalent: `from` is queued once more, and its
        // edges, already judged, are judged the same again and lead to states already seen.)
        if (y !== from && !previous.has(y)) {
          previous.set(y, [x, choice, marks]);
          queue.push(y);
        }
      }
    }
    // Stryker disable next-line StringLiteral: equivalent, unreachable (the members are strongly connected)
    throw new Error('internal: no path inside a strongly connected set');
  }

  /** The choice path (replay.ts format, stutters left out) from an initial state to `target`. */
  function stemTo(target: number): number[] {
    const ids: number[] = [];
    for (let x = target; x !== -1; x = parent.data[x]!) ids.push(x);
    ids.reverse();
    const path: number[] = [];
    let index = 0;
    system.initialStates(out, () => {
      const choice = index++;
      key.set(out);
      for (const q0 of spec.initial)
        spec.step(q0, out, (q) => {
          key[W] = q;
          if (path.length === 0 && store.find(key) === ids[0]) path.push(choice);
        });
    });
    for (let k = 1; k < ids.length; k++) {
      let choice: number | undefined;
      // Stryker disable next-line BooleanLiteral: equivalent, the successors of an entered state are all stored
      successors(ids[k - 1]!, false, (t, c) => {
        if (t === ids[k] && choice === undefined) choice = c;
      });
      if (choice !== STUTTER) path.push(choice!);
    }
    return path;
  }
}
