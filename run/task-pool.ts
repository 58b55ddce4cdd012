/**
 * Runs independent checks (review cells, several temporal properties of one model) at once on
 * a pool of worker threads, one check per worker at a time. Bad input is reported before any
 * worker starts; a worker that fails makes the whole batch fail.
 */
import workerpool from 'workerpool';
import { compiledModule } from '../checker/parallel/explore-parallel.js';
import { InputErrors } from '../models/ir/errors.js';
import type { ModelIR } from '../models/ir/types.js';
import type { ModelInput } from '../models/ir/schema.js';
import type { ReviewCell, TemporalResult } from './result.js';
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

/** Review cells (scenario model, scenario id, policy), computed concurrently. */
export async function reviewCellsInPool(cells: readonly { model: ModelInput; scenario: string; policy: string }[], workers: number): Promise<ReviewCell[]> {
  return withPool(workers, (pool) => Promise.all(cells.map((c) => pool.exec('cell', [c.model, c.scenario, c.policy]) as unknown as Promise<ReviewCell>)));
}

/** Several temporal checks of one model, concurrently; each result as `checkTemporal` returns it. */
export async function checkTemporalMany(ir: ModelIR, list: readonly TemporalOptions[], workers: number): Promise<TemporalResult[]> {
  // Parse and compile every property here first, so bad input fails before any worker starts.
  for (const o of list) prepareTemporal(ir, o);
  const plain = list.map(({ signal: _s, onProgress: _p, ...o }) => o);
  try {
    return await withPool(workers, (pool) => Promise.all(plain.map((o) => pool.exec('temporal', [ir, o]) as unknown as Promise<TemporalResult>)));
  } catch (e) {
    if (e instanceof InputErrors) throw e;
    throw new Error(`a worker failed while checking temporal properties: ${e instanceof Error ? e.message : String(e)}; no verdict`, { cause: e });
  }
}
