/**
 * Hand-worked cases for the depth-first first-counterexample search (checker/depth-first.ts)
 * written against the mutants StrykerJS left alive (issue #15): initial states, flags and
 * their witnesses, the limits and the batch they are checked after, progress, the clock, the
 * abort signal and a stack past its first 1024 entries. Expansion order: a state's fresh
 * successors are expanded first to last, each one's subtree before the next.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exploreDepthFirst } from '../../checker/depth-first.js';
import type { Progress } from '../../checker/options.js';
import type { TransitionSystem } from '../../checker/transition-system.js';
import { chain, drawnGraph } from './toy-systems.js';

const BATCH = 4096;

/** A graph of one-word states from adjacency lists (edge i of s labelled i), with per-state codes of `inspect` and `terminal`. */
function graph(succ: Readonly<Record<number, readonly number[]>>, initial: readonly number[], codes: { inspect?: Record<number, number>; terminal?: Record<number, number> } = {}): TransitionSystem {
  return drawnGraph(
    (s) => (succ[s] ?? []).map((to, i) => [to, i] as const),
    {
      inspect: (s) => codes.inspect?.[s[0]!] ?? 0,
      terminal: (s) => codes.terminal?.[s[0]!] ?? 0,
      codeName: (c) => `code ${c}`,
    },
    initial,
  );
}

/** The endless chain 0 -> 1 -> 2 -> ... */
const endless = (): TransitionSystem => drawnGraph((s) => [[s + 1, 0]], { inspect: () => 0, codeName: () => '' });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('exploreDepthFirst: initial states', () => {
  it('numbers the initial states 0, 1, ... in the path', async () => {
    const r = await exploreDepthFirst(graph({}, [0, 7], { inspect: { 7: 1 } }));
    expect(r.verdict === 'violation' && r.path.choices).toEqual([1]);
  });

  it('a violating initial state ends the run: later initial states are stored but not judged', async () => {
    // Both violate; the run stops at 5 (choice 0), so 2, the smaller state, is not a candidate.
    const r = await exploreDepthFirst(graph({}, [5, 2], { inspect: { 5: 1, 2: 1 } }));
    expect(r.verdict === 'violation' && r.path.choices).toEqual([0]);
    expect(r.stats.states).toBe(2);
  });

  it('an initial state emitted twice is judged once', async () => {
    const r = await exploreDepthFirst(graph({}, [4, 4], { inspect: { 4: -1 } }));
    expect(r.verdict).toBe('pass');
    expect(r.flags).toEqual([{ code: -1, name: 'code -1', count: 1, witness: { choices: [0] } }]);
  });
});

describe('exploreDepthFirst: flags (codes < 0) do not stop the run; each keeps its least-depth, then smallest, witness', () => {
  it('counts every flagged state, picks the witness by depth then packed state, lists the flags by code, highest first', async () => {
    // 9 -> 6, 5; 6 -> 3, 8; 5 -> 2. Code -2 on 9 (depth 0) and 8 (depth 2); code -1 on 6, 5
    // (depth 1) and 3 (depth 2); code -3 on 2, found last. First found: -2, -1, -3.
    const sys = graph({ 9: [6, 5], 6: [3, 8], 5: [2] }, [9], { inspect: { 9: -2, 8: -2, 6: -1, 5: -1, 3: -1, 2: -3 } });
    const r = await exploreDepthFirst(sys);
    expect(r.verdict).toBe('pass');
    expect(r.flags).toEqual([
      // 6 is found before 5 at the same depth; 5 is the smaller state.
      { code: -1, name: 'code -1', count: 3, witness: { choices: [0, 1] } },
      // 8, found at depth 2 (under 6), does not displace the initial state 9.
      { code: -2, name: 'code -2', count: 2, witness: { choices: [0] } },
      { code: -3, name: 'code -3', count: 1, witness: { choices: [0, 1, 0] } },
    ]);
  });
});

describe('exploreDepthFirst: the stack and the depth reached', () => {
  it('a state with 3000 successors (a stack past 1024 entries) still expands its first successor first', async () => {
    const fanOut = Array.from({ length: 3000 }, (_, i) => i + 1);
    const r = await exploreDepthFirst(graph({ 0: fanOut }, [0], { terminal: { 1: 2 } }));
    expect(r.verdict).toBe('violation');
    if (r.verdict !== 'violation') return;
    expect([r.property, r.path.choices, r.stats.states]).toEqual(['code 2', [0, 0], 3001]);
  });

  it('stats.depth is the deepest discovery, not the last one', async () => {
    // 0 -> 1, 2; 1 -> 3 -> 4 (depth 3); 2 -> 5 is discovered last, at depth 2.
    const r = await exploreDepthFirst(graph({ 0: [1, 2], 1: [3], 3: [4], 2: [5] }, [0]));
    expect([r.verdict, r.stats.states, r.stats.depth]).toEqual(['pass', 6, 3]);
  });
});

describe('exploreDepthFirst: limits, checked after each batch of 4096 expansions (the state bound after each expansion)', () => {
  it('a space of several batches passes when no bound, or bounds it stays under, are given', async () => {
    for (const options of [{}, { maxStates: 1_000_000, maxSeconds: 3600 }, { signal: new AbortController().signal }]) {
      const r = await exploreDepthFirst(chain(9000), options);
      expect([r.verdict, r.stats.states, r.stats.transitions]).toEqual(['pass', 9001, 9000]);
    }
  });

  it('the state bound stops expanding as soon as it is reached, mid-batch', async () => {
    // Each expansion of the chain stores one state: 99 expansions store states 1..99.
    const r = await exploreDepthFirst(chain(10_000), { maxStates: 100 });
    expect(r.verdict === 'incomplete' && r.stoppedBy).toEqual({ kind: 'states', bound: 100 });
    expect(r.stats.states).toBe(100);
  });

  it('a memory bound below the resident size stops after the first batch', async () => {
    const r = await exploreDepthFirst(chain(20_000), { maxMemoryMB: 1 });
    expect(r.verdict === 'incomplete' && r.stoppedBy).toEqual({ kind: 'memory', bound: 1 });
    expect(r.stats.states).toBe(BATCH + 1);
  });

  it('an abort that arrives while it runs is seen after the batch (the search yields between batches)', async () => {
    const c = new AbortController();
    setImmediate(() => c.abort());
    const r = await exploreDepthFirst(endless(), { signal: c.signal, maxStates: 100_000 });
    expect(r.verdict === 'incomplete' && r.stoppedBy).toEqual({ kind: 'interrupted' });
    expect(r.stats.states).toBe(BATCH + 1);
  });
});

describe('exploreDepthFirst: progress, after each batch once progressEvery more states are stored', () => {
  it('reports at 8193 states (exactly the first mark) and then once 8193 more are stored', async () => {
    vi.spyOn(performance, 'now').mockReturnValue(1000);
    const seen: Progress[] = [];
    const r = await exploreDepthFirst(chain(20_000), { progressEvery: 8193, onProgress: (p) => seen.push(p) });
    expect(r.verdict).toBe('pass');
    // Batches end at 4097, 8193, 12289, 16385 and 20001 stored states.
    expect(seen.map((p) => [p.states, p.transitions, p.frontier, p.depth, p.seconds])).toEqual([
      [8193, 8192, 1, 8192, 0],
      [20_001, 20_000, 0, 20_000, 0],
    ]);
    // No time has passed on this clock: the rate divides by a nanosecond.
    expect(seen[0]!.statesPerSecond).toBe(8193 / 1e-9);
    expect(seen[0]!.memoryBytes).toBeGreaterThan(0);
  });

  it('reports every 65536 states by default', async () => {
    const seen: number[] = [];
    await exploreDepthFirst(chain(70_000), { onProgress: (p) => seen.push(p.states) });
    // The first batch end at or past 65536 stored states: 16 batches, 65537.
    expect(seen).toEqual([65_537]);
  });
});

describe('exploreDepthFirst: the clock', () => {
  it('seconds are the time since the start; the rate is states per second', async () => {
    vi.spyOn(performance, 'now').mockReturnValueOnce(1000).mockReturnValue(3000);
    const r = await exploreDepthFirst(chain(9));
    expect([r.stats.seconds, r.stats.statesPerSecond]).toEqual([2, 5]);
  });

  it('the time bound is passed only strictly: at exactly maxSeconds the run goes on; at 0 s the rate is the state count', async () => {
    vi.spyOn(performance, 'now').mockReturnValue(1000);
    const r = await exploreDepthFirst(chain(10_000), { maxSeconds: 0 });
    expect([r.verdict, r.stats.states, r.stats.seconds, r.stats.statesPerSecond]).toEqual(['pass', 10_001, 0, 10_001]);
  });
});
