/**
 * Worker thread for whole checks: review cells and properties of one model run side by side
 * in a pool (run/task-pool.ts), each worker exploring in-process. Results are plain data, so
 * they travel as they are.
 */
import workerpool from 'workerpool';
import type { ModelIR } from '../models/ir/types.js';
import type { ModelInput } from '../models/ir/schema.js';
import { reviewCell, type ReviewCellLimits } from './review-cell.js';
import type { ReviewCell, TemporalResult } from './result.js';
import { abortReasons } from './task-pool.js';
import { checkTemporal, type TemporalOptions } from './temporal.js';

/** How often a worker looks at the pool's abort flag (its search turns the event loop at every check of its limits). */
const POLL_MS = 50;

/** Runs `f` with an AbortSignal that aborts once the pool's shared flag (task-pool.ts) is raised. */
async function withSharedAbort<T>(flag: SharedArrayBuffer, f: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const raised = new Int32Array(flag);
  const look = (): void => {
    const code = Atomics.load(raised, 0);
    if (code !== 0) controller.abort(abortReasons[code]);
  };
  look();
  const timer = setInterval(look, POLL_MS);
  try {
    return await f(controller.signal);
  } finally {
    clearInterval(timer);
  }
}

function temporal(ir: ModelIR, options: TemporalOptions, flag: SharedArrayBuffer): Promise<TemporalResult> {
  return withSharedAbort(flag, (signal) => checkTemporal(ir, { ...options, workers: 1, signal }));
}

function cell(model: ModelInput, scenario: string, policy: string, limits: Omit<ReviewCellLimits, 'signal'>, flag: SharedArrayBuffer): Promise<ReviewCell> {
  return withSharedAbort(flag, (signal) => reviewCell(model, scenario, policy, { ...limits, signal }));
}

workerpool.worker({ cell, temporal });
