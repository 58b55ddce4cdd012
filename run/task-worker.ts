/**
 * Worker thread for whole checks: review cells and properties of one model run side by side
 * in a pool (run/task-pool.ts), each worker exploring in-process. Results are plain data, so
 * they travel as they are.
 */
import workerpool from 'workerpool';
import type { ModelIR } from '../models/ir/types.js';
import { reviewCell } from './review-cell.js';
import type { TemporalResult } from './result.js';
import { checkTemporal, type TemporalOptions } from './temporal.js';

function temporal(ir: ModelIR, options: TemporalOptions): Promise<TemporalResult> {
  return checkTemporal(ir, { ...options, workers: 1 });
}

workerpool.worker({ cell: reviewCell, temporal });
