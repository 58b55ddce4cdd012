import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProductSpec } from '../../checker/graph/product-steps.js';
import { stronglyConnectedComponents } from '../../checker/graph/scc.js';
import { replay } from '../../checker/replay.js';
import { findFairAcceptingCycle, type FairCycleResult, type FairnessSpec } from '../../checker/temporal/fair-cycles.js';
import type { TransitionSystem } from '../../checker/transition-system.js';
import type { Expr } from '../../properties/expr/ast.js';
import { formatExpr } from '../../properties/expr/parse.js';
import { AtomTable, formatLtl, type Ltl } from '../../properties/ltl/ast.js';
import { buchiProductSpec, ltlToBuchi } from '../../properties/ltl/buchi.js';
import { evalOnLasso } from '../../properties/ltl/lasso.js';
import { parseLtl } from '../../properties/ltl/parse.js';
import { namedAtoms, randomLtl, Rng } from '../../properties/ltl/random.js';

/**
 * Test systems: states 0..n-1 (one word), edges with labels. A label encodes who takes the edge
 * and whether it is an "event": actor = label % 3 - 1 (-1 is the environment), event = label >= 3.
 */
interface Graph {
  readonly initial: number;
  readonly succ: readonly (readonly { readonly to: number; readonly label: number }[])[];
  /** Actors (bits 0 and 1) enabled in each state. */
  readonly enabled: readonly number[];
}
const ACTORS = 2;
const actorOf = (label: number): number => (label % 3) - 1;
const isEvent = (label: number): boolean => label >= 3;

function graphSystem(g: Graph): TransitionSystem {
  return {
    stateWords: 1,
    initialStates(out, emit) {
      out[0] = g.initial;
      emit();
    },
    successors(state, out, emit) {
      for (const e of g.succ[state[0]!]!) {
        out[0] = e.to;
        if (emit(e.label) === true) return;
      }
    },
    inspect: () => 0,
    terminal: () => 0,
    codeName: (c) => `code ${c}`,
  };
}

function fairnessOf(g: Graph, kind: FairnessSpec['kind'], finiteEvents: boolean): FairnessSpec {
  return { kind, actors: ACTORS, actorOf, enabled: (s) => g.enabled[s[0]!]!, excluded: (label) => finiteEvents && isEvent(label) };
}

/** p is bit 0 of the state's valuation, q bit 1. */
function specOf(f: Ltl, valuation: readonly number[]): ProductSpec {
  const b = ltlToBuchi(f, { negate: true });
  return buchiProductSpec(b, (a, s) => holds(b.atoms[a]!, s, valuation));
}
const holds = (atom: Expr, s: Int32Array, valuation: readonly number[]): boolean => ((valuation[s[0]!]! >> (formatExpr(atom) === 'p' ? 0 : 1)) & 1) === 1;

/**
 * Reference over the explicitly built product: its reachable nodes (s, q) (a terminal state
 * stutters with label -1), then a fair accepting component of the graph without excluded edges,
 * found as the old explicit search did (strong fairness by Emerson-Lei refinement).
 */
function reference(g: Graph, spec: ProductSpec, fair: FairnessSpec): { violated: boolean; states: number; edges: number } {
  const Q = spec.buchiStates;
  const total = g.succ.length * Q;
  const adj: { to: number; label: number }[][] = Array.from({ length: total }, () => []);
  const seen = new Array<boolean>(total).fill(false);
  const stack: number[] = [];
  const one = new Int32Array(1);
  const visit = (v: number): void => {
    if (!seen[v]) {
      seen[v] = true;
      stack.push(v);
    }
  };
  one[0] = g.initial;
  for (const q0 of spec.initial) spec.step(q0, one, (q) => visit(g.initial * Q + q));
  while (stack.length > 0) {
    const v = stack.pop()!;
    const s = Math.floor(v / Q);
    const edges = g.succ[s]!.length > 0 ? g.succ[s]! : [{ to: s, label: -1 }];
    for (const e of edges) {
      one[0] = e.to;
      spec.step(v % Q, one, (q2) => {
        adj[v]!.push({ to: e.to * Q + q2, label: e.label });
        visit(e.to * Q + q2);
      });
    }
  }
  const cycleEdge = (label: number): boolean => label === -1 || !fair.excluded(label);
  const nodes = [...Array(total).keys()].filter((v) => seen[v]);
  const enabledOf = (v: number): number => g.enabled[Math.floor(v / Q)]!;
  const mask = (1 << ACTORS) - 1;
  const work: number[][] = [nodes];
  let violated = false;
  while (work.length > 0 && !violated) {
    const set = new Set(work.pop());
    const { components } = stronglyConnectedComponents(total, (v, see) => adj[v]!.forEach((e) => cycleEdge(e.label) && set.has(e.to) && see(e.to)), set);
    for (const members of components) {
      const inside = new Set(members);
      let internal = false;
      let steps = 0;
      let always = mask;
      let sometimes = 0;
      for (const v of members) {
        always &= enabledOf(v);
        sometimes |= enabledOf(v);
        for (const e of adj[v]!)
          if (cycleEdge(e.label) && inside.has(e.to)) {
            internal = true;
            if (e.label !== -1 && actorOf(e.label) >= 0) steps |= 1 << actorOf(e.label);
          }
      }
      if (!internal || !members.some((v) => spec.accepting[v % Q])) continue;
      if (fair.kind === 'weak' && (always & ~steps) !== 0) continue;
      if (fair.kind === 'strong' && (sometimes & ~steps) !== 0) {
        const keep = members.filter((v) => (enabledOf(v) & sometimes & ~steps) === 0);
        if (keep.length > 0) work.push(keep);
        continue;
      }
      violated = true;
    }
  }
  return { violated, states: nodes.length, edges: nodes.reduce((n, v) => n + adj[v]!.length, 0) };
}

/** The lasso replays, closes, is fair, avoids excluded edges on its cycle, and violates `f`. */
function expectFairCounterexample(g: Graph, f: Ltl, valuation: readonly number[], fair: FairnessSpec, r: Extract<FairCycleResult, { verdict: 'violation' }>): void {
  const steps = replay(graphSystem(g), [...r.stem, ...r.cycle]);
  const states = steps.map((st) => st.state[0]!);
  expect(r.loopStart).toBe(r.stem.length - 1);
  expect(states[r.loopStart]).toBe(states.at(-1));
  const last = states.at(-1)!;
  if (r.cycle.length === 0) expect(g.succ[last]).toEqual([]);
  const loopStates = r.cycle.length === 0 ? [last] : states.slice(r.loopStart, -1);
  const loopLabels = r.cycle.length === 0 ? [-1] : steps.slice(r.loopStart + 1).map((st) => st.label!);
  expect(loopLabels.some((l) => l !== -1 && fair.excluded(l))).toBe(false);
  const stepped = loopLabels.reduce((m, l) => (l !== -1 && actorOf(l) >= 0 ? m | (1 << actorOf(l)) : m), 0);
  const always = loopStates.reduce((m, s) => m & g.enabled[s]!, (1 << ACTORS) - 1);
  const sometimes = loopStates.reduce((m, s) => m | g.enabled[s]!, 0);
  if (fair.kind === 'weak') expect(always & ~stepped).toBe(0);
  if (fair.kind === 'strong') expect(sometimes & ~stepped).toBe(0);
  const table = new AtomTable();
  for (const a of namedAtoms(2)) table.intern(a);
  const letter = (s: number): boolean[] => table.exprs.map((e) => holds(e, Int32Array.of(s), valuation));
  const word = { prefix: states.slice(0, r.loopStart).map(letter), loop: loopStates.map(letter) };
  expect(evalOnLasso(f, word, (e) => table.indexOf(e))).toBe(false);
}

async function check(g: Graph, formula: string, valuation: number[], kind: FairnessSpec['kind'], finiteEvents = false): Promise<FairCycleResult> {
  const f = parseLtl(formula);
  const fair = fairnessOf(g, kind, finiteEvents);
  const r = await findFairAcceptingCycle(graphSystem(g), specOf(f, valuation), fair);
  if (r.verdict === 'violation') expectFairCounterexample(g, f, valuation, fair, r);
  return r;
}

// Labels of the hand-worked graphs.
const A0 = 1;
const A1 = 2;
const ENV = 0;
const EVENT = 3;

describe('findFairAcceptingCycle on hand-worked graphs', () => {
  // 0 loops by actor 0; actor 1 may leave to 1 (where p holds) and stay there. Both actors are
  // enabled in 0; G F p fails only by looping in 0, which starves actor 1.
  const starve: Graph = { initial: 0, succ: [[{ to: 0, label: A0 }, { to: 1, label: A1 }], [{ to: 1, label: A1 }]], enabled: [0b11, 0b10] };
  const p = [0, 1];
  it('the unfair self-loop is a counterexample without fairness only', async () => {
    expect(await check(starve, 'G F p', p, 'none')).toMatchObject({ verdict: 'violation', stem: [0], cycle: [0], loopStart: 0 });
    // A pass stores every reachable product state: 3, as the explicit product counts them.
    const spec = specOf(parseLtl('G F p'), p);
    expect(reference(starve, spec, fairnessOf(starve, 'weak', false)).states).toBe(3);
    expect(await check(starve, 'G F p', p, 'weak')).toMatchObject({ verdict: 'pass', states: 3 });
    expect(await check(starve, 'G F p', p, 'strong')).toMatchObject({ verdict: 'pass', states: 3 });
  });
  it('an actor disabled in the looping state does not make the loop unfair', async () => {
    const blocked: Graph = { ...starve, enabled: [0b01, 0b10] };
    expect(await check(blocked, 'G F p', p, 'weak')).toMatchObject({ verdict: 'violation', stem: [0], cycle: [0], loopStart: 0 });
  });

  // Weak versus strong: the environment moves 0 <-> 2; actor 1 is enabled in 0 but not in 2 and
  // would move to 1 (p). The cycle 0 -> 2 -> 0 is weakly fair (actor 1 is disabled in 2) but not
  // strongly fair (actor 1 is enabled infinitely often and never steps). Actor 0 is never enabled.
  const flicker: Graph = { initial: 0, succ: [[{ to: 2, label: ENV }, { to: 1, label: A1 }], [{ to: 1, label: A1 }], [{ to: 0, label: ENV }]], enabled: [0b10, 0b10, 0b00] };
  const p3 = [0, 1, 0];
  it('a thread runnable infinitely often but not continuously: weak fairness fails, strong holds', async () => {
    // The lasso must pass through state 2, where actor 1 is blocked: 0 -> 2 -> 0.
    expect(await check(flicker, 'G F p', p3, 'weak')).toMatchObject({ verdict: 'violation', stem: [0], cycle: [0, 0], loopStart: 0 });
    expect(await check(flicker, 'G F p', p3, 'strong')).toMatchObject({ verdict: 'pass' });
  });
  // Strong fairness refines a component: from 0 the environment visits 2 (where only actor 1 is
  // enabled, and may leave to p) and comes back; actor 0 loops 0 -> 1 -> 0. The whole component
  // {0, 1, 2} starves actor 1, but without state 2 the loop 0 -> 1 -> 0 is strongly fair.
  // The search meets 2 first, so only the refinement of the completed component finds the loop.
  const refine: Graph = {
    initial: 0,
    succ: [[{ to: 2, label: ENV }, { to: 1, label: A0 }], [{ to: 0, label: A0 }], [{ to: 0, label: ENV }, { to: 3, label: A1 }], [{ to: 3, label: A1 }]],
    enabled: [0b01, 0b01, 0b10, 0b10],
  };
  it('strong fairness: an unfair component is refined into a fair loop inside it', async () => {
    const r = await check(refine, 'G F p', [0, 0, 0, 1], 'strong');
    // The lasso enters the loop at 1 (0 -> 1), then 1 -> 0 -> 1.
    expect(r).toMatchObject({ verdict: 'violation', stem: [0, 1], cycle: [0, 1], loopStart: 1 });
    expect((await check(refine, 'G F p', [0, 0, 0, 1], 'weak')).verdict).toBe('violation');
  });
  it('with finitely many events a cycle of events is no counterexample, though a stem may use events', async () => {
    const events: Graph = { ...flicker, succ: [[{ to: 2, label: ENV + EVENT }, { to: 1, label: A1 }], [{ to: 1, label: A1 }], [{ to: 0, label: ENV + EVENT }]] };
    expect(await check(events, 'G F p', p3, 'weak', true)).toMatchObject({ verdict: 'pass' });
    expect(await check(events, 'G F p', p3, 'none', true)).toMatchObject({ verdict: 'pass' });
    expect(await check(events, 'G F p', p3, 'none', false)).toMatchObject({ verdict: 'violation' });
    // An event leads from 0 to 3, where actor 0 loops without p: the stem takes the event.
    const stem: Graph = { initial: 0, succ: [[{ to: 3, label: A0 + EVENT }], [], [], [{ to: 3, label: A0 }]], enabled: [0b01, 0, 0, 0b01] };
    expect(await check(stem, 'G F p', [0, 0, 0, 0], 'weak', true)).toMatchObject({ verdict: 'violation', stem: [0, 0], cycle: [0], loopStart: 1 });
  });
  it('a terminal state stutters: fair unless a thread is still enabled there (weak fairness)', async () => {
    const end: Graph = { initial: 0, succ: [[{ to: 1, label: A0 }], []], enabled: [0b01, 0b00] };
    expect(await check(end, 'G F p', [1, 0], 'weak')).toMatchObject({ verdict: 'violation', stem: [0, 0], cycle: [], loopStart: 1 });
    expect(await check({ ...end, enabled: [0b01, 0b01] }, 'G F p', [1, 0], 'weak')).toMatchObject({ verdict: 'pass' });
  });
  it('honours maxStates: incomplete, with what it covered', async () => {
    const chain: Graph = { initial: 0, succ: [[{ to: 1, label: A0 }], [{ to: 2, label: A0 }], [{ to: 3, label: A0 }], [{ to: 0, label: A0 }]], enabled: [1, 1, 1, 1] };
    const spec = specOf(parseLtl('G F p'), [1, 1, 1, 1]);
    const r = await findFairAcceptingCycle(graphSystem(chain), spec, fairnessOf(chain, 'weak', false), { maxStates: 2 });
    expect(r).toMatchObject({ verdict: 'incomplete', stoppedBy: { kind: 'states', bound: 2 }, states: 3 });
  });
  it('stops at once when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    // A long chain ending in a p-loop: the search stops after its first expansion.
    const n = 40_000;
    const long: Graph = { initial: 0, succ: Array.from({ length: n }, (_, i) => [{ to: Math.min(i + 1, n - 1), label: A0 }]), enabled: new Array<number>(n).fill(1) };
    const spec = specOf(parseLtl('G F p'), new Array<number>(n).fill(1));
    const r = await findFairAcceptingCycle(graphSystem(long), spec, fairnessOf(long, 'weak', false), { signal: controller.signal });
    expect(r).toMatchObject({ verdict: 'incomplete', stoppedBy: { kind: 'interrupted' }, states: 2 });
  });
});

describe('findFairAcceptingCycle against the explicit product', () => {
  const graph = fc.integer({ min: 1, max: 7 }).chain((n) =>
    fc.record({
      initial: fc.integer({ min: 0, max: n - 1 }),
      succ: fc.array(fc.array(fc.record({ to: fc.integer({ min: 0, max: n - 1 }), label: fc.integer({ min: 0, max: 5 }) }), { maxLength: 3 }), { minLength: n, maxLength: n }),
      enabled: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
      valuation: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
      formulaSeed: fc.integer(),
    }),
  );
  it('agrees on random systems and formulas for every fairness, with and without finitely many events; every lasso is fair and genuine', async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(graph, async ({ valuation, formulaSeed, ...g }) => {
        const f = randomLtl(new Rng(formulaSeed), 3, namedAtoms(2));
        const spec = specOf(f, valuation);
        for (const kind of ['none', 'weak', 'strong'] as const)
          for (const finiteEvents of [false, true]) {
            const fair = fairnessOf(g, kind, finiteEvents);
            const r = await findFairAcceptingCycle(graphSystem(g), spec, fair);
            const want = reference(g, spec, fair);
            const context = `${formatLtl(f)} ${kind} ${finiteEvents} on ${JSON.stringify({ g, valuation })}`;
            expect(r.verdict, context).toBe(want.violated ? 'violation' : 'pass');
            outcomes.set(r.verdict, (outcomes.get(r.verdict) ?? 0) + 1);
            if (r.verdict === 'violation') expectFairCounterexample(g, f, valuation, fair, r);
            // A pass stores every reachable product state and generates each of its edges once.
            else expect([r.states, r.transitions], context).toEqual([want.states, want.edges]);
          }
      }),
      { numRuns: 400, seed: 15 },
    );
    // Both outcomes must be well represented for the agreement to mean something.
    expect(outcomes.get('pass')).toBeGreaterThan(400);
    expect(outcomes.get('violation')).toBeGreaterThan(400);
  });
});
