/**
 * Runs independent checks (review cells, several temporal properties of one model) at once on
 * a pool of worker threads, one check per worker at a time. Bad input is reported before any
 * worker starts; a worker that fails makes the whole batch fail. Aborting the caller's signal
 * raises a flag every worker shares, so each check ends incomplete with what it found so far.
 */
import workerpool from 'workerpool';
import { compiledModule } from '../checker/compiled-module.js';
import { InputErrors } from '../models/ir/errors.js';
import type { ModelIR } from '../models/ir/types.js';
import type { ModelInput } from '../models/ir/schema.js';
import type { ReviewCell, TemporalResult } from './result.js';
import type { ReviewCellLimits } from './review-cell.js';
import { prepareTemporal, type TemporalOptions } from './temporal.js';

/** A pool of task workers for the duration of `use`. */
async function withPool<T>(workers: number, use: (pool: workerpool.Pool) => Promise<T>): Promise<T> {
  const pool = workerpool.pool(compiledModule(import.meta.url, 'run', 'task-worker.js'), { maxWorkers: workers, workerType: 'thread' });
  try {
    return await use(pool);
  } finally {
    await pool.terminate(true);
  }
}

/** The abort flag's values: 0 not aborted, else aborted with no named signal, SIGINT or SIGTERM (task-worker.ts reads them back). */
export const abortReasons = [undefined, undefined, 'SIGINT', 'SIGTERM'] as const;

const abortCode = (reason: unknown): number => Math.max(1, abortReasons.indexOf(reason as (typeof abortReasons)[number], 2));

/**
 * An abort flag workers can read (an AbortSignal does not cross threads): set when `signal`
 * aborts, until `release` is called.
 */
function sharedAbortFlag(signal: AbortSignal | undefined): { flag: SharedArrayBuffer; release: () => void } {
  const flag = new SharedArrayBuffer(4);
  const raise = (): void => void Atomics.store(new Int32Array(flag), 0, abortCode(signal?.reason));
  if (signal?.aborted) raise();
  signal?.addEventListener('abort', raise);
  return { flag, release: () => signal?.removeEventListener('abort', raise) };
}

/** Review cells (scenario model, scenario id, policy), computed concurrently; each stops when `limits.signal` aborts or at `limits.deadline`. */
export async function reviewCellsInPool(
  cells: readonly { model: ModelInput; scenario: string; policy: string }[],
  workers: number,
  limits: ReviewCellLimits = {},
  onCell?: () => void,
): Promise<ReviewCell[]> {
  const { signal, ...plain } = limits;
  const { flag, release } = sharedAbortFlag(signal);
  try {
    return await withPool(workers, (pool) =>
      Promise.all(
        cells.map(async (c) => {
          const cell = (await pool.exec('cell', [c.model, c.scenario, c.policy, plain, flag])) as ReviewCell;
          onCell?.();
          return cell;
        }),
      ),
    );
  } finally {
    release();
  }
}

/**
 * Several temporal checks of one model, concurrently; each result as `checkTemporal` returns it.
 * Aborting `signal` stops them all; `onDone` is called as each ends (for a progress line).
 */
export async function checkTemporalMany(ir: ModelIR, list: readonly TemporalOptions[], workers: number, signal?: AbortSignal, onDone?: () => void): Promise<TemporalResult[]> {
  // Parse and compile every property here first, so bad input fails before any worker starts.
  for (const o of list) prepareTemporal(ir, o);
  const plain = list.map(({ signal: _s, onProgress: _p, ...o }) => o);
  const { flag, release } = sharedAbortFlag(signal);
  try {
    return await withPool(workers, (pool) =>
      Promise.all(
        plain.map(async (o) => {
          const r = (await pool.exec('temporal', [ir, o, flag])) as TemporalResult;
          onDone?.();
          return r;
        }),
      ),
    );
  } catch (e) {
    if (e instanceof InputErrors) throw e;
    throw new Error(`a worker failed while checking temporal properties: ${e instanceof Error ? e.message : String(e)}; no verdict`, { cause: e });
  } finally {
    release();
  }
}
