/**
 * The concurrent nested DFS and its shared store, in this thread (cycles-parallel.test.ts runs
 * them on worker threads, which load the compiled code): one worker's search alone, in the
 * system's order (worker 0) and in a shuffled one, against the one-thread nested DFS; a second
 * worker on a store the first has finished; the store's ids, growth and stop reasons.
 */
import { describe, expect, it } from 'vitest';
import { findAcceptingCycle } from '../../checker/graph/cycles.js';
import type { ProductSpec } from '../../checker/graph/product-steps.js';
import { searchAsWorker, type WorkerOutcome } from '../../checker/graph/concurrent-ndfs.js';
import { BLUE, COUNTED, Ctl, RED, SharedProductStore, StopReason } from '../../checker/graph/shared-product-store.js';
import type { TransitionSystem } from '../../checker/transition-system.js';
import { Worker } from 'node:worker_threads';
import { createProduct, lassoProblem, type GraphParams } from './random-product.js';

/** Why `o` is not an accepting lasso of the graph, or 'ok'. */
function problem(params: GraphParams, o: WorkerOutcome): string {
  return o.kind === 'lasso' ? lassoProblem(params, o.stem, o.cycle) : `no lasso: ${o.kind}`;
}

const graphs: GraphParams[] = Array.from({ length: 60 }, (_, i) => {
  const seed = 5 * i + 2;
  return { nodes: 100 + ((seed * 53) % 2000), maxDegree: 2 + (seed % 2), minDegree: i % 3 === 0 ? 0 : 1, seed, acceptEvery: 4 + (seed % 9) * 4, backPercent: i % 5 };
});

const storeFor = (words: number, capacity = 1 << 20, workers = 1, maxStates?: number): SharedProductStore => SharedProductStore.create(words, capacity, workers, maxStates);

describe('one worker of the concurrent nested DFS, in this thread', () => {
  const seen = { pass: 0, violation: 0 };
  it.each(graphs)('graph %j: worker 0 and worker 3 alone give the one-thread verdict, its counts on a pass, accepting lassos', (params) => {
    const { system, spec } = createProduct(params);
    const alone = findAcceptingCycle(system, spec);
    for (const worker of [0, 3]) {
      const store = storeFor(2, 1 << 16, 4);
      const o = searchAsWorker(system, spec, store, worker);
      if (alone.verdict === 'pass') {
        expect(o).toMatchObject({ kind: 'done' });
        expect([store.size, Atomics.load(store.control, Ctl.transitions)]).toEqual([alone.states, alone.transitions]);
        // A finished worker stops no one: the search is a pass once every worker is done.
        expect(store.stopped).toBe(0);
      } else {
        expect(problem(params, o)).toBe('ok');
        expect(store.stopped).toBe(StopReason.found);
      }
    }
    if (alone.verdict === 'pass' || alone.verdict === 'violation') seen[alone.verdict]++;
  });
  it('both verdicts occurred', () => {
    expect(seen.pass).toBeGreaterThan(15);
    expect(seen.violation).toBeGreaterThan(15);
  });

  it('worker 0 takes successors in the system order: its lasso is the one-thread lasso when the blue search closes it', () => {
    // 0 -> 1 -> 2 -> 1, node 1 accepting: both close the cycle 1 -> 2 -> 1 from the blue stack.
    const { system, spec } = handMade([[1], [2], [1]], [1]);
    expect(findAcceptingCycle(system, spec)).toMatchObject({ verdict: 'violation', stem: [0, 0], cycle: [0, 0] });
    expect(searchAsWorker(system, spec, storeFor(2), 0)).toEqual({ kind: 'lasso', stem: [0, 0], cycle: [0, 0], expanded: { blue: 3, red: 0 } });
  });

  it('the blue search closes a cycle through an accepting state deep on its stack, by an edge between two non-accepting states', () => {
    // 0 -> 1 -> 2 (accepting) -> 3 -> 1: the closing edge 3 -> 1 has no accepting end.
    const { system, spec } = handMade([[1], [2], [3], [1]], [2]);
    const store = storeFor(2);
    expect(searchAsWorker(system, spec, store, 0)).toEqual({ kind: 'lasso', stem: [0, 0], cycle: [0, 0, 0], expanded: { blue: 4, red: 0 } });
    for (let id = 0; id < store.size; id++) expect(store.colorOf(id) & (BLUE | RED)).toBe(0);
  });

  it('a cycle only the red search finds: the accepting state is entered after the rest of its cycle is blue', () => {
    // r(0) -> [x(1), a(2)], x -> [r], a -> [x], a accepting. Blue: r, x (x -> r closes r x r:
    // nothing accepting), then a (a -> x: blue). Red from a: x, then x -> r, cyan: the lasso
    // r, then a, x, r.
    const { system, spec } = handMade([[1, 2], [0], [1]], [2]);
    expect(findAcceptingCycle(system, spec)).toMatchObject({ verdict: 'violation', stem: [0], cycle: [1, 0, 0] });
    expect(searchAsWorker(system, spec, storeFor(2), 0)).toEqual({ kind: 'lasso', stem: [0], cycle: [1, 0, 0], expanded: { blue: 3, red: 2 } });
  });

  it('a pass with two red searches: the second stops at the states the first painted red, each one skips its pink states', () => {
    // 0 -> [1, 2] (both accepting) -> 3 -> [4, 5] -> 6, which stutters (a self-loop, not accepting).
    // Blue expands all 7. Red from 1: 1, 3, 4, 6, 5 (6 met again from 5 and from itself: pink).
    // Red from 2: 2 only (3 is red).
    const { system, spec } = handMade([[1, 2], [3], [3], [4, 5], [6], [6], []], [1, 2]);
    const store = storeFor(2);
    expect(searchAsWorker(system, spec, store, 0)).toEqual({ kind: 'done', expanded: { blue: 7, red: 6 } });
    const painted = Array.from({ length: store.size }, (_, id) => store.colorOf(id));
    expect(painted).toEqual(Array.from({ length: 7 }, (_, id) => COUNTED | (id === 0 ? BLUE : BLUE | RED)));
    expect(Atomics.load(store.control, Ctl.transitions)).toBe(findAcceptingCycle(system, spec).transitions);
  });

  it('a red search waits until the other accepting states it met are red, then paints what it met', async () => {
    // 0 -> 1 (accepting) -> 2 (accepting) -> 3, which stutters. State 2 is blue but not yet red,
    // as if another worker's red search from it were running: this one waits for that search
    // (a thread that paints 2 red after 150 ms) before it paints 1, 2 and 3 red.
    const { system, spec } = handMade([[1], [2], [3], []], [1, 2]);
    const store = storeFor(2, 1 << 16, 2);
    const two = store.intern(Int32Array.of(2, 1));
    store.paint(two, BLUE);
    const painter = paintLater(store, two, RED, 150);
    const started = performance.now();
    expect(searchAsWorker(system, spec, new SharedProductStore(store.handles, 0), 0)).toMatchObject({ kind: 'done', expanded: { blue: 2, red: 3 } });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    await painter;
    // Ids in order of insertion: node 2 (inserted by hand), 0, 1, 3.
    expect(Array.from({ length: store.size }, (_, id) => store.colorOf(id) & RED)).toEqual([RED, 0, RED, RED]);
  });

  it('a red search waiting for another worker stops when the search is stopped', async () => {
    const { system, spec } = handMade([[1], [2], [3], []], [1, 2]);
    const store = storeFor(2, 1 << 16, 2);
    store.paint(store.intern(Int32Array.of(2, 1)), BLUE);
    const stopper = writeLater(store.control, Ctl.stop, StopReason.halted, 100);
    expect(searchAsWorker(system, spec, new SharedProductStore(store.handles, 0), 0)).toMatchObject({ kind: 'stopped' });
    await stopper;
  });

  it('an accepting root with a self-loop, and a two-state cycle back to the root: both closed by the blue search', () => {
    const self = handMade([[0]], [0]);
    expect(searchAsWorker(self.system, self.spec, storeFor(2), 0)).toEqual({ kind: 'lasso', stem: [0], cycle: [0], expanded: { blue: 1, red: 0 } });
    const back = handMade([[1], [0]], [1]);
    expect(searchAsWorker(back.system, back.spec, storeFor(2), 0)).toEqual({ kind: 'lasso', stem: [0], cycle: [0, 0], expanded: { blue: 2, red: 0 } });
  });

  it('a red search that backtracks before it closes the cycle: the lasso follows its stack, not the states it left', () => {
    // r(0) -> [x(1), a(2)]; x -> [z(4), y(3)]; y -> [r]; a -> [x]; z stutters; a accepting.
    // Blue: r, x, z, y (y -> r closes r x y r: nothing accepting), a. Red from a: a, x, z (a dead
    // end), y, then y -> r, cyan: the cycle a, x, y, r by choices 1, 0, 1, 0.
    const { system, spec } = handMade([[1, 2], [4, 3], [1], [0], []], [2]);
    expect(findAcceptingCycle(system, spec)).toMatchObject({ verdict: 'violation', stem: [0], cycle: [1, 0, 1, 0] });
    expect(searchAsWorker(system, spec, storeFor(2), 0)).toEqual({ kind: 'lasso', stem: [0], cycle: [1, 0, 1, 0], expanded: { blue: 5, red: 4 } });
  });

  it('workers take successors in orders of their own: worker 0 the system order, the others over a fork not all the same', () => {
    // 0 -> [1, ..., 8]; each an accepting self-loop. Worker 0 goes to 1 first.
    const { system, spec } = handMade([[1, 2, 3, 4, 5, 6, 7, 8], [1], [2], [3], [4], [5], [6], [7], [8]], [1, 2, 3, 4, 5, 6, 7, 8]);
    const stems = [0, 1, 2, 3].map((w) => {
      const o = searchAsWorker(system, spec, storeFor(2, 1 << 16, 4), w);
      return o.kind === 'lasso' ? o.stem.join() : o.kind;
    });
    expect(stems[0]).toBe('0,0');
    expect(new Set(stems.slice(1)).size).toBeGreaterThan(1);
  });

  it('a stop seen in a red search ends it before it expands more, and in a blue search before the next state', () => {
    // 0 -> 1 (accepting) -> 2 -> 3 -> 4, which stutters: red from 1 expands 1, 2, 3, 4.
    const chain = [[1], [2], [3], [4], []];
    let store = storeFor(2);
    const inRed = handMade(chain, [1], [0], (node) => {
      // Node 2 is expanded by the blue search first, then by the red search (node 1, id 1, is blue by then).
      if (node === 2 && (store.colorOf(1) & BLUE) !== 0) store.stop(StopReason.halted);
    });
    expect(searchAsWorker(inRed.system, inRed.spec, store, 0)).toEqual({ kind: 'stopped', expanded: { blue: 5, red: 2 } });
    store = storeFor(2);
    const inBlue = handMade(chain, [1], [0], (node) => {
      if (node === 1) store.stop(StopReason.halted);
    });
    expect(searchAsWorker(inBlue.system, inBlue.spec, store, 0)).toEqual({ kind: 'stopped', expanded: { blue: 2, red: 0 } });
  });

  it('a large graph in this thread (more states than the stack arrays start with): the lasso is an accepting cycle', () => {
    const params = { nodes: 100_000, maxDegree: 2, minDegree: 1, seed: 17, acceptEvery: 99_991 };
    const { system, spec } = createProduct(params);
    const store = storeFor(2, 1 << 18);
    expect(problem(params, searchAsWorker(system, spec, store, 0))).toBe('ok');
    expect(store.size).toBeGreaterThan(4096);
  });

  it('a second worker on a store the first finished (a pass) sees every state blue and is done at once, without new states', () => {
    const params = { nodes: 5_000, maxDegree: 3, seed: 5, acceptEvery: 9, backPercent: 0 };
    const { system, spec } = createProduct(params);
    const store = storeFor(2, 1 << 16, 2);
    expect(searchAsWorker(system, spec, store, 0)).toMatchObject({ kind: 'done' });
    const states = store.size;
    for (let id = 0; id < states; id++) expect(store.colorOf(id) & BLUE).toBe(BLUE);
    Atomics.store(store.control, Ctl.stop, 0);
    const second = new SharedProductStore(store.handles, 1);
    expect(searchAsWorker(system, spec, second, 1)).toEqual({ kind: 'done', expanded: { blue: 0, red: 0 } });
    expect(store.size).toBe(states);
    // Each left the search (a growth no longer waits for it); entering marks worker 1 running.
    expect([Atomics.load(store.control, Ctl.workers), Atomics.load(store.control, Ctl.workers + 1)]).toEqual([0, 0]);
    second.enter();
    expect([Atomics.load(store.control, Ctl.workers), Atomics.load(store.control, Ctl.workers + 1)]).toEqual([0, 1]);
  });

  it('a worker that meets a stop returns stopped', () => {
    const { system, spec } = createProduct({ nodes: 5_000, maxDegree: 3, seed: 5, acceptEvery: 9, backPercent: 0 });
    const store = storeFor(2, 1 << 16, 2);
    store.stop(StopReason.halted);
    expect(searchAsWorker(system, spec, store, 0)).toMatchObject({ kind: 'stopped' });
    expect(store.stopped).toBe(StopReason.halted);
  });

  it('a worker whose store runs out of room stops, and the stop says why', () => {
    const { system, spec } = createProduct({ nodes: 5_000, maxDegree: 3, seed: 5, acceptEvery: 9, backPercent: 0 });
    const store = storeFor(2, 100);
    expect(searchAsWorker(system, spec, store, 0)).toMatchObject({ kind: 'stopped' });
    expect(store.stopped).toBe(StopReason.full);
  });

  it('several initial states: every root is searched, and a worker starts at its own', () => {
    // Roots 0 and 1 (two initial states); only 1 reaches the accepting cycle 2 -> 2.
    const { system, spec } = handMade([[], [2], [2]], [2], [0, 1]);
    expect(searchAsWorker(system, spec, storeFor(2), 0)).toEqual({ kind: 'lasso', stem: [1, 0], cycle: [0], expanded: { blue: 3, red: 0 } });
    expect(searchAsWorker(system, spec, storeFor(2), 1)).toEqual({ kind: 'lasso', stem: [1, 0], cycle: [0], expanded: { blue: 2, red: 0 } });
  });
});

/**
 * A graph given by successor lists as a product: initial states `roots`, the automaton an
 * observer whose state is 1 exactly at the accepting nodes (a node without successors stutters);
 * `onExpand` sees each node expanded.
 */
function handMade(succ: readonly (readonly number[])[], accepting: readonly number[], roots: readonly number[] = [0], onExpand?: (node: number) => void): { system: TransitionSystem; spec: ProductSpec } {
  const system: TransitionSystem = {
    stateWords: 1,
    initialStates: (out, emit) => {
      for (const r of roots) {
        out[0] = r;
        emit();
      }
    },
    successors: (s, out, emit) => {
      onExpand?.(s[0]!);
      for (const t of succ[s[0]!]!) {
        out[0] = t;
        emit(0);
      }
    },
    inspect: () => 0,
    terminal: () => 0,
    codeName: () => '',
  };
  return { system, spec: { buchiStates: 2, initial: [0], accepting: [false, true], step: (_q, s, emit) => emit(accepting.includes(s[0]!) ? 1 : 0) } };
}

/** A thread that, after `ms`, stores `value` at `index` of the shared words `words`; resolves when it has. */
function writeLater(words: Int32Array, index: number, value: number, ms: number): Promise<void> {
  const code = `const { workerData: d } = require('node:worker_threads');
setTimeout(() => { Atomics.store(new Int32Array(d.buffer), d.index, d.value); }, d.ms);`;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { buffer: words.buffer, index, value, ms } });
    w.on('exit', () => resolve());
    w.on('error', reject);
  });
}

/** A thread that, after `ms`, adds colour `bits` to state `id` of `store`; resolves when it has. */
function paintLater(store: SharedProductStore, id: number, bits: number, ms: number): Promise<void> {
  const code = `const { workerData: d } = require('node:worker_threads');
setTimeout(() => { Atomics.or(new Uint8Array(d.buffer), d.id, d.bits); }, d.ms);`;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { buffer: store.handles.colors, id, bits, ms } });
    w.on('exit', () => resolve());
    w.on('error', reject);
  });
}

describe('the shared product store', () => {
  const key = (...w: number[]): Int32Array => Int32Array.from(w);
  it('interns: the same id for an equal state, fresh ids in order, the words and automaton state back', () => {
    const s = storeFor(3);
    expect(s.intern(key(1, 2, 3))).toBe(0);
    expect(s.intern(key(4, 5, 6))).toBe(1);
    expect(s.intern(key(1, 2, 3))).toBe(0);
    expect(s.size).toBe(2);
    const out = new Int32Array(3);
    s.load(1, out);
    expect([...out]).toEqual([4, 5, 6]);
    expect(s.automatonState(0)).toBe(3);
  });
  it('colours: paint adds bits and returns the old ones', () => {
    const s = storeFor(1);
    s.intern(key(7));
    expect(s.paint(0, BLUE)).toBe(0);
    expect(s.paint(0, RED)).toBe(BLUE);
    expect(s.colorOf(0)).toBe(BLUE | RED);
  });
  it('grows its table at half load and keeps every state findable', () => {
    const s = storeFor(2, 1 << 18);
    const n = 100_000;
    for (let i = 0; i < 32_768; i++) s.intern(key(i, i * 7));
    // 32 768 states fill 2^16 slots to half exactly: the next one grows the table.
    expect(Atomics.load(s.control, Ctl.table)).toBe(0);
    for (let i = 32_768; i < n; i++) expect(s.intern(key(i, i * 7))).toBe(i);
    expect(Atomics.load(s.control, Ctl.table)).toBe(2);
    for (let i = 0; i < n; i += 997) expect(s.intern(key(i, i * 7))).toBe(i);
    expect(s.size).toBe(n);
    expect(s.bytes()).toBe(n * (2 * 4 + 1) + (1 << 18) * 4);
  });
  it('stops with "states" past maxStates, and with "full" when the capacity runs out', () => {
    const limited = storeFor(1, 1 << 16, 1, 10);
    for (let i = 0; i < 10; i++) limited.intern(key(i));
    expect(limited.stopped).toBe(0);
    limited.intern(key(10));
    expect(limited.stopped).toBe(StopReason.states);
    const full = storeFor(1, 4);
    for (let i = 0; i < 4; i++) expect(full.intern(key(i))).toBe(i);
    expect(full.intern(key(4))).toBe(-1);
    expect(full.stopped).toBe(StopReason.full);
  });
  it('the tables end with one that holds the capacity at half load', () => {
    expect(storeFor(1, 1 << 16).handles.tables.map((t) => t.byteLength / 4)).toEqual([1 << 16, 1 << 17]);
    expect(storeFor(1, 100_000).handles.tables.map((t) => t.byteLength / 4)).toEqual([1 << 16, 1 << 17, 1 << 18]);
  });
  it('a growth waits until no other worker is running, then rehashes and releases it', async () => {
    // Worker 1 (a thread) is running; worker 0 (this thread) fills the first table to half.
    const store = new SharedProductStore(storeFor(2, 1 << 18, 2).handles, 0);
    store.enter();
    const other = fakeWorker(store, 'running until the growth, then parks', 150);
    await other.ready;
    const started = performance.now();
    let waited = 0;
    for (let i = 0; i < 40_000; i++) {
      const t = performance.now();
      expect(store.intern(Int32Array.of(i, -i))).toBe(i);
      waited = Math.max(waited, performance.now() - t);
    }
    expect(waited).toBeGreaterThanOrEqual(140);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    // The other worker saw the next table in use when it was released.
    expect(await other.done).toBe(1);
    for (let i = 0; i < 40_000; i += 499) expect(store.intern(Int32Array.of(i, -i))).toBe(i);
    expect(store.size).toBe(40_000);
    store.leave();
  });

  it('a worker parks at its next insertion while another grows the table, and goes on when released', async () => {
    const store = new SharedProductStore(storeFor(1, 1 << 16, 2).handles, 0);
    store.enter();
    expect(store.intern(Int32Array.of(7))).toBe(0);
    const other = fakeWorker(store, 'grows: waits for worker 0 to park, then releases it', 150);
    await other.ready;
    const t = performance.now();
    expect(store.intern(Int32Array.of(8))).toBe(1);
    expect(performance.now() - t).toBeGreaterThanOrEqual(140);
    // What the growing worker read: worker 0 parked (2), and the table index.
    expect(await other.done).toBe(2);
    expect(store.intern(Int32Array.of(7))).toBe(0);
    store.leave();
    expect(Atomics.load(store.control, Ctl.workers)).toBe(0);
  });

  it('a parked worker leaves the barrier when the search stops', async () => {
    const store = new SharedProductStore(storeFor(1, 1 << 16, 2).handles, 0);
    store.enter();
    const other = fakeWorker(store, 'grows: waits for worker 0 to park, then stops the search', 100);
    await other.ready;
    expect(store.intern(Int32Array.of(8))).toBe(0);
    expect(await other.done).toBe(2);
    expect(store.stopped).toBe(StopReason.halted);
    store.leave();
  });

  it('a growth waiting for a worker that never parks gives up when the search stops, and keeps the table', async () => {
    const store = new SharedProductStore(storeFor(1, 1 << 18, 2).handles, 0);
    store.enter();
    const other = fakeWorker(store, 'running, never parks; stops the search', 100);
    await other.ready;
    for (let i = 0; i < 32_769; i++) store.intern(Int32Array.of(i));
    expect(store.stopped).toBe(StopReason.halted);
    expect(Atomics.load(store.control, Ctl.table)).toBe(0);
    expect(Atomics.load(store.control, Ctl.grow)).toBe(0);
    await other.done;
    store.leave();
  });

  it('growthBytes: rows, colours and the state-local bytes, plus the next table when a growth falls due', () => {
    const s = storeFor(2);
    expect(s.growthBytes(100, 5)).toBe(100 * (8 + 1 + 5));
    expect(s.growthBytes(32_768, 5)).toBe(32_768 * 14);
    expect(s.growthBytes(40_000, 5)).toBe(40_000 * 14 + (1 << 16) * 4 * 2);
  });
});

/**
 * Another worker of the growth barrier, as a thread: 'running until the growth, then parks'
 * registers as worker 1 running, waits for a growth, keeps running `ms` more, parks, and once
 * released answers the table index in use; the 'grows' roles raise the growth flag, wait until
 * worker 0 parks, hold it `ms`, then release it or stop the search, and answer worker 0's run
 * state as they saw it; 'running, never parks' stops the search `ms` after a growth began.
 */
type FakeRole =
  | 'running until the growth, then parks'
  | 'grows: waits for worker 0 to park, then releases it'
  | 'grows: waits for worker 0 to park, then stops the search'
  | 'running, never parks; stops the search';

function fakeWorker(store: SharedProductStore, role: FakeRole, ms: number): { ready: Promise<void>; done: Promise<number> } {
  const code = `const { workerData: d, parentPort } = require('node:worker_threads');
const c = new Int32Array(d.control);
const spin = (ms) => { const t = Date.now(); while (Date.now() - t < ms); };
if (d.role.startsWith('grows')) {
  Atomics.store(c, d.grow, 1);
  parentPort.postMessage('ready');
  while (Atomics.load(c, d.workers) !== 2) Atomics.wait(c, d.stop, 0, 1);
  spin(d.ms);
  const seen = Atomics.load(c, d.workers);
  if (d.role.endsWith('stops the search')) Atomics.store(c, d.stop, d.halted);
  else Atomics.store(c, d.grow, 0);
  Atomics.notify(c, d.grow);
  parentPort.postMessage(seen);
} else if (d.role.startsWith('running, never parks')) {
  Atomics.store(c, d.workers + 1, 1);
  parentPort.postMessage('ready');
  while (Atomics.load(c, d.grow) === 0) Atomics.wait(c, d.grow, 0, 1);
  spin(d.ms);
  Atomics.store(c, d.stop, d.halted);
  parentPort.postMessage(0);
} else {
  Atomics.store(c, d.workers + 1, 1);
  parentPort.postMessage('ready');
  while (Atomics.load(c, d.grow) === 0) Atomics.wait(c, d.grow, 0, 1);
  spin(d.ms);
  Atomics.store(c, d.workers + 1, 2);
  while (Atomics.load(c, d.grow) !== 0) Atomics.wait(c, d.grow, 1, 1);
  Atomics.store(c, d.workers + 1, 0);
  parentPort.postMessage(Atomics.load(c, d.table));
}`;
  const w = new Worker(code, { eval: true, workerData: { control: store.handles.control, role, ms, halted: StopReason.halted, ...Ctl } });
  const messages: unknown[] = [];
  const waiters: ((m: unknown) => void)[] = [];
  w.on('message', (m: unknown) => {
    const waiter = waiters.shift();
    if (waiter) waiter(m);
    else messages.push(m);
  });
  const next = (): Promise<unknown> => (messages.length > 0 ? Promise.resolve(messages.shift()) : new Promise((resolve) => waiters.push(resolve)));
  const ready = next().then(() => undefined);
  const done = ready.then(next).then(async (m) => {
    await w.terminate();
    return Number(m);
  });
  return { ready, done };
}
