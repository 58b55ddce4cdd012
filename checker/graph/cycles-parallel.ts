/**
 * The accepting-cycle search of cycles.ts on worker threads: every worker runs the concurrent
 * nested DFS (concurrent-ndfs.ts) over one shared store, and the first lasso or the first
 * finished search decides. This thread only watches: the limits, the abort signal and progress,
 * every POLL_MS.
 *
 * Verdicts are those of the one-thread search: a lasso exists or it does not. On a pass every
 * reachable product state is stored once and each one's transitions are counted once (when it
 * first turns blue), so the counts equal the one-thread search's too. Which lasso is found, and
 * the counts when one is, depend on the schedule.
 */
import workerpool from 'workerpool';
import { totalmem } from 'node:os';
import type { CycleResult, CycleSearchOptions } from './cycles.js';
import type { CycleTask, ProductFactory } from './cycle-worker.js';
import type { WorkerOutcome } from './concurrent-ndfs.js';
import { Ctl, SharedProductStore, StopReason } from './shared-product-store.js';
import { compiledModule } from '../parallel/explore-parallel.js';
import { MemoryBound } from '../memory-bound.js';
import type { Limit } from '../result.js';

export type { ProductFactory } from './cycle-worker.js';

export interface ParallelCycleOptions extends CycleSearchOptions {
  /** Worker threads searching (at least 1). */
  readonly workers: number;
  /** Fault injection for tests: this worker dies when its search starts. */
  readonly crashWorker?: number;
}

/** How often this thread checks the limits while the workers search. */
const POLL_MS = 50;

/**
 * Searches the product of the system and automaton `product` builds (`words` = the system's
 * state words) for an accepting cycle on `options.workers` threads. A worker that fails makes
 * the search reject, never a partial verdict.
 */
export async function searchAcceptingCycleParallel(words: number, product: ProductFactory, options: ParallelCycleOptions): Promise<CycleResult> {
  const W = words + 1;
  const workers = Math.max(1, options.workers);
  const memoryBytes = options.maxMemoryMB !== undefined ? options.maxMemoryMB * 1024 * 1024 : totalmem() * 0.6;
  // Per state: its row and colour, each worker's stack position and pink byte, the table slots.
  const perState = W * 4 + 1 + 5 * workers + 16;
  let capacity = Math.min(Math.floor(memoryBytes / perState), Math.floor(2 ** 31 / (W * 4)), 2 ** 27);
  if (options.maxStates !== undefined) capacity = Math.min(capacity, options.maxStates + 4096);
  capacity = Math.max(capacity, 1 << 16);
  const store = SharedProductStore.create(W, capacity, workers, options.maxStates);
  const memory = options.maxMemoryMB !== undefined ? new MemoryBound(options.maxMemoryMB) : undefined;
  const start = performance.now();
  let stoppedBy: Limit | undefined;
  const halt = (by: Limit): void => {
    stoppedBy ??= by;
    store.stop(StopReason.halted);
  };
  const counts = (): { states: number; transitions: number } => ({ states: store.size, transitions: Atomics.load(store.control, Ctl.transitions) });
  const tick = (): void => {
    const seconds = (performance.now() - start) / 1000;
    if (options.maxSeconds !== undefined && seconds > options.maxSeconds) halt({ kind: 'time', bound: options.maxSeconds });
    if (memory?.exceededAhead(store.size, (n) => store.growthBytes(n, 5 * workers))) halt({ kind: 'memory', bound: memory.boundMB });
    if (options.signal?.aborted === true) halt({ kind: 'interrupted' });
    const { states, transitions } = counts();
    options.onProgress?.({ states, transitions, frontier: 0, depth: 0, seconds, statesPerSecond: states / Math.max(seconds, 1e-9), memoryBytes: store.bytes() });
  };
  const pool = workerpool.pool(compiledModule(import.meta.url, 'checker/graph', 'cycle-worker.js'), { maxWorkers: workers, workerType: 'thread' });
  const timer = setInterval(tick, POLL_MS);
  const onAbort = (): void => halt({ kind: 'interrupted' });
  options.signal?.addEventListener('abort', onAbort);
  try {
    tick();
    const tasks = Array.from({ length: workers }, (_, worker) => {
      const task: CycleTask = { product, store: store.handles, worker, ...(options.crashWorker === worker ? { crash: true } : {}) };
      return pool.exec<(t: CycleTask) => WorkerOutcome>('search', [task]).catch((e: unknown) => {
        // The others stop too; the failure is reported once they have.
        store.stop(StopReason.halted);
        throw e;
      });
    });
    const outcomes = await Promise.all(tasks);
    const lasso = outcomes.find((o) => o.kind === 'lasso');
    if (lasso?.kind === 'lasso') return { verdict: 'violation', stem: lasso.stem, cycle: lasso.cycle, loopStart: lasso.stem.length - 1, ...counts() };
    if (outcomes.some((o) => o.kind === 'done')) return { verdict: 'pass', ...counts() };
    const reason = store.stopped;
    const by: Limit =
      reason === StopReason.states && options.maxStates !== undefined
        ? { kind: 'states', bound: options.maxStates }
        : reason === StopReason.full
          ? { kind: 'memory', bound: options.maxMemoryMB ?? Math.floor(memoryBytes / 2 ** 20) }
          : (stoppedBy ?? { kind: 'interrupted' });
    return { verdict: 'incomplete', stoppedBy: by, ...counts() };
  } catch (e) {
    throw new Error(`a worker of the parallel cycle search failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  } finally {
    clearInterval(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await pool.terminate(true);
  }
}
