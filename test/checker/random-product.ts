/**
 * The random-graph product of fixtures/random-product.mjs, typed for the cycle-search tests,
 * and the check that a lasso found in it is an accepting cycle of the graph.
 */
import type { ProductSpec } from '../../checker/graph/product-steps.js';
import type { TransitionSystem } from '../../checker/transition-system.js';

export interface GraphParams {
  readonly nodes: number;
  readonly maxDegree: number;
  readonly seed: number;
  readonly acceptEvery: number;
  readonly minDegree?: number;
  readonly backPercent?: number;
}

/** The fixture's URL (workers import it to build the product). */
export const randomProductFactory = new URL('./fixtures/random-product.mjs', import.meta.url).href;

export const { createProduct } = (await import(randomProductFactory)) as {
  createProduct(p: GraphParams): { system: TransitionSystem; spec: ProductSpec; succ: number[][]; accepting(n: number): boolean };
};

/** Why (stem, cycle) is not an accepting cycle of the graph reached from node 0, or 'ok'. */
export function lassoProblem(params: GraphParams, stem: readonly number[], cycle: readonly number[]): string {
  const { succ, accepting } = createProduct(params);
  if (stem[0] !== 0) return `initial choice ${stem[0]}`;
  let n = 0;
  for (const c of stem.slice(1)) {
    const t = succ[n]![c];
    if (t === undefined) return `no successor ${c} of node ${n} in the stem`;
    n = t;
  }
  const loop = n;
  let accepts = accepting(n);
  for (const c of cycle) {
    const t = succ[n]![c];
    if (t === undefined) return `no successor ${c} of node ${n} in the cycle`;
    n = t;
    accepts ||= accepting(n);
  }
  if (n !== loop) return `the cycle ends at ${n}, not at ${loop}`;
  if (cycle.length === 0 && succ[loop]!.length > 0) return `an empty cycle at node ${loop}, which has successors`;
  return accepts ? 'ok' : 'no accepting node on the cycle';
}
