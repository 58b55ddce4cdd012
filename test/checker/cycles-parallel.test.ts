/**
 * The concurrent nested DFS (checker/graph/concurrent-ndfs.ts) against the one-thread nested
 * DFS (cycles.ts) on pseudo-random graphs: the same verdict at 2 and 3 workers, the same counts
 * on a pass, and every lasso a real accepting cycle of the graph. Also: a product large enough
 * that the shared table grows several times while workers insert, the limits, and a worker
 * that dies.
 */
import { describe, expect, it } from 'vitest';
import { findAcceptingCycle, type CycleResult } from '../../checker/graph/cycles.js';
import { cycleStoreCapacity, searchAcceptingCycleParallel, type ParallelCycleOptions } from '../../checker/graph/cycles-parallel.js';
import { createProduct, lassoProblem, randomProductFactory, type GraphParams } from './random-product.js';

const factory = randomProductFactory;

const inParallel = (params: GraphParams, options: ParallelCycleOptions): Promise<CycleResult> =>
  searchAcceptingCycleParallel(1, { factory, params, key: `random:${JSON.stringify(params)}:${Math.random()}` }, options);

/** Why the result is not an accepting lasso of the graph, or 'ok'. */
function problem(params: GraphParams, r: CycleResult): string {
  if (r.verdict !== 'violation') return `no lasso: ${r.verdict}`;
  if (r.loopStart !== r.stem.length - 1) return `loopStart ${r.loopStart} for a stem of ${r.stem.length}`;
  return lassoProblem(params, r.stem, r.cycle);
}

const graphs: GraphParams[] = Array.from({ length: 30 }, (_, i) => {
  const seed = 3 * i + 1;
  // Mostly forward edges, 0-3 % back edges: about as many passes as lassos.
  return { nodes: 200 + ((seed * 37) % 3000), maxDegree: 2 + (seed % 2), minDegree: 1, seed, acceptEvery: 5 + (seed % 7) * 5, backPercent: i % 4 };
});

describe('concurrent nested DFS against the one-thread nested DFS', () => {
  const verdicts = { pass: 0, violation: 0 };
  it.each(graphs)('graph %j: same verdict at 2 and 3 workers, same counts on a pass, lassos that are accepting cycles', async (params) => {
    const { system, spec } = createProduct(params);
    const alone = findAcceptingCycle(system, spec);
    for (const workers of [2, 3]) {
      const r = await inParallel(params, { workers });
      expect(r.verdict).toBe(alone.verdict);
      if (r.verdict === 'pass') expect([r.states, r.transitions]).toEqual([alone.states, alone.transitions]);
      else expect(problem(params, r)).toBe('ok');
    }
    if (alone.verdict === 'pass' || alone.verdict === 'violation') verdicts[alone.verdict]++;
  });
  it('both verdicts occurred (the comparisons above are not vacuous)', () => {
    expect(verdicts.pass).toBeGreaterThan(10);
    expect(verdicts.violation).toBeGreaterThan(10);
  });

  it('a pass over 112 468 product states, with accepting states, while the table grows from 2^16 to 2^18 slots: the counts of one thread at 1, 2 and 4 workers', async () => {
    const params = { nodes: 200_000, maxDegree: 3, seed: 5, acceptEvery: 9, backPercent: 0 };
    const { system, spec } = createProduct(params);
    const alone = findAcceptingCycle(system, spec);
    expect(alone).toEqual({ verdict: 'pass', states: 112_468, transitions: 196_582 });
    for (const workers of [1, 2, 4]) expect(await inParallel(params, { workers })).toEqual(alone);
  });

  it('a lasso found by every worker count on a large graph is an accepting cycle', async () => {
    // One node in 99 991 accepts: the one-thread search stores 52 767 states before its lasso (stem 11 006, cycle 1 022 steps).
    const params = { nodes: 100_000, maxDegree: 2, minDegree: 1, seed: 17, acceptEvery: 99_991 };
    for (const workers of [1, 2, 4]) expect(problem(params, await inParallel(params, { workers }))).toBe('ok');
  });
});

describe('limits and failures of the parallel cycle search', () => {
  const big = { nodes: 200_000, maxDegree: 3, seed: 5, acceptEvery: 9, backPercent: 0 };
  it('--max-states: incomplete, with at least that many states stored', async () => {
    const r = await inParallel(big, { workers: 2, maxStates: 5_000 });
    expect(r).toMatchObject({ verdict: 'incomplete', stoppedBy: { kind: 'states', bound: 5_000 } });
    expect(r.states).toBeGreaterThan(5_000);
    expect(r.states).toBeLessThan(112_468);
  });
  it('an aborted signal: incomplete (interrupted), also with a limit on states that was not reached', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await inParallel(big, { workers: 2, signal: controller.signal })).toMatchObject({ verdict: 'incomplete', stoppedBy: { kind: 'interrupted' } });
    expect(await inParallel(big, { workers: 2, signal: controller.signal, maxStates: 10_000_000 })).toMatchObject({ verdict: 'incomplete', stoppedBy: { kind: 'interrupted' } });
  });
  it('--max-seconds that is not reached changes nothing', async () => {
    expect(await inParallel(big, { workers: 2, maxSeconds: 3600 })).toMatchObject({ verdict: 'pass', states: 112_468 });
  });
  it('--max-seconds 0: incomplete (time)', async () => {
    expect(await inParallel(big, { workers: 2, maxSeconds: 0 })).toMatchObject({ verdict: 'incomplete', stoppedBy: { kind: 'time', bound: 0 } });
  });
  it('--max-memory below what the process already holds: incomplete (memory), with the bound', async () => {
    expect(await inParallel(big, { workers: 2, maxMemoryMB: 1 })).toMatchObject({ verdict: 'incomplete', stoppedBy: { kind: 'memory', bound: 1 } });
  });
  it('progress: reported while the workers search, with the states and transitions counted so far', async () => {
    const seen: { states: number; transitions: number; memoryBytes: number }[] = [];
    const r = await inParallel(big, { workers: 2, onProgress: (p) => seen.push(p) });
    expect(r.verdict).toBe('pass');
    // The first report comes before any search, the last no later than the end, and none after it.
    expect(seen[0]).toMatchObject({ states: 0, transitions: 0 });
    expect(seen.at(-1)!.states).toBeLessThanOrEqual(r.states);
    expect(seen.every((p) => p.memoryBytes > 0)).toBe(true);
    const reports = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(seen.length).toBe(reports);
  });
  it('a worker that dies fails the search, never a verdict, and says why', async () => {
    const failure = await inParallel(big, { workers: 2, crashWorker: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/^a worker of the parallel cycle search failed: .*(exit|terminat)/i);
    expect((failure as Error).cause).toBeInstanceOf(Error);
  });
});

describe('the room the parallel cycle search reserves', () => {
  it('what the memory holds at the bytes per state, within the arena and state caps, and the state limit with a margin, at least 2^16', () => {
    // 2 words, 2 workers: 2 * 4 + 1 + 5 * 2 + 16 = 35 bytes per state.
    expect(cycleStoreCapacity(2, 2, 2 ** 30)).toBe(Math.floor(2 ** 30 / 35));
    expect(cycleStoreCapacity(2, 4, 2 ** 30)).toBe(Math.floor(2 ** 30 / 45));
    expect(cycleStoreCapacity(2, 2, 2 ** 30, 1_000_000)).toBe(1_004_096);
    expect(cycleStoreCapacity(2, 2, 2 ** 30, 1_000)).toBe(65_536);
    expect(cycleStoreCapacity(2, 2, 2 ** 40)).toBe(2 ** 27);
    expect(cycleStoreCapacity(1_000, 1, 2 ** 40)).toBe(Math.floor(2 ** 31 / 4_000));
  });
});
