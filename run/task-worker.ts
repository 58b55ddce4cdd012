/**
 * Worker thread for whole checks: review cells and properties of one model run side by side
 * in a pool (models/task-pool.ts), each worker exploring in-process. Results travel as plain
 * data (no functions); the pool side re-attaches `explain`.
 */
import workerpool from 'workerpool';
import type { ModelIR } from '../models/ir/types.js';
import { reviewCell } from './review-cell.js';
import { checkTemporal, type TemporalOptions, type TemporalResultData } from './temporal.js';

async function temporal(ir: ModelIR, options: TemporalOptions): Promise<TemporalResultData> {
  const { explain: _explain, ...data } = await checkTemporal(ir, { ...options, workers: 1 });
  return data;
}

workerpool.worker({ cell: reviewCell, temporal });
