/**
 * What a parallel worker imports to rebuild the transition system of a check from plain data
 * (see checker/parallel/protocol.ts). The parameters are the validated model, the resolved
 * policy and the check options that shape the system.
 */
import type { TransitionSystem } from '../checker/transition-system.js';
import { buildSystem } from '../models/system/build.js';
import type { CheckOptions } from './options.js';
import type { ModelIR } from '../models/ir/types.js';
import type { Policy } from '../models/kernel/policy.js';

export interface SystemParams {
  readonly ir: ModelIR;
  readonly policy: Policy;
  readonly options: Pick<CheckOptions, 'budgets' | 'properties' | 'constants' | 'symmetry' | 'reduce' | 'disable'>;
}

export function createSystem(params: SystemParams): TransitionSystem {
  return buildSystem(params.ir, params.policy, params.options);
}
