/**
 * Hand-worked expectations for the sequential engine (explore.ts, findings.ts, state-store.ts,
 * successor-buffer.ts, replay.ts, result.ts), written to kill the mutants `npm run mutation`
 * found surviving: multi-word states, stores past their first growth, many successors, flags,
 * every limit, progress, edges and replay errors.
 */
import { describe, expect, it } from 'vitest';
import { BATCH, Exploration, expandInProcess, explore } from '../../checker/explore.js';
import { Findings } from '../../checker/findings.js';
import { replay } from '../../checker/replay.js';
import { exitCodeFor } from '../../checker/result.js';
import { hashTagged, hashWords, StateStore } from '../../checker/state-store.js';
import type { Progress } from '../../checker/options.js';
import type { TransitionSystem } from '../../checker/transition-system.js';
import { chain, drawnGraph } from './toy-systems.js';

/**
 * Three counters (x, y, z), each 0..n-1, one packed per word (word 3 is a constant 7, so that
 * rows are wider than the values). A step increments one counter: n^3 states, level d holds the
 * states with x + y + z = d, and 3 n^2 (n - 1) transitions. `inspect` flags x = y = z (code -1)
 * and x = n-1 (code -2); `bad` is a violating state.
 */
function cube(n: number, bad?: readonly [number, number, number]): TransitionSystem {
  return {
    stateWords: 4,
    initialStates(out, emit) {
      out.set([0, 0, 0, 7]);
      emit();
    },
    successors(s, out, emit) {
      for (let k = 0; k < 3; k++) {
        if (s[k]! + 1 >= n) continue;
        out.set(s);
        out[k] = s[k]! + 1;
        if (emit(10 + k)) return;
      }
    },
    inspect(s) {
      if (bad && s[0] === bad[0] && s[1] === bad[1] && s[2] === bad[2]) return 1;
      if (s[0] === s[1] && s[1] === s[2]) return -1;
      return s[0] === n - 1 ? -2 : 0;
    },
    terminal: () => 0,
    codeName: (c) => ({ 1: 'bad', [-1]: 'diagonal', [-2]: 'x-full' })[c] ?? `code${c}`,
  };
}

const values = (sys: TransitionSystem, choices: readonly number[]): number[][] => replay(sys, choices).map((st) => Array.from(st.state));

describe('explore over multi-word states', () => {
  it('counts every state and transition of a 41-cube (past a 65 536-state arena chunk), with flags', async () => {
    const n = 41;
    const sys = cube(n);
    const r = await explore(sys);
    expect(r.verdict).toBe('pass');
    expect(r.stats.states).toBe(n ** 3);
    expect(r.stats.transitions).toBe(3 * n * n * (n - 1));
    expect(r.stats.depth).toBe(3 * (n - 1));
    expect(r.stats.stateWords).toBe(4);
    // Flags sorted by code, descending; counts hand-worked; witnesses are shortest.
    expect(r.flags.map((f) => [f.code, f.name, f.count])).toEqual([
      [-1, 'diagonal', n],
      [-2, 'x-full', n * n - 1], // x = n-1, except the diagonal's corner
    ]);
    expect(values(sys, r.flags[0]!.witness.choices)).toEqual([[0, 0, 0, 7]]);
    const xFull = values(sys, r.flags[1]!.witness.choices);
    expect(xFull.length).toBe(n);
    expect(xFull.at(-1)).toEqual([n - 1, 0, 0, 7]);
  });

  it('finds a violation at its least depth and replays it to the exact state', async () => {
    const sys = cube(12, [3, 5, 2]);
    const r = await explore(sys);
    expect(r.verdict).toBe('violation');
    if (r.verdict !== 'violation') return;
    expect([r.code, r.property]).toEqual([1, 'bad']);
    const path = values(sys, r.path.choices);
    expect(path.length).toBe(11);
    expect(path.at(-1)).toEqual([3, 5, 2, 7]);
    // Found while expanding level 9, which ends the run: every state of depth <= 10 is stored.
    expect(r.stats.depth).toBe(9);
    let stored = 0;
    for (let x = 0; x < 12; x++) for (let y = 0; y < 12; y++) for (let z = 0; z < 12; z++) if (x + y + z <= 10) stored++;
    expect(r.stats.states).toBe(stored);
  });

  it('the flag witness is the shallowest, then the smallest packed state', async () => {
    // x-full (x = n-1 = 2) is first reached at depth 2 by [2,0,0] only.
    const r = await explore(cube(3));
    expect(r.flags.map((f) => [f.code, f.count])).toEqual([
      [-1, 3],
      [-2, 8],
    ]);
    expect(values(cube(3), r.flags[1]!.witness.choices).at(-1)).toEqual([2, 0, 0, 7]);
  });
});

describe('explore with many initial states and successors', () => {
  /** Initial states 5, 3, 5 (a duplicate), then 300 successors of each: s -> 1000 + s*300 + i. */
  const wide: TransitionSystem = {
    stateWords: 1,
    initialStates(out, emit) {
      for (const v of [5, 3, 5]) {
        out[0] = v;
        emit();
      }
    },
    successors(s, out, emit) {
      if (s[0]! >= 1000) return;
      for (let i = 0; i < 300; i++) {
        out[0] = 1000 + s[0]! * 300 + i;
        if (emit(i)) return;
      }
    },
    inspect: (s) => (s[0] === 5 ? -7 : s[0] === 3 ? -5 : s[0] === 1000 + 3 * 300 + 299 ? -6 : 0),
    terminal: (s) => (s[0] === 1000 + 5 * 300 + 7 ? 2 : 0),
    codeName: (c) => `c${c}`,
  };

  it('numbers initial states by their index, skips duplicates, and buffers 600 successors', async () => {
    const r = await explore(wide);
    expect(r.verdict).toBe('violation');
    if (r.verdict !== 'violation') return;
    expect([r.code, r.path.choices]).toEqual([2, [0, 7]]);
    expect(r.stats.states).toBe(2 + 600);
    expect(r.stats.transitions).toBe(600);
    // Sorted by code, descending, whatever order they were found in; the duplicate initial
    // state 5 is counted once.
    expect(r.flags.map((f) => [f.code, f.count, f.witness.choices])).toEqual([
      [-5, 1, [1]],
      [-6, 1, [1, 299]],
      [-7, 1, [0]],
    ]);
    expect(values(wide, [1, 299])).toEqual([[3], [1000 + 3 * 300 + 299]]);
  });

  it('counts every transition, self-loops included, storing each state once', async () => {
    // 0 -> 1, 0 -> 2, 1 -> 2, 2 -> 0 (back to the initial state), plus 2000 self-loops on 1.
    const sys: TransitionSystem = {
      stateWords: 2,
      initialStates(out, emit) {
        out.set([0, 9]);
        emit();
      },
      successors(s, out, emit) {
        const next = s[0] === 0 ? [1, 2] : s[0] === 1 ? [2, ...Array<number>(2000).fill(1)] : [0];
        for (const v of next) {
          out.set([v, 9]);
          emit(v + 100);
        }
      },
      inspect: () => 0,
      terminal: () => 0,
      codeName: () => '',
    };
    // Self-loops are counted as transitions, never stored.
    const plain = await explore(sys);
    expect([plain.verdict, plain.stats.states, plain.stats.transitions]).toEqual(['pass', 3, 2004]);
  });

  it('judges only states without successors by `terminal`', async () => {
    // 0 -> 1 -> 2; terminal() rejects 1 (which has a successor) and accepts 2.
    const r = await explore(chain(2, (s) => (s[0] === 1 ? 3 : 0)));
    expect([r.verdict, r.stats.states, r.stats.depth]).toEqual(['pass', 3, 2]);
  });
});

describe('explore limits and progress', () => {
  it('a depth bound stops the run as incomplete at that bound, after storing the next level', async () => {
    const r = await explore(cube(5), { maxDepth: 2 });
    expect(r.verdict).toBe('incomplete');
    if (r.verdict !== 'incomplete') return;
    expect(r.stoppedBy).toEqual({ kind: 'depth', bound: 2 });
    expect([r.stats.states, r.stats.depth]).toEqual([1 + 3 + 6 + 10, 3]);
  });

  it('a depth bound beyond the deepest level changes nothing', async () => {
    const r = await explore(cube(3), { maxDepth: 6 });
    expect([r.verdict, r.stats.states]).toEqual(['pass', 27]);
  });

  it('a state bound is checked between batches: reached with states left to expand, it stops the run', async () => {
    expect((await explore(cube(3), { maxStates: 27 })).verdict).toBe('incomplete');
    expect((await explore(cube(3), { maxStates: 28 })).verdict).toBe('pass');
  });

  it('a state bound reached with a frontier left is incomplete', async () => {
    const r = await explore(cube(30), { maxStates: 27_000 });
    expect(r.verdict).toBe('incomplete');
    if (r.verdict === 'incomplete') expect(r.stoppedBy).toEqual({ kind: 'states', bound: 27_000 });
  });

  it('a time bound of 0 s stops at the first checkpoint', async () => {
    const r = await explore(cube(30), { maxSeconds: 0 });
    expect(r.verdict).toBe('incomplete');
    if (r.verdict !== 'incomplete') return;
    expect(r.stoppedBy).toEqual({ kind: 'time', bound: 0 });
    expect(r.stats.states).toBeLessThan(27_000);
  });

  it('a generous time bound stops nothing', async () => {
    const r = await explore(cube(10), { maxSeconds: 60 });
    expect([r.verdict, r.stats.states]).toEqual(['pass', 1000]);
  });

  it('an abort from another task is seen: the run yields to the event loop between batches', async () => {
    const c = new AbortController();
    setImmediate(() => c.abort());
    const r = await explore(cube(41), { signal: c.signal });
    expect(r.verdict).toBe('incomplete');
    if (r.verdict === 'incomplete') expect(r.stoppedBy).toEqual({ kind: 'interrupted' });
  });

  it('progress on a chain: one new state per checkpoint, reported at exactly every 5 states', async () => {
    const seen: Progress[] = [];
    const r = await explore(chain(19), { progressEvery: 5, onProgress: (p) => seen.push(p) });
    for (const p of seen) expect(p.seconds).toBeLessThanOrEqual(r.stats.seconds);
    expect(seen.map((p) => [p.states, p.frontier, p.depth, p.transitions])).toEqual([
      [5, 1, 3, 4],
      [10, 1, 8, 9],
      [15, 1, 13, 14],
      [20, 1, 18, 19],
    ]);
  });

  it('a memory bound below the first arena chunk stops at the first checkpoint', async () => {
    const r = await explore(cube(30), { maxMemoryMB: 1 });
    expect(r.verdict).toBe('incomplete');
    if (r.verdict !== 'incomplete') return;
    expect(r.stoppedBy).toEqual({ kind: 'memory', bound: 1 });
    expect(r.stats.states).toBeLessThan(27_000);
  });

  it('a memory bound with room above the resident size stops nothing', async () => {
    // The bound is on the whole process (checker/memory-bound.ts): the test runner's own size plus room.
    const r = await explore(cube(10), { maxMemoryMB: process.memoryUsage.rss() / 2 ** 20 + 256 });
    expect([r.verdict, r.stats.states]).toEqual(['pass', 1000]);
  });

  it('an abort during the run stops it as interrupted; an unaborted signal changes nothing', async () => {
    const c = new AbortController();
    const r = await explore(cube(30), { signal: c.signal, progressEvery: 1, onProgress: () => c.abort() });
    expect(r.verdict).toBe('incomplete');
    if (r.verdict === 'incomplete') expect(r.stoppedBy).toEqual({ kind: 'interrupted' });
    const quiet = await explore(cube(10), { signal: new AbortController().signal });
    expect([quiet.verdict, quiet.stats.states]).toEqual(['pass', 1000]);
  });

  it('reports progress at each checkpoint past every progressEvery states', async () => {
    const seen: Progress[] = [];
    const r = await explore(cube(30), { progressEvery: 10_000, onProgress: (p) => seen.push(p) });
    expect(r.stats.states).toBe(27_000);
    expect(seen.length).toBeGreaterThan(0);
    const first = seen[0]!;
    // Checkpoints come every BATCH expanded states; the first past 10 000 stored states reports.
    expect(first.states).toBeGreaterThanOrEqual(10_000);
    expect(first.states).toBeLessThan(10_000 + 3 * BATCH);
    expect(first.frontier).toBeGreaterThan(0);
    expect(first.frontier).toBeLessThan(first.states);
    expect(first.transitions).toBeGreaterThan(first.states - 1);
    expect(first.depth).toBeGreaterThan(0);
    expect(first.statesPerSecond).toBeCloseTo(first.states / first.seconds, 0);
    expect(first.memoryBytes).toBeGreaterThan(first.states * 16);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.states).toBeGreaterThanOrEqual(seen[i - 1]!.states + 10_000);
  });

  it('checkLimits: a state bound needs states left to expand and is exceeded, not reached; a memory bound leaves room for the growth ahead', () => {
    const sys = cube(3);
    const states = new Exploration(sys, { maxStates: 1 });
    states.checkLimits(0);
    expect(states.stoppedBy).toBeUndefined();
    states.checkLimits(1);
    expect(states.stoppedBy).toEqual({ kind: 'states', bound: 1 });
    const residentMB = process.memoryUsage.rss() / 2 ** 20;
    const roomy = new Exploration(sys, { maxMemoryMB: residentMB + 64 });
    roomy.checkLimits(1);
    expect(roomy.stoppedBy).toBeUndefined();
    const tight = new Exploration(sys, { maxMemoryMB: residentMB - 1 });
    tight.checkLimits(1);
    expect(tight.stoppedBy).toEqual({ kind: 'memory', bound: residentMB - 1 });
    const c = new AbortController();
    c.abort();
    const aborted = new Exploration(sys, { signal: c.signal });
    aborted.checkLimits(1);
    expect(aborted.stoppedBy).toEqual({ kind: 'interrupted' });
  });

  it('flags noted in bulk (as parallel workers report them) add up, keeping the best witness', async () => {
    const x = new Exploration(cube(3), {});
    await expandInProcess(x);
    x.noteFlag(-3, 5, 4, 1);
    x.noteFlag(-3, 2, 1, 1);
    const flag = x.result().flags.find((f) => f.code === -3)!;
    expect([flag.count, flag.name, values(cube(3), flag.witness.choices).at(-1)]).toEqual([7, 'code-3', [1, 0, 0, 7]]); // id 1 = (1,0,0) sorts before id 4 = (2,0,0)
  });

  it('statistics: bytes per state from the table and links, seconds and speed', async () => {
    const r = await explore(cube(3));
    // 4 words, a 4096-slot table of 4-byte entries over 27 states, 4 + 2 + 2 bytes of links (parent, choice, path cost).
    expect(r.stats.bytesPerState).toBeCloseTo(16 + (4096 * 4) / 27 + 8, 9);
    expect(r.stats.seconds).toBeGreaterThan(0);
    expect(r.stats.seconds).toBeLessThan(5);
    expect(r.stats.statesPerSecond).toBeCloseTo(27 / r.stats.seconds, 3);
  });
});

describe('explore: ties at one depth', () => {
  it('between two violations of the same depth, the smaller packed state wins, whichever is found first', async () => {
    const sys = drawnGraph((s) => (s === 0 ? [[9, 9], [4, 4]] : []), { inspect: (s) => (s[0] === 9 ? 2 : s[0] === 4 ? 3 : 0), codeName: (c) => `c${c}` });
    const r = await explore(sys);
    expect(r.verdict === 'violation' && [r.code, r.path.choices]).toEqual([3, [0, 1]]);
  });
});

describe('Findings', () => {
  it('keeps the shallowest violation, then the smaller state; counts flags', () => {
    const f = new Findings((a, b) => a - b);
    f.note(5, 0, 1);
    expect(f.violation).toBeUndefined();
    f.note(7, 2, 3);
    f.note(9, 1, 3);
    expect(f.violation).toEqual({ id: 7, code: 2, depth: 3 });
    f.note(6, 1, 3);
    expect(f.violation).toEqual({ id: 6, code: 1, depth: 3 });
    f.note(8, 4, 2);
    expect(f.violation).toEqual({ id: 8, code: 4, depth: 2 });
    f.note(1, 4, 4);
    expect(f.violation).toEqual({ id: 8, code: 4, depth: 2 });
    f.note(4, -1, 2);
    f.note(3, -1, 2);
    f.note(2, -1, 3);
    f.noteFlag(-1, 5, 10, 1);
    f.noteFlag(-2, 2, 11, 1);
    expect([...f.flags.values()]).toEqual([
      { code: -1, count: 8, id: 10, depth: 1 },
      { code: -2, count: 2, id: 11, depth: 1 },
    ]);
  });
});

describe('StateStore', () => {
  it('compares stored states word by word, and keeps parent links past their first growth', () => {
    const store = new StateStore(3, 2);
    for (let i = 0; i < 3000; i++) expect(store.insertIfAbsent(Int32Array.of(i % 7, i, -i), i - 1, i % 5)).toBe(i);
    expect(store.compare(0, 0)).toBe(0);
    expect(Math.sign(store.compare(1, 2))).toBe(-1); // (1,1,-1) < (2,2,-2)
    expect(Math.sign(store.compare(8, 7))).toBe(1); // (1,8,-8) > (0,7,-7)
    expect(Math.sign(store.compare(7, 14))).toBe(-1); // (0,7,-7) < (0,14,-14): the second word decides
    expect([store.parentOf(2999), store.choiceOf(2999), store.parentOf(0)]).toEqual([2998, 2999 % 5, -1]);
    expect(store.pathTo(4)).toEqual([0, 1, 2, 3, 4]);
    // Ids 1023, 1024 and 2048 sit at the ends of the link arrays before they grow.
    for (const id of [1023, 1024, 2047, 2048]) expect([store.parentOf(id), store.choiceOf(id)]).toEqual([id - 1, id % 5]);
    const out = new Int32Array(3);
    store.load(2047, out);
    expect(Array.from(out)).toEqual([2047 % 7, 2047, -2047]);
    for (let i = 0; i < 3000; i++) expect(store.insertIfAbsent(Int32Array.of(i % 7, i, -i), 0, 0)).toBe(-1 - i);
    // 1 arena chunk of 65 536 rows, an 8192-slot table, links grown to 4096 entries.
    expect(store.bytes()).toBe(65536 * 3 * 4 + 8192 * 4 + 4096 * 4 + 4096 * 2 + 4096 * 2);
    expect(store.bytesPerState()).toBeCloseTo(12 + (8192 * 4) / 3000 + 8, 9);
    expect(new StateStore(2).bytesPerState()).toBe(0);
    // The table doubles when more than half full: 2048 states fit a 4096-slot table, 2049 do not.
    const half = new StateStore(1);
    for (let i = 1; i <= 2048; i++) half.insertIfAbsent(Int32Array.of(i), -1, 0);
    expect(half.bytes()).toBe(65536 * 4 + 4096 * 4 + 2048 * 4 + 2048 * 2 + 2048 * 2);
    half.insertIfAbsent(Int32Array.of(-1), -1, 0);
    expect(half.bytes()).toBe(65536 * 4 + 8192 * 4 + 4096 * 4 + 4096 * 2 + 4096 * 2);
    // The rehash re-entered exactly the stored rows: the all-zero rows past them are not states.
    expect(half.insertIfAbsent(Int32Array.of(0), -1, 0)).toBe(2049);
    for (let i = 1; i <= 2048; i++) expect(half.insertIfAbsent(Int32Array.of(i), -1, 0)).toBe(-i);
  });

  it('hashes differ by offset, width and tag', () => {
    const s = Int32Array.of(1, 2, 3, 1, 2);
    expect(hashWords(s, 0, 2)).toBe(hashWords(s, 3, 2));
    expect(hashWords(s, 0, 2)).not.toBe(hashWords(s, 1, 2));
    expect(hashWords(s, 0, 2)).not.toBe(hashWords(s, 0, 3));
    expect(hashTagged(0, s, 0, 2)).not.toBe(hashTagged(1, s, 0, 2));
    expect(hashTagged(0, s, 0, 2)).toBe(hashWords(s, 0, 2) ^ Math.imul(1, 0x9e3779b1));
    expect(hashWords(Int32Array.of(0), 0, 1)).toBe(hashWords(Int32Array.of(0), 0, 1));
  });
});

describe('replay and tokens', () => {
  const sys = cube(3);
  it('rejects an empty path, a missing initial state and a missing successor', () => {
    expect(() => replay(sys, [])).toThrow('empty path');
    expect(() => replay(sys, [1])).toThrow('no initial state 1');
    expect(() => replay(sys, [0, 0, 0, 0, 0, 0, 0, 0])).toThrow('step 7: no successor 0'); // (2,2,2) is the last
    expect(() => replay(sys, [0, 3])).toThrow('step 1: no successor 3');
  });

  it('stops at the chosen successor and returns its label', () => {
    const steps = replay(sys, [0, 2, 1]);
    expect(steps.map((s) => [s.label, Array.from(s.state)])).toEqual([
      [undefined, [0, 0, 0, 7]],
      [12, [0, 0, 1, 7]],
      [11, [0, 1, 1, 7]],
    ]);
  });

  it('exit codes: 0 pass, 1 violation, 3 incomplete', () => {
    expect([exitCodeFor('pass'), exitCodeFor('violation'), exitCodeFor('incomplete')]).toEqual([0, 1, 3]);
  });
});
