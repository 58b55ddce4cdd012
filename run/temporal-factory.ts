/**
 * What a worker of the parallel cycle search imports to rebuild a temporal check's product
 * (the transition system and the Büchi automaton of the negated property) from plain data
 * (see checker/graph/cycle-worker.ts).
 */
import type { ProductSpec } from '../checker/graph/product-steps.js';
import type { TransitionSystem } from '../checker/transition-system.js';
import type { ModelIR } from '../models/ir/types.js';
import { prepareTemporal, type TemporalOptions } from './temporal.js';

export interface TemporalProductParams {
  readonly ir: ModelIR;
  /** The check's options without its callbacks and abort signal. */
  readonly options: Omit<TemporalOptions, 'signal' | 'onProgress'>;
}

export function createProduct(params: TemporalProductParams): { system: TransitionSystem; spec: ProductSpec } {
  const { sys, spec } = prepareTemporal(params.ir, params.options);
  return { system: sys, spec };
}
