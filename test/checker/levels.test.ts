/**
 * The states per BFS level in the statistics (explore.ts, parallel/explore-parallel.ts), against
 * hand-worked level sizes.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../../checker/explore.js';
import { checkModel } from '../../run/check.js';
import { abortReadsRegister } from '../models/fixtures/abort-reads-register.js';
import { compile } from '../models/semantics-helpers.js';
import { chain, counter } from './toy-systems.js';

describe('statesPerLevel', () => {
  it('counts the states of each depth: the counter 0..6 with steps +1 and +2 has levels {0} {1,2} {3,4} {5,6}', async () => {
    const r = await explore(counter(6, -1));
    expect(r.verdict).toBe('pass');
    expect(r.stats.statesPerLevel).toEqual([1, 2, 2, 2]);
    expect(r.stats.depth).toBe(3);
  });

  it('ends with the level a violation was found in: counter 0..6 with 4 bad stops after storing {3,4}', async () => {
    const r = await explore(counter(6, 4));
    expect(r.verdict).toBe('violation');
    expect(r.stats.statesPerLevel).toEqual([1, 2, 2]);
    expect(r.stats.states).toBe(5);
  });

  it('is one state per level on a chain', async () => {
    const r = await explore(chain(4));
    expect(r.stats.statesPerLevel).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('statesPerWorkerLevel (parallel)', () => {
  // Workers load the compiled dist/ code: run `npm run build` first.
  it('splits the levels the workers expanded among them, and sums to the states per level', async () => {
    const ir = compile(abortReadsRegister);
    const one = await checkModel(ir, { policy: 'linux-6.19', parallelThreshold: 1, workers: 1 });
    const two = await checkModel(ir, { policy: 'linux-6.19', parallelThreshold: 1, workers: 2 });
    // The same levels whoever expands them (40 states: see test/e2e/parallel-end-state.test.ts).
    expect(two.stats.statesPerLevel).toEqual(one.stats.statesPerLevel);
    expect(one.stats.statesPerLevel!.reduce((a, b) => a + b, 0)).toBe(40);
    expect(one.stats.statesPerWorkerLevel).toBeUndefined();
    const perWorker = two.stats.statesPerWorkerLevel!;
    // Two threads expand: this one and one worker (a worker still starting may expand none).
    expect(two.stats.statesPerWorker).toHaveLength(2);
    expect(perWorker.length).toBe(two.stats.statesPerWorker!.length);
    // Each worker's row sums to what it expanded; the rows together expanded every state.
    expect(perWorker.map((levels) => levels.reduce((a, b) => a + b, 0))).toEqual(two.stats.statesPerWorker);
    const byLevel = perWorker[0]!.map((_, d) => perWorker.reduce((n, levels) => n + levels[d]!, 0));
    expect(byLevel).toEqual(one.stats.statesPerLevel!.slice(0, byLevel.length));
  });
});
