/**
 * How the threads of a parallel level share its batches (checker/parallel/level-expander.ts):
 * each works through its own segment of consecutive batches, then takes what is left of the
 * others'; every batch is claimed exactly once.
 */
import { describe, expect, it } from 'vitest';
import { claimBatch, segmentClaims } from '../../checker/parallel/level-expander.js';

/** Claims until none is left, thread `order[i % order.length]` claiming the i-th time. */
function drain(batches: number, threads: number, order: readonly number[]): number[][] {
  const claims = new Int32Array(segmentClaims(batches, threads));
  const got: number[][] = Array.from({ length: threads }, () => []);
  for (let i = 0; ; i++) {
    const t = order[i % order.length]!;
    const b = claimBatch(claims, t);
    if (b < 0) break;
    got[t]!.push(b);
  }
  return got;
}

describe('segmentClaims and claimBatch', () => {
  it('10 batches, 2 threads: segments 0-4 and 5-9, each thread first through its own', () => {
    const claims = new Int32Array(segmentClaims(10, 2));
    expect([...claims]).toEqual([0, 5, 5, 10]);
    expect([claimBatch(claims, 0), claimBatch(claims, 1), claimBatch(claims, 0), claimBatch(claims, 1)]).toEqual([0, 5, 1, 6]);
  });

  it('a thread done with its segment takes the rest of the next one', () => {
    // Thread 1 claims 3 times for each claim of thread 0: it finishes 5-9 while thread 0 has
    // taken 0 and 1, then takes 2 and, after thread 0's 3, 4.
    expect(drain(10, 2, [0, 1, 1, 1])).toEqual([
      [0, 1, 3],
      [5, 6, 7, 8, 9, 2, 4],
    ]);
  });

  it('7 batches, 3 threads: segments 0-1, 2-3, 4-6; every batch once, then -1 for everyone', () => {
    expect([...new Int32Array(segmentClaims(7, 3))]).toEqual([0, 2, 4, 2, 4, 7]);
    const got = drain(7, 3, [2, 2, 2, 2, 0, 1]);
    expect(got.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(got[2]!.slice(0, 3)).toEqual([4, 5, 6]);
    const claims = new Int32Array(segmentClaims(7, 3));
    for (let i = 0; i < 7; i++) claimBatch(claims, i % 3);
    expect([claimBatch(claims, 0), claimBatch(claims, 1), claimBatch(claims, 2)]).toEqual([-1, -1, -1]);
  });

  it('fewer batches than threads: the empty segments send their threads to the others', () => {
    expect([...new Int32Array(segmentClaims(1, 2))]).toEqual([0, 0, 0, 1]);
    expect(drain(1, 2, [0, 1])).toEqual([[0], []]);
    expect(drain(0, 2, [0, 1])).toEqual([[], []]);
  });
});
