/**
 * Hand-worked cases for findFairAcceptingCycle written against the mutants StrykerJS left alive
 * (issue #15): the actor bound, the counts it reports (bytes per state, progress), the limits
 * (states with a fan-out, time, memory, a live signal), the stems from several initial states and
 * the questions it asks of a fairness spec. Graphs are given as adjacency lists (state = word 0).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProductSpec } from '../../checker/graph/product-steps.js';
import type { Progress } from '../../checker/options.js';
import { findFairAcceptingCycle, type FairnessSpec } from '../../checker/temporal/fair-cycles.js';
import type { TransitionSystem } from '../../checker/transition-system.js';
import { drawnGraph } from './toy-systems.js';

const judged = { inspect: () => 0, codeName: (c: number) => `code ${c}` };

/** Initial states `initial` (repeats allowed), edges `succ[s]` = targets, edge i of s labelled i. */
function system(initial: readonly number[], succ: readonly (readonly number[])[]): TransitionSystem {
  return drawnGraph((s) => succ[s]!.map((to, i) => [to, i] as const), judged, initial);
}

/** Initial state 0; `succ[s]` = [target, label] pairs, edge i of s being choice i. */
function labelled(succ: readonly (readonly (readonly [number, number])[])[]): TransitionSystem {
  return drawnGraph((s) => succ[s]!, judged);
}

/**
 * Labels of `labelled` systems: 0 is the environment, 1 + a actor a; EVENT + any of them is an
 * event, excluded under "finitely many events".
 */
const ENV = 0;
const A0 = 1;
const A1 = 2;
const EVENT = 10;
function fairness(kind: FairnessSpec['kind'], actors: number, enabled: readonly number[], finiteEvents = false): FairnessSpec {
  return { kind, actors, actorOf: (label) => (label % EVENT) - 1, enabled: (s) => enabled[s[0]!]!, excluded: (label) => finiteEvents && label >= EVENT };
}

/**
 * The automaton with states 0 and 1 that moves to 1 exactly on system states >= `from`; 1 is
 * accepting. A product state is then (s, s >= from ? 1 : 0), so it has as many states as the
 * system, and a cycle among states >= `from` is accepting.
 */
function acceptFrom(from: number): ProductSpec {
  return { buchiStates: 2, initial: [0], accepting: [false, true], step: (_q, s, emit) => emit(s[0]! >= from ? 1 : 0) };
}

/**
 * The automaton alternating q0 and q1 (`accepting` each), from q2, which moves to q0 reading the
 * initial state: the initial product state is (s, q0).
 */
function alternate(accepting: readonly [boolean, boolean]): ProductSpec {
  return { buchiStates: 3, initial: [2], accepting: [...accepting, false], step: (q, _s, emit) => emit(q === 0 ? 1 : 0) };
}

/** The one-state automaton: accepting everywhere (`accepting`) or nowhere. */
const everywhere = (accepting: boolean): ProductSpec => ({ buchiStates: 1, initial: [0], accepting: [accepting], step: (_q, _s, emit) => emit(0) });

const none: FairnessSpec = { kind: 'none', actors: 1, actorOf: () => 0, enabled: () => 0, excluded: () => false };

/**
 * Bytes held with 2 words per product state (one system word + the automaton state) and fewer
 * than 512 states: one arena chunk of 2^14 rows (2^14 * 2 * 4 = 131 072), the first table of 2^12
 * slots (16 384) and the two per-state fields of 1024 int32 each (8 192).
 */
const SMALL_BYTES = 131_072 + 16_384 + 8_192;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('findFairAcceptingCycle: its bounds and counts', () => {
  it('supports at most 30 actors, and 30 exactly', async () => {
    await expect(findFairAcceptingCycle(system([0], [[]]), everywhere(false), { ...none, actors: 31 })).rejects.toThrow('fairness over 31 actors: at most 30 are supported');
    expect(await findFairAcceptingCycle(system([0], [[]]), everywhere(false), { ...none, actors: 30 })).toMatchObject({ verdict: 'pass', states: 1 });
  });

  // Initial states 0, 1, 1: state 0 ends (a stutter that is not accepting); 1 has two edges to 2,
  // which loops on itself (accepting). The search enters the last initial state first (a stack):
  // 1, then 2, whose self-loop closes the cycle. The stem is initial choice 1 (the first initial
  // state that is 1), then the first of the two edges 1 -> 2 (choice 0).
  const twoWays = system([0, 1, 1], [[], [2, 2], [2]]);
  it('a stem starts at the first matching initial state and takes the first edge to each state', async () => {
    const r = await findFairAcceptingCycle(twoWays, acceptFrom(2), none);
    // States (0,0), (1,0), (2,1); transitions 1 -> 2 twice, 2 -> 2 once.
    expect(r).toEqual({ verdict: 'violation', stem: [1, 0], cycle: [0], loopStart: 1, states: 3, transitions: 3, bytesPerState: Math.round(SMALL_BYTES / 3) });
    expect(Math.round(SMALL_BYTES / 3)).toBe(51_883);
  });

  it('reports progress once at the first expansion: the frontier holds each initial state once', async () => {
    const seen: Progress[] = [];
    await findFairAcceptingCycle(twoWays, acceptFrom(2), none, { onProgress: (p) => seen.push(p) });
    expect(seen).toHaveLength(1);
    const [p] = seen as [Progress];
    // After entering (1,0): (0,0), (1,0) and (2,1) stored, the two edges generated, (0,0) pending.
    expect([p.states, p.transitions, p.frontier, p.depth, p.memoryBytes]).toEqual([3, 2, 1, 1, SMALL_BYTES]);
    expect(p.seconds).toBeGreaterThan(0);
    expect(p.statesPerSecond).toBeCloseTo(3 / p.seconds, 6);
  });

  it('an event leading back to a stored state adds nothing to the frontier', async () => {
    // With finitely many events the target of an event is one more root, unless it was stored
    // before: here 0's event loops back to 0 and 0's step by actor 0 leads to the new state 1.
    const seen: number[] = [];
    const g = labelled([[[0, A0 + EVENT], [1, A0]], [[1, A0]]]);
    await findFairAcceptingCycle(g, everywhere(false), fairness('none', 1, [0, 0], true), { onProgress: (p) => seen.push(p.frontier) });
    expect(seen).toEqual([0]);
  });

  it('checks its limits again after every 2^14 expansions, not one later', async () => {
    // The chain 0 -> 1 -> ... -> 16384 (a terminal state at the end), accepting nowhere: a pass
    // entering every state once. Checks: after entering 0 (the first expansion), and after the
    // 2^14 = 16384 further expansions, the last being that of state 16384.
    const n = 16_385;
    const chain = system([0], Array.from({ length: n }, (_, i) => (i + 1 < n ? [i + 1] : [])));
    const seen: number[][] = [];
    const r = await findFairAcceptingCycle(chain, everywhere(false), none, { onProgress: (p) => seen.push([p.states, p.transitions, p.depth]) });
    expect(r).toMatchObject({ verdict: 'pass', states: n, transitions: n });
    expect(seen).toEqual([
      [2, 1, 1],
      [n, n, n],
    ]);
  });

  it('without any initial state it passes with nothing stored and 0 bytes per state', async () => {
    expect(await findFairAcceptingCycle(system([], []), everywhere(true), none)).toEqual({ verdict: 'pass', states: 0, transitions: 0, bytesPerState: 0 });
  });

  it('maxStates stops a fan-out at the first state too many, not after the whole expansion', async () => {
    const fan = system([0], [[1, 2, 3], [], [], []]);
    expect(await findFairAcceptingCycle(fan, everywhere(false), none, { maxStates: 1 })).toMatchObject({ verdict: 'incomplete', stoppedBy: { kind: 'states', bound: 1 }, states: 2, transitions: 1 });
  });

  it('maxSeconds: 0 stops at the first check; a bound of half a second lets a tiny search finish', async () => {
    const fan = system([0], [[1, 2, 3], [], [], []]);
    expect(await findFairAcceptingCycle(fan, everywhere(false), none, { maxSeconds: 0 })).toMatchObject({ verdict: 'incomplete', stoppedBy: { kind: 'time', bound: 0 }, states: 4 });
    expect(await findFairAcceptingCycle(fan, everywhere(false), none, { maxSeconds: 0.5 })).toMatchObject({ verdict: 'pass', states: 4 });
  });

  it('maxMemoryMB: stops when the resident size plus the growth two intervals ahead passes the bound', async () => {
    // At the first check 4 states are stored; two intervals ahead is 2 * 1024 more states:
    // 2048 rows of 2 words (16 384 bytes), the table doubling from 2^12 slots (2 * 16 384) and
    // 8 bytes of per-state fields each (16 384): 65 536 bytes.
    const fan = system([0], [[1, 2, 3], [], [], []]);
    const bound = 1024 * 1024;
    const rss = vi.spyOn(process.memoryUsage, 'rss');
    rss.mockReturnValue(bound - 65_536);
    expect(await findFairAcceptingCycle(fan, everywhere(false), none, { maxMemoryMB: 1 })).toMatchObject({ verdict: 'pass', states: 4 });
    rss.mockReturnValue(bound - 65_535);
    expect(await findFairAcceptingCycle(fan, everywhere(false), none, { maxMemoryMB: 1 })).toMatchObject({ verdict: 'incomplete', stoppedBy: { kind: 'memory', bound: 1 }, states: 4 });
  });

  it('a signal that is never aborted does not stop the search', async () => {
    const r = await findFairAcceptingCycle(twoWays, acceptFrom(2), none, { signal: new AbortController().signal });
    expect(r).toMatchObject({ verdict: 'violation', stem: [1, 0], cycle: [0] });
  });
});

describe('findFairAcceptingCycle: what it asks of the fairness spec', () => {
  // 0 -> 1 by actor 0, then 1 ends (it stutters). A stutter is no label of the system: the spec
  // is never asked who takes it or whether it is excluded. Without fairness no state is asked
  // which actors it enables.
  const end = system([0], [[1], []]);
  const noStutterQuestions = (kind: FairnessSpec['kind']): FairnessSpec => ({
    kind,
    actors: 1,
    actorOf: (label) => {
      if (label < 0) throw new Error(`asked who takes label ${label}`);
      return 0;
    },
    excluded: (label) => {
      if (label < 0) throw new Error(`asked whether label ${label} is excluded`);
      return false;
    },
    enabled: (s) => {
      if (kind === 'none') throw new Error('asked what is enabled without fairness');
      return s[0] === 0 ? 1 : 0;
    },
  });
  for (const kind of ['none', 'weak', 'strong'] as const)
    it(`under ${kind} fairness the terminal state's stutter is the cycle`, async () => {
      const r = await findFairAcceptingCycle(end, everywhere(true), noStutterQuestions(kind));
      expect(r).toMatchObject({ verdict: 'violation', stem: [0, 0], cycle: [], loopStart: 1, states: 2, transitions: 2 });
    });
});

describe('findFairAcceptingCycle: the lasso it builds', () => {
  it('a cycle through an accepting edge does not take a non-accepting self-loop for it', async () => {
    // 0 (not accepting) loops on itself and goes to 1 (accepting), which returns to 0. The search
    // closes 0 -> 1 -> 0 first through the accepting edge 1 -> 0: the cycle is choices 1, 0;
    // the self-loop of 0 (choice 0) carries no accepting mark and is no cycle on its own.
    expect(await findFairAcceptingCycle(system([0], [[0, 1], [0]]), acceptFrom(1), none)).toMatchObject({ verdict: 'violation', stem: [0], cycle: [1, 0], loopStart: 0 });
  });

  it('of two parallel edges the breadth-first search keeps the first', async () => {
    // One system state with two self-loops (choices 0 and 1); the automaton alternates q0, q1,
    // q1 accepting. Product: (0,q0) -> (0,q1) twice (marks 0), (0,q1) -> (0,q0) twice (mark 1).
    // The lasso from (0,q0) goes to (0,q1) by the first edge, back by the first edge: [0, 0].
    expect(await findFairAcceptingCycle(system([0], [[0, 0]]), alternate([false, true]), none)).toMatchObject({ verdict: 'violation', stem: [0], cycle: [0, 0], loopStart: 0, states: 2, transitions: 4 });
  });

  it('a cycle of stutters (an automaton cycling over a terminal state) is the empty cycle', async () => {
    // State 0 ends; the automaton alternates q0 (accepting), q1. The lasso from (0,q0) takes the
    // accepting stutter to (0,q1), then comes back by another stutter: no system step at all.
    expect(await findFairAcceptingCycle(system([0], [[]]), alternate([true, false]), none)).toMatchObject({ verdict: 'violation', stem: [0], cycle: [], loopStart: 0, states: 2, transitions: 2 });
  });

  it('an excluded edge (an event) is never part of the cycle, though it is the shortest way', async () => {
    // 0 -> 0 by an event (choice 0), 0 -> 1 -> 0 by actor 0 (choices 1, 0); accepting everywhere.
    const g = labelled([[[0, A0 + EVENT], [1, A0]], [[0, A0]]]);
    expect(await findFairAcceptingCycle(g, everywhere(true), fairness('none', 1, [0, 0], true))).toMatchObject({ verdict: 'violation', stem: [0], cycle: [1, 0], loopStart: 0 });
  });

  // The automaton from q0 goes to q1 (not accepting) or to q2 (accepting), both back to q0, over
  // one system state with a self-loop; it starts in q3, which moves to q0 reading the initial
  // state. Product: (0,q0) -> (0,q1), (0,q0) -> (0,q2), both back to (0,q0).
  const fork: ProductSpec = { buchiStates: 4, initial: [3], accepting: [false, false, true, false], step: (q, _s, emit) => (q === 0 ? (emit(1), emit(2)) : emit(0)) };
  it('weak fairness: the cycle collects every mark, the marks of disabled actors included', async () => {
    // The environment takes the self-loop; no actor is enabled, so every edge carries the marks of
    // both actors (bits 1, 2) and the edge from q2 the accepting one too. The search closes
    // q0 -> q1 -> q0 (marks 6, unfair), then q0 -> q2 -> q0 (marks 7): fair, lasso at (0,q0).
    // The lasso takes the first edge holding a missing mark (to q1: 6), then the shortest way to
    // the accepting edge: q1 -> q0 -> q2 -> q0. Four steps of the system's self-loop.
    const r = await findFairAcceptingCycle(labelled([[[0, ENV]]]), fork, fairness('weak', 2, [0]));
    expect(r).toMatchObject({ verdict: 'violation', stem: [0], cycle: [0, 0, 0, 0], loopStart: 0 });
  });
  it('strong fairness: the cycle needs the accepting mark and the steps of enabled actors only', async () => {
    // Actor 0 takes the self-loop though the spec calls it enabled nowhere (nothing requires
    // the spec to). Marks: bit 1 for its step on every edge, bit 0 on the edge from q2. The lasso
    // needs bit 0 only: q0 -> q2 -> q0, two steps (the mark of actor 0 is no need).
    const r = await findFairAcceptingCycle(labelled([[[0, A0]]]), fork, fairness('strong', 2, [0]));
    expect(r).toMatchObject({ verdict: 'violation', stem: [0], cycle: [0, 0], loopStart: 0 });
  });
});

describe('findFairAcceptingCycle: the refinement of a strongly fair component', () => {
  it('starts the lasso at an accepting state of the refined component', async () => {
    // 0 (accepting, enables actor 0) -> 2 by the environment first, -> 1 by actor 0; 1 -> 0 by
    // actor 0; 2 (enables actor 1 only) -> 0. The component {0, 1, 2} starves actor 1; without
    // state 2 the loop 0 -> 1 -> 0 is fair. The refined component lists 1 before 0; the lasso
    // starts at 0, the accepting one: stem [0], cycle 0 -> 1 (choice 1), 1 -> 0 (choice 0).
    const g = labelled([[[2, ENV], [1, A0]], [[0, A0]], [[0, ENV]]]);
    const acceptAt0: ProductSpec = { buchiStates: 2, initial: [0], accepting: [false, true], step: (_q, s, emit) => emit(s[0] === 0 ? 1 : 0) };
    expect(await findFairAcceptingCycle(g, acceptAt0, fairness('strong', 2, [0b01, 0b01, 0b10]))).toMatchObject({ verdict: 'violation', stem: [0], cycle: [1, 0], loopStart: 0 });
  });

  it('a component left without an accepting state after the refinement is no counterexample', async () => {
    // 0 (accepting, enables actor 1) -> 1 (env); 1 -> 2, 2 -> 1 by actor 0; 2 -> 0 (env). 1 and 2
    // enable actor 0. The component {0, 1, 2} starves actor 1: removing 0 leaves the fair loop
    // 1 <-> 2, which is not accepting. Pass.
    const g = labelled([[[1, ENV]], [[2, A0]], [[1, A0], [0, ENV]]]);
    const acceptAt0: ProductSpec = { buchiStates: 2, initial: [0], accepting: [false, true], step: (_q, s, emit) => emit(s[0] === 0 ? 1 : 0) };
    expect(await findFairAcceptingCycle(g, acceptAt0, fairness('strong', 2, [0b10, 0b01, 0b01]))).toMatchObject({ verdict: 'pass', states: 3, transitions: 4 });
  });

  it('an excluded edge does not make a refined component fair', async () => {
    // 0 (accepting, enables actors 0 and 1) <-> 1 by actor 0; actor 1 only steps 0 -> 1 by an
    // event. With finitely many events {0, 1} starves actor 1; removing 0 leaves 1 alone. Pass.
    const g = labelled([[[1, A0], [1, A1 + EVENT]], [[0, A0]]]);
    const acceptAt0: ProductSpec = { buchiStates: 2, initial: [0], accepting: [false, true], step: (_q, s, emit) => emit(s[0] === 0 ? 1 : 0) };
    expect(await findFairAcceptingCycle(g, acceptAt0, fairness('strong', 2, [0b11, 0b01], true))).toMatchObject({ verdict: 'pass', states: 2, transitions: 3 });
  });

  it('a refined set that splits in two is split: one part may not lend its steps to the other', async () => {
    // Accepting everywhere. 0 -> 1 (env), 0 -> 2 (actor 1), 0 -> 1 (actor 1); 1 -> 2 (actor 1);
    // 2 -> 0 (actor 1), 2 -> 2 (env). Enabled: 0 actors 0 and 1, 1 none, 2 actor 1. Actor 0 never
    // steps: removing 0 leaves {1} (no cycle) and {2}, whose self-loop starves actor 1 (the step
    // 1 -> 2 lies outside {2}); removing 2 leaves nothing. Pass.
    const g = labelled([[[1, ENV], [2, A1], [1, A1]], [[2, A1]], [[0, A1], [2, ENV]]]);
    expect(await findFairAcceptingCycle(g, everywhere(true), fairness('strong', 2, [0b11, 0b00, 0b10]))).toMatchObject({ verdict: 'pass', states: 3, transitions: 6 });
  });
});
