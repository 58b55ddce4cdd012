import { totalmem } from 'node:os';
import workerpool from 'workerpool';
import { Exploration, expandInProcess } from '../explore.js';
import type { ExploreOptions } from '../options.js';
import type { RawResult } from '../result.js';
import type { TransitionSystem } from '../transition-system.js';
import { takeSnapshot, type SearchPosition } from '../checkpoint.js';
import type { LevelRequest, LevelResult, RehashRequest, SystemSpec } from './protocol.js';
import { CapacityExhausted, Ctl, reserveCapacity, SharedStore } from './shared-store.js';
import { cutBatches, expandLevel, LevelExpander, segmentClaims } from './level-expander.js';
import { compiledModule } from '../compiled-module.js';

/** Options of a parallel exploration (on top of the limits of `ExploreOptions`). */
export interface ParallelOptions extends ExploreOptions {
  /**
   * Threads that expand states: this one and `workers - 1` worker threads. 1 explores
   * in-process without a pool.
   */
  readonly workers: number;
  /**
   * States explored in-process before the pool starts (at the next level boundary): small
   * state spaces never pay for workers. @defaultValue 1000000
   */
  readonly threshold?: number;
  /** States per batch a worker claims. @defaultValue 256 */
  readonly batchSize?: number;
  /** Test hook: the worker thread given this level task (0-based, counted over the run's tasks to worker threads) dies. */
  readonly crashAtTask?: number;
}

/** A finished parallel run: the bookkeeping and the shared store. */
export interface ParallelRun {
  readonly exploration: Exploration;
  readonly store: SharedStore;
  /** States expanded by each worker thread (empty when the run never left the main thread). */
  readonly statesPerWorker: readonly number[];
  /** Per worker, the states of each depth it expanded. */
  readonly statesPerWorkerLevel: readonly (readonly number[])[];
}

/** Ids handed to a worker at a time; a level leaves at most one partly used block per worker. */
const BLOCK = 1024;
/** The coordinator checks limits and reports progress this often while workers run. */
const POLL_MS = 100;

/** The compiled worker script. */
function workerScript(): string {
  return compiledModule(import.meta.url, 'checker/parallel', 'level-worker.js');
}

/**
 * Breadth-first exploration with the levels expanded by this thread and a pool of worker
 * threads, all inserting into one shared store (checker/parallel/shared-store.ts). The first
 * `threshold` states are explored in-process. Each level is cut into batches that the threads
 * claim from a shared counter (so a slow thread never holds up the others for more than one
 * batch); between levels this thread merges what they found. It expands a share itself
 * because it is already warm (compiled code, memos) where a new worker is not, and it would
 * otherwise sit idle on a core of its own. Counts, verdict, property and counterexample
 * length equal the sequential run's at any worker count (see `Exploration`). A worker that
 * fails makes the whole run fail (rejects), never a partial verdict.
 */
async function runParallel(local: TransitionSystem, spec: SystemSpec, options: ParallelOptions): Promise<ParallelRun> {
  const W = local.stateWords;
  const memory = options.maxMemoryMB !== undefined ? options.maxMemoryMB * 1024 * 1024 * 1.25 : totalmem() * 0.6;
  // Ids must stay below the table's size (shared-store.ts): workers pause at 60 % of it, and
  // may each still fill the rest of one block, so the table starts large enough for that.
  const tableLog2 = Math.max(16, Math.ceil(Math.log2(options.workers * BLOCK * 4)));
  // A resumed run reserves room for the states it starts with too.
  const wanted = options.resume && options.maxStates !== undefined ? Math.max(options.maxStates, options.resume.count) : options.maxStates;
  const store = SharedStore.create(W, reserveCapacity(W, memory, wanted), tableLog2, options.workers);
  const x = new Exploration(local, options, store);
  const threshold = options.workers <= 1 ? Infinity : (options.threshold ?? 1_000_000);
  let threads: Threads | undefined;
  try {
    return await runLevels(x, store, options, threshold, memory, () => (threads ??= bootPool(spec, options.workers - 1, local)));
  } finally {
    await threads?.pool.terminate(true);
  }
}

/**
 * Starts `threads` worker threads and has each build its system: that takes a worker a few
 * hundred milliseconds (starting the thread, loading the code, building), which the in-process
 * phase hides on an idle core when the pool starts well before it ends. A worker that is still
 * busy when the first level starts joins it late (the threads claim batches as they go).
 * Failures surface at the first level task.
 */
function bootPool(spec: SystemSpec, threads: number, local: TransitionSystem): Threads {
  // Stryker disable next-line StringLiteral: equivalent, workerpool's default type ('auto') is a worker thread too in Node
  const pool = workerpool.pool(workerScript(), { maxWorkers: threads, workerType: 'thread' });
  for (let i = 0; i < threads; i++) pool.exec<(spec: SystemSpec) => void>('prepare', [spec]).catch(() => undefined);
  return { pool, workers: threads, here: new LevelExpander(local), spec };
}

/** The threads that expand levels: the pool's and this one. */
interface Threads {
  readonly pool: workerpool.Pool;
  /** Threads in the pool. */
  readonly workers: number;
  /** This thread's expander (of the system the in-process phase explored). */
  readonly here: LevelExpander;
  /** What the workers build their system from. */
  readonly spec: SystemSpec;
}

/** The pool starts once the in-process phase has stored this share of the threshold. */
const BOOT_SHARE = 0.05;

async function runLevels(
  x: Exploration,
  store: SharedStore,
  options: ParallelOptions,
  threshold: number,
  memory: number,
  startPool: () => Threads,
): Promise<ParallelRun> {
  const W = x.system.stateWords;
  let consistent = true;
  try {
    await expandInProcess(x, threshold * BOOT_SHARE);
    if (!x.done) startPool();
    await expandInProcess(x, threshold);
  } catch (e) {
    if (!(e instanceof CapacityExhausted)) throw e;
    x.stoppedBy = { kind: 'memory', bound: options.maxMemoryMB ?? Math.round(memory / 2 ** 20) };
    // Stopped inside a group of states: no snapshot of this point (the last periodic one stays).
    consistent = false;
  }
  if (x.done) {
    if (consistent) x.saveIfStopped(() => x.snapshot());
    // Stryker disable next-line ArrayDeclaration: equivalent, statesPerWorkerLevel is read only when statesPerWorker is not empty (exploreParallel)
    return { exploration: x, store, statesPerWorker: [], statesPerWorkerLevel: [] };
  }

  const threads = startPool();
  const perWorker = new Map<number, number>();
  const perWorkerLevel = new Map<number, number[]>();
  const batchSize = options.batchSize ?? 256;
  // The next level's states: (first id, count) ranges.
  let frontier: number[] = [x.next, store.count - x.next];
  // Checkpoints on workers are taken at the start of a level: the states stored then (the id
  // ranges in use, without the unused tails of the workers' id blocks), and the position.
  const used: number[] = [0, store.count];
  const counters = x.system.counters?.() ?? [];
  const levelStart = (): LevelStart => ({
    usedRanges: used.length,
    frontierStates: sumCounts(frontier),
    position: x.position(),
    counters: counters.map((c) => c.slice()),
  });
  let lastStart = levelStart();
  const snapshotAt = (at: LevelStart) => {
    const ranges = used.slice(0, at.usedRanges);
    const count = sumCounts(ranges);
    const next = count - at.frontierStates;
    return takeSnapshot(store, W, { ...at.position, next, levelEnd: next }, ranges);
  };
  // Whether every batch of the last level was expanded (a stop may leave some unclaimed).
  // Stryker disable next-line BooleanLiteral: equivalent, read before a level sets it only when no level ran, and then lastStart holds the counters as they are
  let whole = true;
  // Only the requests to worker threads carry the fault-injection hook.
  const crash = options.crashAtTask !== undefined ? { crashAtTask: options.crashAtTask } : {};
  try {
    while (frontier.length > 0 && !x.violated && !x.stoppedBy) {
      x.saveIfDue(() => snapshotAt(lastStart));
      if (!x.beginLevel()) break;
      const batches = cutBatches(frontier, batchSize);
      const levelStates = sumCounts(frontier);
      // Every id handed out from here on is a state of the next level.
      const levelFirst = store.nextId;
      const claims = segmentClaims(batches.length / 2, options.workers);
      store.resetProgress(options.workers, true);
      const next: number[] = [];
      const tick = (): void => poll(x, store, levelStates, options);
      for (;;) {
        // Workers pause at 60 % load; the table grows (in parallel) past 45 %.
        // Stryker disable next-line EqualityOperator: equivalent when >=, 0.45 x a table size (a power of two) is never a whole number of ids
        if (store.nextId > store.tableSize * 0.45) await growTable(threads, store);
        const req = (slot: number): LevelRequest => ({
          spec: threads.spec,
          store: store.shared,
          batches: batches.buffer,
          claims,
          depth: x.depth,
          levelFirst,
          blockSize: BLOCK,
          idLimit: Math.floor(store.tableSize * 0.6),
          slot,
        });
        store.resetProgress(options.workers, false);
        const tasks = Array.from({ length: threads.workers }, (_, i) => threads.pool.exec<(req: LevelRequest) => LevelResult>('level', [{ ...req(i), ...crash }]));
        for (const t of tasks) t.catch(() => undefined);
        const mine = await expandLevel(threads.here, req(threads.workers), betweenOwnBatches(POLL_MS, tick));
        const results = [mine, ...(await waitPolling(Promise.all(tasks), tick))];
        for (const r of results) {
          x.transitions += r.transitions;
          store.count += r.inserted;
          perWorker.set(r.worker, (perWorker.get(r.worker) ?? 0) + r.expanded);
          const levels = perWorkerLevel.get(r.worker) ?? [];
          while (levels.length <= x.depth) levels.push(0);
          levels[x.depth]! += r.expanded;
          perWorkerLevel.set(r.worker, levels);
          // Stryker disable next-line EqualityOperator: equivalent when i <= length, the pair past the end has an undefined count, not > 0 (> 0 itself is pinned by the ladder test)
          for (let i = 0; i < r.blocks.length; i += 2) if (r.blocks[i + 1]! > 0) next.push(r.blocks[i]!, r.blocks[i + 1]!);
          // Stryker disable next-line EqualityOperator: equivalent when i <= length, a triple past the end notes code undefined, which is neither a violation nor a flag
          for (let i = 0; i < r.violations.length; i += 3) x.note(r.violations[i]!, r.violations[i + 1]!, r.violations[i + 2]!);
          for (let i = 0; i < r.flags.length; i += 4) x.noteFlag(r.flags[i]!, r.flags[i + 1]!, r.flags[i + 2]!, r.flags[i + 3]!);
          if (r.full) x.stoppedBy ??= { kind: 'memory', bound: options.maxMemoryMB ?? Math.round(memory / 2 ** 20) };
          addCounters(counters, r.counters ?? []);
        }
        whole = results.every((r) => !r.paused && !r.full);
        // Stryker disable next-line MethodExpression: equivalent when every, a thread not paused found every batch claimed (claimed ones are expanded), so another round would find none
        if (x.stoppedBy || !results.some((r) => r.paused)) break;
      }
      frontier = next;
      for (const n of next) used.push(n);
      x.checkLimits(sumCounts(frontier));
      if (whole) lastStart = levelStart();
    }
    // Stopped inside a level: the result and its checkpoint are those of the level's start,
    // whose expansion a resumed run repeats, so the counters go back to their values then.
    // Stryker disable next-line ConditionalExpression: equivalent when true, after a whole level lastStart was just taken (or the loop never ran), so the counters equal its copies
    if (!whole) lastStart.counters.forEach((c, i) => counters[i]!.set(c));
    x.saveIfStopped(() => snapshotAt(lastStart));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new Error(`a worker failed while expanding BFS level ${x.depth}: ${message}; the run is abandoned, no verdict`, { cause: e });
  }
  const depths = x.depth + 1;
  const statesPerWorkerLevel = [...perWorkerLevel.values()].map((levels) => Array.from({ length: depths }, (_, d) => levels[d] ?? 0));
  return { exploration: x, store, statesPerWorker: [...perWorker.values()], statesPerWorkerLevel };
}

/** What a checkpoint taken at the start of a level needs (see runParallel). */
interface LevelStart {
  /** How many numbers of the used id ranges held the states stored then. */
  readonly usedRanges: number;
  /** States of the level about to be expanded (the last ones stored then). */
  readonly frontierStates: number;
  readonly position: SearchPosition;
  /** Copies of the system's counters (TransitionSystem.counters). */
  readonly counters: readonly Int32Array[];
}

/** `runParallel` reduced to its verdict and statistics. */
export async function exploreParallel(local: TransitionSystem, spec: SystemSpec, options: ParallelOptions): Promise<RawResult> {
  const run = await runParallel(local, spec, options);
  const result = run.exploration.result();
  return run.statesPerWorker.length > 0
    ? { ...result, stats: { ...result.stats, statesPerWorker: run.statesPerWorker, statesPerWorkerLevel: run.statesPerWorkerLevel } }
    : result;
}

/** Doubles the shared table, every thread rehashing a disjoint slice of the old one. */
async function growTable(threads: Threads, store: SharedStore): Promise<void> {
  const into = new SharedArrayBuffer(store.grownSize(store.nextId, 0.45) * 4);
  const old = store.tableSize;
  const slice = Math.ceil(old / (threads.workers + 1));
  const tasks = Array.from({ length: threads.workers }, (_, i) => {
    const req: RehashRequest = { store: store.shared, into, from: i * slice, to: Math.min(old, (i + 1) * slice) };
    return threads.pool.exec<(req: RehashRequest) => void>('rehash', [req]);
  });
  store.rehashInto(into, threads.workers * slice, old);
  await Promise.all(tasks);
  store.adoptTable(into);
}

function addCounters(into: readonly Int32Array[], add: readonly Int32Array[]): void {
  add.forEach((a, i) => {
    const c = into[i]!;
    // Stryker disable next-line EqualityOperator: equivalent when j <= length, a and c are the same counter of the same system (equal lengths), and a typed array ignores a write past its end
    for (let j = 0; j < a.length; j++) c[j]! += a[j]!;
  });
}

function sumCounts(ranges: readonly number[]): number {
  let n = 0;
  // Stryker disable next-line EqualityOperator: equivalent when i <= length, ranges holds pairs (an even length), so an odd i is never equal to it
  for (let i = 1; i < ranges.length; i += 2) n += ranges[i]!;
  return n;
}

/**
 * For this thread's share of a level: calls `tick` (limits, progress; a few comparisons) after
 * every batch, so a limit is seen within a batch, and lets the event loop run (Ctrl-C, the
 * pool's messages) at most every `ms` milliseconds.
 */
function betweenOwnBatches(ms: number, tick: () => void): () => Promise<void> {
  let last = performance.now();
  return async () => {
    tick();
    // Stryker disable next-line EqualityOperator: equivalent when <=, the fractional clock reads exactly ms apart as good as never
    if (performance.now() - last < ms) return;
    last = performance.now();
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
}

/** Awaits `work`, calling `tick` every POLL_MS meanwhile. */
async function waitPolling<T>(work: Promise<T>, tick: () => void): Promise<T> {
  const timer = setInterval(tick, POLL_MS);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/** While workers run: limits, Ctrl-C and progress, from the shared counters. */
function poll(x: Exploration, store: SharedStore, levelStates: number, options: ParallelOptions): void {
  // store.count holds the states of finished rounds; the workers count this round's inserts.
  const { expanded, inserted } = store.progress(options.workers);
  x.checkLimits(Math.max(0, levelStates - expanded), store.count + inserted);
  if (x.stoppedBy) Atomics.store(store.control, Ctl.stop, 1);
}
