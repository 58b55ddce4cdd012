/** A swarm search's successor orders and the union of coverage, on hand-made examples. */
import { describe, expect, it } from 'vitest';
import { exploreDepthFirst } from '../../checker/depth-first.js';
import type { TransitionSystem } from '../../checker/transition-system.js';
import type { CoverageReport } from '../../models/system/coverage.js';
import { coverageUnion, reordered } from '../../run/queue/swarm-search.js';
import { drawnGraph } from '../checker/toy-systems.js';

/** States 0..7 in one word; 0 → 1..5 (labels 10..14), 1..5 → 6, 6 → 7 (the end, 7 violates). */
const fan = drawnGraph((s) => (s === 0 ? [1, 2, 3, 4, 5].map((n) => [n, 9 + n] as const) : s <= 5 ? [[6, 0]] : s === 6 ? [[7, 0]] : []), {
  inspect: (state) => (state[0] === 7 ? 1 : 0),
  codeName: (c) => (c === 1 ? 'reached-7' : `code ${c}`),
});

const order = (sys: TransitionSystem): [number, number][] => {
  const seen: [number, number][] = [];
  const out = new Int32Array(1);
  sys.successors(Int32Array.of(0), out, (label) => void seen.push([out[0]!, label]));
  return seen;
};

describe('reordered', () => {
  it('search 0 keeps the order, search 1 reverses it, search 2 and 3 shuffle it (state and label together)', () => {
    expect(order(reordered(fan, 0))).toEqual([[1, 10], [2, 11], [3, 12], [4, 13], [5, 14]]);
    expect(order(reordered(fan, 1))).toEqual([[5, 14], [4, 13], [3, 12], [2, 11], [1, 10]]);
    for (const search of [2, 3]) {
      const o = order(reordered(fan, search));
      expect(o.map(([s, l]) => l - s)).toEqual([9, 9, 9, 9, 9]);
      expect(o.map(([s]) => s).sort()).toEqual([1, 2, 3, 4, 5]);
    }
    expect(order(reordered(fan, 2))).not.toEqual(order(reordered(fan, 3)));
  });

  it('stops emitting when the search says stop, and every order finds the violation at depth 3', async () => {
    let emitted = 0;
    reordered(fan, 1).successors(Int32Array.of(0), new Int32Array(1), () => ++emitted === 2);
    expect(emitted).toBe(2);
    for (const search of [0, 1, 2]) {
      const r = await exploreDepthFirst(reordered(fan, search));
      expect(r.verdict).toBe('violation');
      // 0, one of 1..5, 6, 7: depth-first stores the first child's line before its siblings are expanded.
      expect(r.verdict === 'violation' && r.path.choices.length - 1).toBe(3);
      expect(r.stats.states).toBe(8);
    }
  });
});

describe('coverageUnion', () => {
  const report = (events: number[], violations: number): CoverageReport => ({
    eventKinds: ['preempt', 'migrate'],
    programs: [{ name: 'main', instructions: [{ index: 0, text: 'nop', inCs: [], events: { preempt: events[0]!, migrate: events[1]! }, violations }] }],
  });
  it('adds the counts of every search, instruction by instruction', () => {
    expect(coverageUnion([report([1, 0], 0), report([2, 0], 1), report([0, 5], 0)]).programs[0]!.instructions[0]).toEqual({ index: 0, text: 'nop', inCs: [], events: { preempt: 3, migrate: 5 }, violations: 1 });
  });
});
