/**
 * The accepting-cycle search of cycles.ts on worker threads: every worker runs the concurrent
 * nested DFS (concurrent-ndfs.ts) over one shared store, and the first lasso or the first
 * finished search decides. This thread only watches: the limits, the abort signal and progress,
 * every POLL_MS.
 *
 * Verdicts are those of the one-thread search: a lasso exists or it does not. On a pass every
 * reachable product state is stored once and expanded by some worker, whose first expansion
 * counts its transitions, so the counts equal the one-thread search's too. Which lasso is found, and
 * the counts when one is, depend on the schedule.
 */
import workerpool from 'workerpool';
import { totalmem } from 'node:os';
import type { CycleResult, CycleSearchOptions } from './cycles.js';
import type { CycleTask, ProductFactory } from './cycle-worker.js';
import type { WorkerOutcome } from './concurrent-ndfs.js';
import { Ctl, SharedProductStore, StopReason } from './shared-product-store.js';
import { compiledModule } from '../compiled-module.js';
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
  const memoryBytes = options.maxMemoryMB !== undefined ? options.maxMemoryMB * 2 ** 20 : totalmem() * 0.6;
  const store = SharedProductStore.create(W, cycleStoreCapacity(W, workers, memoryBytes, options.maxStates), workers, options.maxStates);
  // Stryker disable next-line ConditionalExpression: equivalent, a bound of undefined MB is NaN bytes, which no resident size exceeds
  const memory = options.maxMemoryMB !== undefined ? new MemoryBound(options.maxMemoryMB) : undefined;
  const start = performance.now();
  let stoppedBy: Limit | undefined;
  const halt = (by: Limit): void => {
    stoppedBy ??= by;
    store.stop(StopReason.halted);
  };
  const counts = (): { states: number; transitions: number } => ({ states: store.size, transitions: Atomics.load(store.control, Ctl.transitions) });
  // Ctrl-C too is seen here, within POLL_MS.
  const tick = (): void => {
    const seconds = (performance.now() - start) / 1000;
    // Stryker disable next-line EqualityOperator: equivalent, the clock is never read at exactly the bound
    if (options.maxSeconds !== undefined && seconds > options.maxSeconds) halt({ kind: 'time', bound: options.maxSeconds });
    if (memory?.exceededAhead(store.size, (n) => store.growthBytes(n, LOCAL_BYTES_PER_STATE * workers))) halt({ kind: 'memory', bound: memory.boundMB });
    if (options.signal?.aborted === true) halt({ kind: 'interrupted' });
    const { states, transitions } = counts();
    options.onProgress?.({ states, transitions, frontier: 0, depth: 0, seconds, statesPerSecond: states / Math.max(seconds, 1e-9), memoryBytes: store.bytes() });
  };
  // Stryker disable next-line ObjectLiteral,StringLiteral: the pool's size and kind decide how many workers search at once, not what they find (the bench measures the speed)
  const pool = workerpool.pool(compiledModule(import.meta.url, 'checker/graph', 'cycle-worker.js'), { maxWorkers: workers, workerType: 'thread' });
  const timer = setInterval(tick, POLL_MS);
  try {
    tick();
    const tasks = Array.from({ length: workers }, (_, worker) => {
      const task: CycleTask = { product, store: store.handles, worker, ...(options.crashWorker === worker ? { crash: true } : {}) };
      return pool.exec<(t: CycleTask) => WorkerOutcome>('search', [task]).catch((e: unknown) => {
        // The others are told to stop (and the pool is terminated below).
        store.stop(StopReason.halted);
        throw e;
      });
    });
    const outcomes = await Promise.all(tasks);
    const lasso = outcomes.find((o) => o.kind === 'lasso');
    if (lasso?.kind === 'lasso') return { verdict: 'violation', stem: lasso.stem, cycle: lasso.cycle, loopStart: lasso.stem.length - 1, ...counts() };
    if (outcomes.every((o) => o.kind === 'done')) return { verdict: 'pass', ...counts() };
    return { verdict: 'incomplete', stoppedBy: stopReason(store, stoppedBy, memoryBytes), ...counts() };
  } catch (e) {
    throw new Error(`a worker of the parallel cycle search failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  } finally {
    clearInterval(timer);
    // Stryker disable next-line BooleanLiteral: equivalent, every task has ended or been told to stop by now
    await pool.terminate(true);
  }
}

/** What a worker keeps per product state besides the shared store: its stack position and pink byte. */
const LOCAL_BYTES_PER_STATE = 5;

/**
 * States the shared store reserves room for: what `memoryBytes` holds at the shared bytes per
 * state (row, colour, table slots at most 4 × 4 at half load) plus every worker's own, at most
 * what an int32-indexed arena and 2^27 states allow; `maxStates` and a margin for the states
 * the workers insert before they see the stop; at least 2^16.
 */
export function cycleStoreCapacity(words: number, workers: number, memoryBytes: number, maxStates?: number): number {
  const perState = words * 4 + 1 + LOCAL_BYTES_PER_STATE * workers + 16;
  let capacity = Math.min(Math.floor(memoryBytes / perState), Math.floor(2 ** 31 / (words * 4)), 2 ** 27);
  if (maxStates !== undefined) capacity = Math.min(capacity, maxStates + 4096);
  return Math.max(capacity, 1 << 16);
}

/** The limit a search stopped by none of its workers' verdicts met. */
function stopReason(store: SharedProductStore, stoppedBy: Limit | undefined, memoryBytes: number): Limit {
  const reason = store.stopped;
  if (reason === StopReason.states) return { kind: 'states', bound: store.handles.maxStates };
  // Stryker disable next-line all: reached by a product of more states than the memory holds (tens of millions without --max-memory; with it, its bound stops the search first)
  if (reason === StopReason.full) return { kind: 'memory', bound: Math.floor(memoryBytes / 2 ** 20) };
  // Stryker disable next-line all: equivalent, a stop for any other reason is this thread's, which set stoppedBy
  return stoppedBy ?? { kind: 'interrupted' };
}
