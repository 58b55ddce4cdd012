/**
 * The fewest-events choice among shortest counterexamples holds under parallel workers: with
 * a threshold of 1 state and batches of 1 state every level is expanded by 2 racing workers
 * that relink states in the shared store. Workers load the system by URL (a plain module,
 * test/checker/fixtures/layered-costs.mjs) and run the compiled dist/ code: build first.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../../checker/explore.js';
import { exploreParallel } from '../../checker/parallel/explore-parallel.js';
import type { TransitionSystem } from '../../checker/transition-system.js';

const factory = new URL('./fixtures/layered-costs.mjs', import.meta.url).href;
const { createSystem, linkCost } = (await import(factory)) as {
  createSystem(p: { width: number; layers: number }): TransitionSystem;
  linkCost(layer: number, from: number, to: number): number;
};

/** The cost of a path of choices (initial state 0, then the node chosen in each next layer). */
function pathCost(choices: readonly number[]): number {
  let cost = 0;
  let from = 0;
  for (let layer = 0; layer + 1 < choices.length; layer++) {
    const to = choices[layer + 1]!;
    cost += linkCost(layer, from, to);
    from = to;
  }
  return cost;
}

async function run(width: number, layers: number, workers: number): Promise<readonly number[]> {
  const params = { width, layers };
  const spec = { factory, params, key: `layered:${width}:${layers}:${Math.random()}` };
  const r = workers === 1 ? await explore(createSystem(params)) : await exploreParallel(createSystem(params), spec, { workers, threshold: 1, batchSize: 1 });
  if (r.verdict !== 'violation') throw new Error(`expected a violation, got ${r.verdict}`);
  return r.path.choices;
}

describe('fewest events among shortest counterexamples, at any worker count', () => {
  it('3 x 4 layers (worked by hand): 0 -> (1,0) -> (2,2) -> (3,0) costs 0; the first path found, through node 0, costs 2', async () => {
    const { tieCost: _, ...plain } = createSystem({ width: 3, layers: 4 });
    const first = await explore(plain);
    expect(first.verdict === 'violation' && [first.path.choices, pathCost(first.path.choices)]).toEqual([[0, 0, 0, 0], 2]);
    for (const workers of [1, 2]) expect(await run(3, 4, workers), `${workers} workers`).toEqual([0, 0, 2, 0]);
  });

  it('8 x 9 layers: 1 and 2 workers return shortest paths of the same, least cost', async () => {
    // Least cost to each node, layer by layer.
    let best = [0, ...Array<number>(7).fill(Infinity)];
    for (let layer = 0; layer + 1 < 9; layer++) {
      best = Array.from({ length: 8 }, (_, to) => Math.min(...best.map((c, from) => c + linkCost(layer, from, to))));
    }
    const one = await run(8, 9, 1);
    const two = await run(8, 9, 2);
    expect([one.length, pathCost(one)]).toEqual([9, best[0]]);
    expect([two.length, pathCost(two)]).toEqual([9, best[0]]);
  });
});
