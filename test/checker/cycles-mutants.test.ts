/**
 * Hand-worked cases for the nested DFS (checker/graph/cycles.ts) written against the mutants
 * StrykerJS left alive (issue #15): its memory bound, the progress it reports, a fan-out cut at
 * maxStates. Systems are adjacency lists over states 0..n-1 (one word), edge i of s labelled i.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { searchAcceptingCycle } from '../../checker/graph/cycles.js';
import type { ProductSpec } from '../../checker/graph/product-steps.js';
import type { Progress } from '../../checker/options.js';
import type { TransitionSystem } from '../../checker/transition-system.js';
import { drawnGraph } from './toy-systems.js';

function system(succ: readonly (readonly number[])[]): TransitionSystem {
  return drawnGraph((s) => succ[s]!.map((to, i) => [to, i] as const), { inspect: () => 0, codeName: (c) => `code ${c}` });
}

/** The chain 0 -> 1 -> ... -> n-1, a deadlock at the end. */
const chain = (n: number): TransitionSystem => system(Array.from({ length: n }, (_, i) => (i + 1 < n ? [i + 1] : [])));

/** One automaton state, never accepting: the product is the system itself, and it passes. */
const never: ProductSpec = { buchiStates: 1, initial: [0], accepting: [false], step: (_q, _s, emit) => emit(0) };

/**
 * Bytes held with 2 words per product state (one system word + the automaton state) and fewer
 * than 1024 states: one arena chunk of 2^14 rows (131 072), the first table of 2^12 slots
 * (16 384) and the colours, one byte for each of 1024 states.
 */
const SMALL_BYTES = 131_072 + 16_384 + 1024;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('searchAcceptingCycle: counts and limits', () => {
  it('reports progress at the first expansion and after every 1024 more', async () => {
    // The chain of 3000 states: 3000 blue expansions (the last one a stutter), checks after the
    // 1st, the 1025th and the 2049th; the blue stack is then 1, 1025 and 2049 deep.
    const seen: Progress[] = [];
    expect(await searchAcceptingCycle(chain(3000), never, { onProgress: (p) => seen.push(p) })).toEqual({ verdict: 'pass', states: 3000, transitions: 3000 });
    expect(seen.map((p) => [p.states, p.transitions, p.frontier, p.depth])).toEqual([
      [2, 0, 0, 1],
      [1026, 1024, 0, 1025],
      [2050, 2048, 0, 2049],
    ]);
    expect(seen[0]!.memoryBytes).toBe(SMALL_BYTES);
    for (const p of seen) expect(p.statesPerSecond).toBeCloseTo(p.states / p.seconds, 3);
  });

  it('maxMemoryMB: stops when the resident size plus the growth two intervals ahead passes the bound', async () => {
    // At the first check 2 states are stored; two intervals ahead is 2 * 1024 more states: 2048
    // rows of 2 words (16 384 bytes), the table doubling from 2^12 slots (2 * 16 384) and a
    // colour byte each (2048): 51 200 bytes.
    const bound = 1024 * 1024;
    const rss = vi.spyOn(process.memoryUsage, 'rss');
    rss.mockReturnValue(bound - 51_200);
    expect(await searchAcceptingCycle(chain(10), never, { maxMemoryMB: 1 })).toEqual({ verdict: 'pass', states: 10, transitions: 10 });
    rss.mockReturnValue(bound - 51_199);
    expect(await searchAcceptingCycle(chain(10), never, { maxMemoryMB: 1 })).toEqual({ verdict: 'incomplete', stoppedBy: { kind: 'memory', bound: 1 }, states: 2, transitions: 0 });
  });

  it('maxStates stops a fan-out at the first state too many, not after the whole expansion', async () => {
    const fan = system([[1, 2, 3], [], [], []]);
    expect(await searchAcceptingCycle(fan, never, { maxStates: 1 })).toEqual({ verdict: 'incomplete', stoppedBy: { kind: 'states', bound: 1 }, states: 2, transitions: 0 });
  });
});
