/**
 * Hand-worked cases for the coordinating thread of the parallel cycle search
 * (checker/graph/cycles-parallel.ts) against the mutants StrykerJS left alive (issue #15): the
 * worker count, the memory bound's look-ahead, the room reserved from the machine's memory,
 * progress and the failure message. The machine's memory is mocked (node:os `totalmem`), hence
 * a file of its own.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findAcceptingCycle, type CycleResult } from '../../checker/graph/cycles.js';
import { searchAcceptingCycleParallel, type ParallelCycleOptions } from '../../checker/graph/cycles-parallel.js';
import type { Progress } from '../../checker/options.js';
import { createProduct, randomProductFactory, type GraphParams } from './random-product.js';

/** The machine's memory as `totalmem` reports it (real unless a test sets it). */
const machine = vi.hoisted(() => ({ bytes: undefined as number | undefined }));
vi.mock('node:os', async (importOriginal) => {
  const os = await importOriginal<typeof import('node:os')>();
  return { ...os, totalmem: () => machine.bytes ?? os.totalmem() };
});

afterEach(() => {
  machine.bytes = undefined;
  vi.restoreAllMocks();
});

const inParallel = (params: GraphParams, options: ParallelCycleOptions): Promise<CycleResult> =>
  searchAcceptingCycleParallel(1, { factory: randomProductFactory, params, key: `random:${JSON.stringify(params)}:${Math.random()}` }, options);

/** An acyclic graph of 300 nodes: a pass, far below 1024 product states. */
const small: GraphParams = { nodes: 300, maxDegree: 3, seed: 3, acceptEvery: 9, backPercent: 0 };
/** An acyclic graph of 67 853 product states (a pass), more than the least room the store reserves (2^16). */
const large: GraphParams = { nodes: 120_000, maxDegree: 3, seed: 5, acceptEvery: 9, backPercent: 0 };

describe('parallel cycle search: workers and memory', () => {
  it('workers: 0 searches with one worker (at least one), with the one-thread counts; progress counts the seconds since the search began', async () => {
    const { system, spec } = createProduct(small);
    const alone = findAcceptingCycle(system, spec);
    expect(alone.verdict).toBe('pass');
    const seen: Progress[] = [];
    const before = performance.now();
    expect(await inParallel(small, { workers: 0, onProgress: (p) => seen.push(p) })).toEqual(alone);
    const elapsed = (performance.now() - before) / 1000;
    expect(seen.length).toBeGreaterThan(0);
    for (const p of seen) expect(p.seconds).toBeLessThanOrEqual(elapsed);
  });

  it('--max-memory looks two intervals ahead: 2 * 1024 states of shared row, colour and the workers\' 5 bytes each', async () => {
    // With 2 workers and 2 words (one system word, the automaton state) per row: 2048 * (8 + 1 +
    // 2 * 5) = 38 912 bytes; the first table (2^16 slots) is not due to grow under 1024 states.
    const bound = 1024 * 1024;
    const rss = vi.spyOn(process.memoryUsage, 'rss');
    rss.mockReturnValue(bound - 38_912);
    expect(await inParallel(small, { workers: 2, maxMemoryMB: 1 })).toMatchObject({ verdict: 'pass' });
    rss.mockReturnValue(bound - 38_911);
    expect(await inParallel(small, { workers: 2, maxMemoryMB: 1 })).toMatchObject({ verdict: 'incomplete', stoppedBy: { kind: 'memory', bound: 1 } });
  });

  it('without --max-memory the store reserves room for what 60 % of the machine\'s memory holds: past it, incomplete (memory); progress meanwhile', async () => {
    // 2 MiB of memory: 60 % is 1.2 MiB, at 30 bytes a state (2 words, 1 worker) room for 41 943
    // states, raised to the least room, 2^16: fewer than the 67 853 of the graph.
    machine.bytes = 2 * 2 ** 20;
    const seen: Progress[] = [];
    expect(await inParallel(large, { workers: 1, onProgress: (p) => seen.push(p) })).toMatchObject({ verdict: 'incomplete', stoppedBy: { kind: 'memory', bound: 1 } });
    // Progress reports the states per second of the states stored so far.
    const during = seen.filter((p) => p.states > 0);
    expect(during.length).toBeGreaterThan(0);
    for (const p of during) expect(p.statesPerSecond).toBeCloseTo(p.states / p.seconds, 3);
  });

  it('with --max-memory the store reserves room for what that bound holds, not the machine\'s memory', async () => {
    // 8 MiB at 30 bytes a state: room for 279 620 states, the whole graph (a pass); the process's
    // own size is taken as 0 so that only the room decides. 60 % of a 2 MiB machine would hold 2^16.
    machine.bytes = 2 * 2 ** 20;
    vi.spyOn(process.memoryUsage, 'rss').mockReturnValue(0);
    expect(await inParallel(large, { workers: 1, maxMemoryMB: 8 })).toMatchObject({ verdict: 'pass', states: 67_853 });
  });
});

describe('parallel cycle search: failures', () => {
  it('a worker that dies: the error says the cause\'s message', async () => {
    const failure = await inParallel(small, { workers: 2, crashWorker: 0 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(Error);
    const { message, cause } = failure as Error;
    expect(cause).toBeInstanceOf(Error);
    expect(message).toBe(`a worker of the parallel cycle search failed: ${(cause as Error).message}`);
  });
});
