/**
 * Hand-worked cases against the mutants StrykerJS left alive (issue #15) in the product store
 * (checker/graph/product-store.ts) and the one-thread nested DFS (checker/graph/cycles.ts).
 * The store is driven directly; the search on hand-drawn graphs (one word per state, edge i of
 * s labelled i) whose product ids are worked out by hand: ids are given in the order states are
 * first stored, and a state's successors are all stored when it is expanded.
 */
import { describe, expect, it } from 'vitest';
import { findAcceptingCycle, searchAcceptingCycle } from '../../checker/graph/cycles.js';
import { IntStack, ProductStore, StateField } from '../../checker/graph/product-store.js';
import type { ProductSpec } from '../../checker/graph/product-steps.js';
import type { Progress } from '../../checker/options.js';
import type { TransitionSystem } from '../../checker/transition-system.js';
import { chain, drawnGraph } from './toy-systems.js';

/** A key of `words` words whose first word is `first` (the others 0), in an array `length` long. */
function keyOf(first: number, words: number, length = words): Int32Array {
  const key = new Int32Array(length);
  key[0] = first;
  return key;
}

describe('ProductStore: keys, rows and the rehash', () => {
  it('compares only the first `words` words of a key: a longer key with the same words is the same state', () => {
    // The word after a stored row (the next row, 0 while unused) must not be compared with the
    // word after the key's `words`.
    const store = new ProductStore(1);
    expect(store.intern(keyOf(5, 1, 2))).toBe(0);
    expect(store.intern(keyOf(5, 1, 2))).toBe(0);
    expect(store.find(keyOf(5, 1, 2))).toBe(0);
    expect(store.size).toBe(1);
  });

  it('load copies back exactly the row of the id, and automatonState is its last word', () => {
    const store = new ProductStore(3);
    for (let i = 0; i < 5; i++) store.intern(Int32Array.of(10 * i, 10 * i + 1, 10 * i + 2));
    const out = new Int32Array(3);
    for (let i = 0; i < 5; i++) {
      store.load(i, out);
      expect([...out]).toEqual([10 * i, 10 * i + 1, 10 * i + 2]);
      expect(store.automatonState(i)).toBe(10 * i + 2);
    }
  });

  it('the rehash inserts only the stored rows: a key never stored is still not found', () => {
    // After the growth at the 2049th state, the all-zero row after the last one (the next id's,
    // not yet written) must not be in the table.
    const store = new ProductStore(2);
    for (let i = 1; i <= 2049; i++) store.intern(keyOf(i, 2));
    expect(store.find(keyOf(0, 2))).toBe(-1);
    expect(store.intern(keyOf(0, 2))).toBe(2049);
    expect(store.size).toBe(2050);
  });
});

describe('IntStack and StateField growth', () => {
  it('IntStack doubles when full and keeps every value', () => {
    const stack = new IntStack();
    for (let i = 0; i < 1025; i++) stack.push(3 * i);
    expect(stack.length).toBe(1025);
    expect(stack.data.length).toBe(2048);
    for (let i = 0; i < 1025; i++) expect(stack.get(i)).toBe(3 * i);
    stack.set(1024, -1);
    expect(stack.get(1024)).toBe(-1);
  });

  it('StateField grows to the least doubling that holds the ids, keeps its values and fills new entries', () => {
    const field = new StateField(-1);
    expect(field.data.length).toBe(1024);
    expect(field.data[1023]).toBe(-1);
    field.data[7] = 7;
    field.ensure(1024);
    expect(field.data.length).toBe(1024);
    field.ensure(2048);
    expect(field.data.length).toBe(2048);
    field.ensure(2049);
    expect(field.data.length).toBe(4096);
    expect(field.data[7]).toBe(7);
    expect(field.data[4095]).toBe(-1);
  });
});

/** A graph over states 0..: `succ(s)` lists the successors of s, edge i labelled i; from `initial`. */
function graph(succ: (s: number) => readonly number[], initial: readonly number[] = [0]): TransitionSystem {
  return drawnGraph((s) => succ(s).map((to, i) => [to, i] as const), { inspect: () => 0, codeName: () => '' }, initial);
}

/** The graph given as adjacency lists (a state not listed has no successors). */
const lists = (succ: readonly (readonly number[])[], initial?: readonly number[]): TransitionSystem => graph((s) => succ[s] ?? [], initial);

/** A two-state observer: the product state of s is (s, 1) if `accepts(s)`, else (s, 0); 1 accepts. */
function observer(accepts: (s: number) => boolean): ProductSpec {
  return { buchiStates: 2, initial: [0], accepting: [false, true], step: (_q, s, emit) => emit(accepts(s[0]!) ? 1 : 0) };
}

const never = observer(() => false);

describe('nested DFS: the lasso it reports', () => {
  it('a cycle closed by the red search: stem to the state it re-enters, then the blue frames above it, the red frames, the closing edge', () => {
    // 0 -1-> 1 -0-> 2 -1-> 3 -2-> 1, and 9 (a deadlock) beside each; only 2 accepts. The blue
    // search meets 1 again from 3 (neither accepts), backs up to 2 and starts a red search that
    // expands 9, then 3, and closes at 1 (on the blue stack).
    const r = findAcceptingCycle(lists([[9, 1], [2], [9, 3], [9, 9, 1]]), observer((s) => s === 2));
    expect(r).toEqual({ verdict: 'violation', stem: [0, 1], cycle: [0, 1, 2], loopStart: 1, states: 5, transitions: 9 });
  });

  it('the blue search reports a cycle as soon as it closes it, through an accepting state at either end', () => {
    // 0 -> 1 -> [0, 2], 2 a deadlock. The edge 1 -> 0 closes the cycle; the lasso comes before
    // 1's second edge is followed (2 transitions), whether 0 or 1 accepts.
    const g = lists([[1], [0, 2]]);
    const lasso = { verdict: 'violation', stem: [0], cycle: [0, 0], loopStart: 0, states: 3, transitions: 2 };
    expect(findAcceptingCycle(g, observer((s) => s === 0))).toEqual(lasso);
    expect(findAcceptingCycle(g, observer((s) => s === 1))).toEqual(lasso);
  });

  it('an accepting root on a self-loop: stem and cycle are its one edge', () => {
    expect(findAcceptingCycle(lists([[0, 1]]), observer((s) => s === 0))).toEqual({ verdict: 'violation', stem: [0], cycle: [0], loopStart: 0, states: 2, transitions: 1 });
  });

  it('a second initial state, not reached from the first, is searched from its own root', () => {
    // Initial states 0 (a deadlock) and 1, which accepts and loops on itself.
    expect(findAcceptingCycle(lists([[], [1]], [0, 1]), observer((s) => s === 1))).toEqual({ verdict: 'violation', stem: [1], cycle: [0], loopStart: 0, states: 2, transitions: 2 });
  });

  it('1024 initial states (a full first block of the root stack): each searched once', () => {
    const initial = Array.from({ length: 1024 }, (_, i) => i);
    expect(findAcceptingCycle(lists([], initial), never)).toEqual({ verdict: 'pass', states: 1024, transitions: 1024 });
  });

  it('a stutter in the stem (the automaton moves while the system is deadlocked) is left out of the choices', () => {
    // 0 -> 1, a deadlock. The automaton counts the readings of state 1 (up to 2) and accepts at
    // 2: (0,0) -> (1,1) -stutter-> (1,2) -stutter-> (1,2), which closes the cycle.
    const counting: ProductSpec = { buchiStates: 3, initial: [0], accepting: [false, false, true], step: (q, s, emit) => emit(s[0] === 1 ? Math.min(q + 1, 2) : 0) };
    expect(findAcceptingCycle(chain(1), counting)).toEqual({ verdict: 'violation', stem: [0, 0], cycle: [], loopStart: 1, states: 3, transitions: 3 });
  });

  it('an initial state already searched from an earlier one is not searched again', () => {
    // Initial states 0 and 1, 0 -> 1 (a deadlock): two transitions (the edge, the stutter of 1).
    expect(findAcceptingCycle(lists([[1]], [0, 1]), never)).toEqual({ verdict: 'pass', states: 2, transitions: 2 });
  });

  it('more initial states than maxStates: incomplete before any expansion (no progress reported)', async () => {
    const seen: Progress[] = [];
    const r = await searchAcceptingCycle(lists([], [0, 1, 2]), never, { maxStates: 1, onProgress: (p) => seen.push(p) });
    expect(r).toEqual({ verdict: 'incomplete', stoppedBy: { kind: 'states', bound: 1 }, states: 3, transitions: 0 });
    expect(seen).toEqual([]);
  });
});

describe('nested DFS: the colours of states past the first 1024 ids', () => {
  it('state id 1024, the first past the colour array, keeps its colour while on the stack', () => {
    // The chain 0 -> ... -> 1024 (ids = states), 1024 -0-> 1025 (a deadlock) and -1-> itself;
    // 1024 accepts. Its self-loop closes the cycle from the blue stack where 1024 is once.
    const r = findAcceptingCycle(graph((s) => (s < 1024 ? [s + 1] : s === 1024 ? [1025, 1024] : [])), observer((s) => s === 1024));
    expect(r.verdict === 'violation' && [r.stem.length, r.cycle, r.loopStart]).toEqual([1025, [1], 1024]);
  });

  it('a state stored long before it is coloured: the colours grow to hold its id at once', () => {
    // 0 -> 1..3000 (ids 1..3000), 1 -> 5000 (id 3001), which accepts and loops on itself: the
    // first colour of id 3001 comes when the array holds 1024.
    const succ = (s: number): number[] => (s === 0 ? Array.from({ length: 3000 }, (_, i) => i + 1) : s === 1 || s === 5000 ? [5000] : []);
    expect(findAcceptingCycle(graph(succ), observer((s) => s === 5000))).toMatchObject({ verdict: 'violation', stem: [0, 0, 0], cycle: [0], loopStart: 2 });
  });

  it('the colours double: 2048 bytes of them once 1025 states are on the stack', async () => {
    // The chain of 3000 states; at the second check 1026 states are stored (one arena chunk of
    // 2^14 rows of 2 words, 131 072 bytes, and the table of 2^12 slots, 16 384) and ids 0..1024 coloured.
    const seen: Progress[] = [];
    await searchAcceptingCycle(chain(2999), never, { onProgress: (p) => seen.push(p) });
    expect(seen[1]).toMatchObject({ states: 1026, depth: 1025, memoryBytes: 131_072 + 16_384 + 2048 });
  });
});

describe('nested DFS: the checks of the limits', () => {
  it('progress during a red search: the depth is the blue stack plus the red stack', async () => {
    // The chain 0 -> ... -> 2999 with 0 accepting: 3000 blue expansions (checks after the 1st,
    // 1025th, 2049th), then the red search from 0 expands the 3000 states again; the checks
    // after 3073 and 4097 expansions find 73 and 1097 red frames above the one blue frame.
    const seen: Progress[] = [];
    expect(await searchAcceptingCycle(chain(2999), observer((s) => s === 0), { onProgress: (p) => seen.push(p) })).toEqual({ verdict: 'pass', states: 3000, transitions: 3000 });
    expect(seen.map((p) => p.depth)).toEqual([1, 1025, 2049, 74, 1098, 2122]);
  });

  it('a signal aborted during a red search stops it there, before the cycle it would close', async () => {
    // 0 -> 1 -> ... -> 3001 -> 0, only 1 accepts. The blue search closes 3001 -> 0 without an
    // accepting end; the red search from 1 would reach 0 (on the blue stack) after 3000
    // expansions. The fourth check (after 3073 expansions) is the first in the red search.
    const controller = new AbortController();
    let checks = 0;
    const onProgress = (): void => {
      if (++checks === 4) controller.abort();
    };
    const loop = graph((s) => [s < 3001 ? s + 1 : 0]);
    expect(findAcceptingCycle(loop, observer((s) => s === 1))).toMatchObject({ verdict: 'violation', stem: [0], loopStart: 0 });
    expect(await searchAcceptingCycle(loop, observer((s) => s === 1), { signal: controller.signal, onProgress })).toEqual({ verdict: 'incomplete', stoppedBy: { kind: 'interrupted' }, states: 3002, transitions: 3002 });
  });

  it('findAcceptingCycle with a signal never aborted runs to the end (it turns no event loop)', () => {
    expect(findAcceptingCycle(chain(2999), never, { signal: new AbortController().signal })).toEqual({ verdict: 'pass', states: 3000, transitions: 3000 });
  });

  it('a time limit not reached changes nothing, and the seconds reported are the elapsed ones', async () => {
    const seen: Progress[] = [];
    const before = performance.now();
    expect(await searchAcceptingCycle(chain(2999), never, { maxSeconds: 60, onProgress: (p) => seen.push(p) })).toEqual({ verdict: 'pass', states: 3000, transitions: 3000 });
    const elapsed = (performance.now() - before) / 1000;
    for (const p of seen) expect(p.seconds).toBeLessThanOrEqual(elapsed);
  });
});
