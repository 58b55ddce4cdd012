/**
 * One partition's search (run/queue/partition-search.ts) without Redis: K partitions in one
 * process, batches handed over directly, levels driven as the coordinator drives them. On a
 * hand-worked system of numbers 0..7 (initial 0; the successors of n are n + 1 and 2n, when
 * below 8; 2 × 0 = 0 is a self-loop), breadth-first:
 *   depth 0: 0 | 1: 1 | 2: 2 | 3: 3, 4 | 4: 6 (= 2 × 3), 5 | 5: 7 | then nothing,
 * 8 states, 11 transitions (0: 2, 1: 2 (both 2), 2: 2, 3: 2, 4: 1, 5: 1, 6: 1, 7: 0), depth 5.
 * With 6 a violation, the search ends after depth 3: 7 states, 9 transitions, and the trace is
 * 0 → 1 → 2 → 3 → 6, choices [0, 0, 0, 0, 1], whichever partitions its states fall in.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../../checker/explore.js';
import type { TransitionSystem } from '../../checker/transition-system.js';
import { decodeBatch } from '../../run/queue/partition-protocol.js';
import { PartitionSearch } from '../../run/queue/partition-search.js';
import { drawnGraph } from '../checker/toy-systems.js';

const numbers = (violation?: number): TransitionSystem =>
  drawnGraph((n) => [n + 1, 2 * n].filter((next) => next < 8).map((next) => [next, 0] as const), {
    inspect: (s) => (s[0] === violation ? 1 : 0),
    codeName: (c) => (c === 1 ? 'six' : `code ${c}`),
  });

/** The coordinator's loop in one process: totals, and the path to the best violation. */
async function partitioned(sys: TransitionSystem, k: number) {
  const parts = Array.from({ length: k }, (_, p) => new PartitionSearch(sys, p, k));
  for (const p of parts) p.init();
  let depth = 0;
  for (let d = 0; ; d++) {
    if (parts.some((p) => p.violation()) || parts.every((p) => p.newest === 0)) break;
    depth = d;
    for (const p of parts) expect(await p.expand(d, () => undefined)).toBeUndefined();
    const mail = parts.map((_, dest) => parts.flatMap((p) => [...p.batchesFor(dest)]));
    for (const [dest, batches] of mail.entries())
      for (const b of batches) expect(parts[dest]!.receive(decodeBatch(Buffer.from(b.buffer), 1, k)!, d)).toBe(true);
  }
  const found = parts.flatMap((p, i) => (p.violation() ? [[i, p.violation()!] as const] : []));
  let path: number[] | undefined;
  if (found.length > 0) {
    const parts2: number[][] = [];
    for (let at: { partition: number; id: number } | undefined = { partition: found[0]![0], id: found[0]![1].id }; at; ) {
      const link = parts[at.partition]!.linkFrom(at.id);
      parts2.push(link.choices);
      at = link.parent;
    }
    path = parts2.reverse().flat();
  }
  return { states: parts.reduce((n, p) => n + p.store.count, 0), transitions: parts.reduce((n, p) => n + p.transitions, 0), depth, path, perPartition: parts.map((p) => p.store.count) };
}

describe('a partitioned breadth-first search, in one process', () => {
  it.each([1, 2, 3, 5])('K=%i: 8 states, 11 transitions, depth 5, as one search', async (k) => {
    const r = await partitioned(numbers(), k);
    expect(r).toMatchObject({ states: 8, transitions: 11, depth: 5, path: undefined });
    expect(r.perPartition).toHaveLength(k);
    const single = await explore(numbers());
    expect(single.stats).toMatchObject({ states: 8, transitions: 11, depth: 5 });
  });

  it.each([1, 2, 3, 5])('K=%i: the violation at 6 ends it after depth 3 (7 states, 9 transitions) with the trace [0, 0, 0, 0, 1]', async (k) => {
    const r = await partitioned(numbers(6), k);
    expect(r).toMatchObject({ states: 7, transitions: 9, depth: 3, path: [0, 0, 0, 0, 1] });
    const single = await explore(numbers(6));
    expect(single.verdict === 'violation' && single.path.choices).toEqual([0, 0, 0, 0, 1]);
    expect(single.stats).toMatchObject({ states: 7, transitions: 9, depth: 3 });
  });

  it('refuses a batch record that belongs to another partition', () => {
    const [a, b] = [new PartitionSearch(numbers(), 0, 2), new PartitionSearch(numbers(), 1, 2)];
    // A record (state 0, parent 0, choice 0, cost 0) sent to both: exactly one owns it.
    const batch = Int32Array.from([0, 1, 0, 0, 0, 0]);
    expect([a.receive(batch, 0), b.receive(batch.slice(), 0)].sort()).toEqual([false, true]);
  });
});
