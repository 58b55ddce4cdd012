import { describe, expect, it } from 'vitest';
import { findAcceptingCycle, type CycleResult } from '../../checker/graph/cycles.js';
import type { ProductSpec } from '../../checker/graph/product-steps.js';
import { replay } from '../../checker/replay.js';
import type { TransitionSystem } from '../../checker/transition-system.js';
import { drawnGraph } from './toy-systems.js';
import type { Expr } from '../../properties/expr/ast.js';
import { formatExpr } from '../../properties/expr/parse.js';
import { AtomTable, formatLtl, type Ltl } from '../../properties/ltl/ast.js';
import { stronglyConnectedComponents } from '../../checker/graph/scc.js';
import { buchiProductSpec, ltlToBuchi } from '../../properties/ltl/buchi.js';
import { evalOnLasso } from '../../properties/ltl/lasso.js';
import { parseLtl } from '../../properties/ltl/parse.js';
import { namedAtoms, randomLtl, Rng } from '../../properties/ltl/random.js';

/** A system given by explicit successor lists over states 0..n-1 (one word: the state number); an edge's label is its target. */
function graphSystem(initial: number[], succ: number[][]): TransitionSystem {
  return drawnGraph((s) => succ[s]!.map((to) => [to, to] as const), { inspect: () => 0, codeName: (c) => `code ${c}` }, initial);
}

/**
 * Counter mod 3 (0 -> 1 -> 2 -> 0). With `sink`, state 2 may also branch to 10, which has no
 * successors (terminates).
 */
function counter(sink: boolean): TransitionSystem {
  const succ: number[][] = [[1], [2], sink ? [0, 10] : [0]];
  succ[10] = [];
  return graphSystem([0], succ);
}

/** Atoms of the counter tests: p is x == 0, q is x == 10 (the sink), r is x == 1. */
const COUNTER_ATOMS: Record<string, (x: number) => boolean> = { p: (x) => x === 0, q: (x) => x === 10, r: (x) => x === 1 };

function check(system: TransitionSystem, property: string, holds: (atom: Expr, s: Int32Array) => boolean = counterHolds, maxStates?: number): CycleResult {
  const f = parseLtl(property);
  const b = ltlToBuchi(f, { negate: true });
  const spec = buchiProductSpec(b, (a, s) => holds(b.atoms[a]!, s));
  const result = findAcceptingCycle(system, spec, maxStates === undefined ? {} : { maxStates });
  if (result.verdict === 'violation') expectGenuineCounterexample(system, f, result, holds);
  return result;
}

function counterHolds(atom: Expr, s: Int32Array): boolean {
  const fn = COUNTER_ATOMS[formatExpr(atom)];
  if (!fn) throw new Error(`unknown atom ${formatExpr(atom)}`);
  return fn(s[0]!);
}

/**
 * The replayed lasso must end where the loop starts, and the infinite word it denotes (with a
 * terminal state repeated forever when the cycle is empty) must violate `f`.
 */
function expectGenuineCounterexample(
  system: TransitionSystem,
  f: Ltl,
  result: Extract<CycleResult, { verdict: 'violation' }>,
  holds: (atom: Expr, s: Int32Array) => boolean,
): void {
  const steps = replay(system, [...result.stem, ...result.cycle]);
  expect(result.loopStart).toBe(result.stem.length - 1);
  const last = steps[steps.length - 1]!.state;
  expect([...steps[result.loopStart]!.state]).toEqual([...last]);
  if (result.cycle.length === 0) {
    // A stuttering loop: the state must really be terminal.
    let successors = 0;
    system.successors(last, new Int32Array(system.stateWords), () => {
      successors++;
    });
    expect(successors).toBe(0);
  }
  const table = new AtomTable();
  const atomsOf = (g: Ltl): void => {
    if (g.kind === 'atom') table.intern(g.expr);
    else if ('arg' in g) atomsOf(g.arg);
    else if ('left' in g) {
      atomsOf(g.left);
      atomsOf(g.right);
    }
  };
  atomsOf(f);
  const letter = (s: Int32Array): boolean[] => table.exprs.map((e) => holds(e, s));
  const states = steps.map((st) => st.state);
  const prefix = states.slice(0, result.loopStart).map(letter);
  const loop = result.cycle.length === 0 ? [letter(last)] : states.slice(result.loopStart, states.length - 1).map(letter);
  expect(evalOnLasso(f, { prefix, loop }, (e) => table.indexOf(e)), `counterexample of ${formatLtl(f)} satisfies it`).toBe(false);
}

describe('findAcceptingCycle on a counter mod 3', () => {
  it('passes G F p when the counter cycles forever', () => {
    const r = check(counter(false), 'G F p');
    expect(r.verdict).toBe('pass');
    // A pass explores the whole product once: every reachable (state, automaton state) pair and
    // edge, as the explicit reference counts them (5 and 6 with today's 3-state automaton of
    // F G !p along the 3-cycle).
    const product = explicitProduct([0], [[1], [2], [0]], buchiProductSpec(ltlToBuchi(parseLtl('G F p'), { negate: true }), (_atom, s) => s[0] === 0));
    expect([r.states, r.transitions]).toEqual([product.states, product.edges]);
    expect([r.states, r.transitions]).toEqual([5, 6]);
  });

  it('finds the 0 -> 1 -> 2 -> 0 lasso against F G p', () => {
    const r = check(counter(false), 'F G p');
    if (r.verdict !== 'violation') throw new Error(`expected a violation, got ${r.verdict}`);
    // The counter is deterministic (every choice is 0); the lasso is one turn from state 0.
    expect(r).toMatchObject({ stem: [0], cycle: [0, 0, 0], loopStart: 0 });
  });

  it('treats termination as stuttering: G F p fails through the sink with an empty cycle', () => {
    const r = check(counter(true), 'G F p');
    if (r.verdict !== 'violation') throw new Error(`expected a violation, got ${r.verdict}`);
    // 0 -> 1 -> 2, then the second successor of 2 (choice 1): the sink, stuttering forever.
    expect(r).toMatchObject({ stem: [0, 0, 0, 1], cycle: [], loopStart: 3 });
    const steps = replay(counter(true), r.stem);
    expect(steps[steps.length - 1]!.state[0]).toBe(10);
  });

  it('stuttering makes F G q satisfiable but not valid', () => {
    // Every path either cycles (q never holds) or ends in the sink (q forever).
    const r = check(counter(true), 'F G q');
    // The lasso never takes the sink (choice 1 at state 2): it turns 1 -> 2 -> 0 -> 1 forever.
    expect(r).toMatchObject({ verdict: 'violation', stem: [0, 0], cycle: [0, 0, 0], loopStart: 1 });
    expect(check(counter(true), '(F G q) || (G F p)').verdict).toBe('pass');
    expect(check(counter(true), 'G (q -> X q)').verdict).toBe('pass');
    expect(check(counter(true), 'G (p -> X r)').verdict).toBe('pass');
    expect(check(counter(true), 'G (r -> X p)').verdict).toBe('violation');
  });

  it('passes safety-like properties and finds their violations as lassos', () => {
    expect(check(counter(false), 'G !q').verdict).toBe('pass');
    expect(check(counter(true), 'G !q').verdict).toBe('violation');
    expect(check(counter(false), 'p && X r').verdict).toBe('pass');
    expect(check(counter(false), 'X p').verdict).toBe('violation');
  });

  it('reports incomplete when the state limit is hit', () => {
    const r = check(counter(false), 'G F p', counterHolds, 2);
    // It stops at the first state stored beyond the limit.
    expect(r).toMatchObject({ verdict: 'incomplete', states: 3 });
  });

  it('finds a cycle that only the inner (red) search can close', () => {
    // 0 -> 1; 1 -> 2 (explored first), 1 -> 3; 2 -> 1; 3 -> 2. Only state 3 is accepting, and
    // when the outer search reaches 3, state 2 is already finished: the cycle 1 -> 3 -> 2 -> 1
    // is closed by the red search from 3 through 2 back to 1 on the blue stack.
    const sys = graphSystem([0], [[1], [2, 3], [1], [2]]);
    const spec: ProductSpec = {
      buchiStates: 2,
      initial: [0],
      accepting: [false, true],
      step: (_q, s, emit) => emit(s[0] === 3 ? 1 : 0),
    };
    const r = findAcceptingCycle(sys, spec);
    expect(r).toMatchObject({ verdict: 'violation', stem: [0, 0], cycle: [1, 0, 0], loopStart: 1 });
    const states = replay(sys, [0, 0, 1, 0, 0]).map((s) => s.state[0]);
    expect(states).toEqual([0, 1, 3, 2, 1]);
    // Without state 3's edge back into the loop there is no accepting cycle.
    expect(findAcceptingCycle(graphSystem([0], [[1], [2, 3], [1], [4], [4]]), spec).verdict).toBe('pass');
  });

  it('handles several initial states (stem starts with the initial-state index)', () => {
    const sys = graphSystem([1, 0], [[1], [2], [0]]);
    const r = check(sys, 'p');
    if (r.verdict !== 'violation') throw new Error(`expected a violation, got ${r.verdict}`);
    // Initial state 1 (index 0), where p (x == 0) is false: violated at once; the lasso goes on
    // around the counter 1 -> 2 -> 0 -> 1.
    expect(r).toMatchObject({ stem: [0], cycle: [0, 0, 0], loopStart: 0 });
  });
});

describe('findAcceptingCycle on large systems', () => {
  it('searches deep chains without recursion', () => {
    const n = 200_000;
    const sys: TransitionSystem = {
      stateWords: 2,
      initialStates(out, emit) {
        out[0] = 0;
        out[1] = 7;
        emit();
      },
      successors(state, out, emit) {
        if (state[0]! + 1 < n) {
          out[0] = state[0]! + 1;
          out[1] = 7;
          emit(0);
        }
      },
      inspect: () => 0,
      terminal: () => 0,
      codeName: () => '',
    };
    const holds = (atom: Expr, s: Int32Array): boolean => (formatExpr(atom) === 'p' ? s[0] === 0 : s[0] === n - 1);
    const r = check(sys, 'G F p', holds);
    if (r.verdict !== 'violation') throw new Error(`expected a violation, got ${r.verdict}`);
    expect(r.stem).toHaveLength(n);
    expect(r.cycle).toEqual([]);
    expect(check(sys, 'F G q', holds).verdict).toBe('pass');
  });
});

/**
 * The reachable part of the explicitly built product, with the semantics of cycles.ts
 * (automaton reads successor states, terminal states stutter): its adjacency over
 * s * buchiStates + q, which of those are reachable, and its edge count.
 */
function explicitProduct(initial: number[], succ: number[][], spec: ProductSpec): { adj: number[][]; seen: boolean[]; states: number; edges: number } {
  const Q = spec.buchiStates;
  const key = (s: number, q: number): number => s * Q + q;
  const total = succ.length * Q;
  const adj: number[][] = Array.from({ length: total }, () => []);
  const seen = new Array<boolean>(total).fill(false);
  const stack: number[] = [];
  let states = 0;
  let edges = 0;
  const visit = (v: number): void => {
    if (!seen[v]) {
      seen[v] = true;
      states++;
      stack.push(v);
    }
  };
  const one = new Int32Array(1);
  for (const s0 of initial) {
    one[0] = s0;
    for (const q0 of spec.initial) spec.step(q0, one, (q) => visit(key(s0, q)));
  }
  while (stack.length > 0) {
    const v = stack.pop()!;
    const s = Math.floor(v / Q);
    const q = v % Q;
    const next = succ[s]!.length > 0 ? succ[s]! : [s];
    for (const t of next) {
      one[0] = t;
      spec.step(q, one, (q2) => {
        adj[v]!.push(key(t, q2));
        edges++;
        visit(key(t, q2));
      });
    }
  }
  return { adj, seen, states, edges };
}

/** Reference: is there a reachable accepting cycle in the explicitly built product? */
function referenceHasAcceptingCycle(initial: number[], succ: number[][], spec: ProductSpec): boolean {
  const Q = spec.buchiStates;
  const total = succ.length * Q;
  const { adj, seen } = explicitProduct(initial, succ, spec);
  const comp = stronglyConnectedComponents(total, (v, visit) => adj[v]!.forEach(visit)).componentOf;
  const size = new Map<number, number>();
  for (let v = 0; v < total; v++) if (seen[v]) size.set(comp[v]!, (size.get(comp[v]!) ?? 0) + 1);
  for (let v = 0; v < total; v++) {
    if (seen[v] && spec.accepting[v % Q] && (size.get(comp[v]!)! > 1 || adj[v]!.includes(v))) return true;
  }
  return false;
}

describe('findAcceptingCycle against an explicit product', () => {
  it('agrees on 600 random systems and formulas, and every counterexample is genuine', () => {
    const rng = new Rng(4242);
    let violations = 0;
    for (let i = 0; i < 600; i++) {
      const n = 1 + rng.int(12);
      const succ = Array.from({ length: n }, () => {
        const k = rng.chance(0.15) ? 0 : 1 + rng.int(3);
        return Array.from({ length: k }, () => rng.int(n));
      });
      const initial = Array.from({ length: 1 + rng.int(2) }, () => rng.int(n));
      const valuation = Array.from({ length: n }, () => [rng.chance(), rng.chance()]);
      const atoms = namedAtoms(2);
      const holds = (atom: Expr, s: Int32Array): boolean => valuation[s[0]!]![formatExpr(atom) === 'p' ? 0 : 1]!;
      const f = randomLtl(rng, 1 + rng.int(4), atoms);
      const sys = graphSystem(initial, succ);
      const b = ltlToBuchi(f, { negate: true });
      const spec = buchiProductSpec(b, (a, s) => holds(b.atoms[a]!, s));
      const result = findAcceptingCycle(sys, spec);
      const context = `${formatLtl(f)} on ${JSON.stringify({ initial, succ, valuation })}`;
      expect(result.verdict, context).toBe(referenceHasAcceptingCycle(initial, succ, spec) ? 'violation' : 'pass');
      if (result.verdict === 'pass') {
        const product = explicitProduct(initial, succ, spec);
        expect([result.states, result.transitions], context).toEqual([product.states, product.edges]);
      }
      if (result.verdict === 'violation') {
        violations++;
        expectGenuineCounterexample(sys, f, result, holds);
      }
    }
    // Both outcomes must be well represented for the comparison to mean something. Whether an
    // instance is violated is a fact about the seeded instance, not about the search, so the
    // count is exact (it changes only with the generators or the seed).
    expect(violations).toBe(335);
  });

  it('agrees on 2000 random graphs with random accepting states (exercises the red search)', () => {
    const rng = new Rng(99);
    let violations = 0;
    for (let i = 0; i < 2000; i++) {
      const n = 2 + rng.int(12);
      const succ = Array.from({ length: n }, () => Array.from({ length: rng.int(3) + (rng.chance(0.9) ? 1 : 0) }, () => rng.int(n)));
      const accepting = Array.from({ length: n }, () => rng.chance(0.15));
      // Automaton state 1 marks "just read an accepting graph state".
      const spec: ProductSpec = { buchiStates: 2, initial: [0], accepting: [false, true], step: (_q, s, emit) => emit(accepting[s[0]!] ? 1 : 0) };
      const sys = graphSystem([0], succ);
      const result = findAcceptingCycle(sys, spec);
      const context = JSON.stringify({ succ, accepting });
      expect(result.verdict, context).toBe(referenceHasAcceptingCycle([0], succ, spec) ? 'violation' : 'pass');
      if (result.verdict === 'pass') {
        const product = explicitProduct([0], succ, spec);
        expect([result.states, result.transitions], context).toEqual([product.states, product.edges]);
      }
      if (result.verdict !== 'violation') continue;
      violations++;
      const steps = replay(sys, [...result.stem, ...result.cycle]);
      const loop = result.cycle.length === 0 ? [steps[steps.length - 1]!] : steps.slice(result.loopStart + 1);
      expect(steps[result.loopStart]!.state[0], context).toBe(steps[steps.length - 1]!.state[0]);
      expect(loop.some((st) => accepting[st.state[0]!]), context).toBe(true);
    }
    expect(violations).toBe(975); // of 2000: both outcomes well represented (exact, as above)
  });
});
