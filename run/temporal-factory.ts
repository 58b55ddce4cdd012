/**
 * What a parallel worker imports to rebuild the product of a temporal check (the system with
 * its LTL ghosts times the Büchi automaton of the negated property) from plain data.
 */
import { ProductSystem } from '../checker/temporal/product.js';
import type { TransitionSystem } from '../checker/transition-system.js';
import { prepareTemporal, type TemporalParams } from './temporal.js';

export function createSystem(params: TemporalParams): TransitionSystem {
  const { sys, spec } = prepareTemporal(params.ir, params.options);
  return new ProductSystem(sys, spec);
}
