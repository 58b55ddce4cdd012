import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import workerpool from 'workerpool';
import { BATCH, Exploration, expandInProcess } from '../explore.js';
import type { ExploreOptions } from '../options.js';
import type { RawResult } from '../result.js';
import type { TransitionSystem } from '../transition-system.js';
import { KNOWN_DUPLICATE, type ExpandRequest, type ExpandResult, type SystemSpec } from './protocol.js';

/** Options of a parallel exploration (on top of the limits of `ExploreOptions`). */
export interface ParallelOptions extends ExploreOptions {
  /** Worker threads. 1 explores in-process without a pool. */
  readonly workers: number;
  /**
   * States explored in-process before the pool starts: small state spaces never pay for
   * workers. @defaultValue 2000000 (measured: below that a 2-core pool does not pay for itself)
   */
  readonly threshold?: number;
  /** States per batch sent to a worker. @defaultValue 4096 */
  readonly batchSize?: number;
  /** Test hook: the worker handling this batch number (0-based) dies. */
  readonly crashAtBatch?: number;
}

/**
 * The compiled JavaScript of a project module, for worker threads (they run built code from
 * dist/, see design.md): the sibling file when running from dist/, else the build of it.
 * `fromUrl` is the caller's import.meta.url; `fromDir` its folder relative to the project root.
 */
export function compiledModule(fromUrl: string, fromDir: string, file: string): string {
  const here = dirname(fileURLToPath(fromUrl));
  const sibling = join(here, file);
  if (existsSync(sibling)) return sibling;
  const depth = fromDir.split('/').filter(Boolean).length;
  const built = join(here, ...Array<string>(depth).fill('..'), 'dist', fromDir, file);
  if (existsSync(built)) return built;
  throw new Error(`parallel exploration needs the compiled ${built}: run "npm run build" first`);
}

/** The compiled worker script. */
export function workerScript(): string {
  return compiledModule(import.meta.url, 'checker/parallel', 'expand-worker.js');
}

/**
 * The same breadth-first exploration as `explore`, with successor generation spread over a
 * pool of worker threads. Results are identical at any worker count: batches are consecutive
 * state ids, and their successors are inserted here, in id order and successor order, exactly
 * as the sequential loop inserts them (so ids, parent links, flags and the first violation do
 * not depend on timing). A worker that fails makes the whole run fail (rejects), never a
 * partial verdict.
 */
export async function exploreParallel(local: TransitionSystem, spec: SystemSpec, options: ParallelOptions): Promise<RawResult> {
  const x = new Exploration(local, options);
  const threshold = options.workers <= 1 ? Infinity : (options.threshold ?? 2_000_000);
  await expandInProcess(x, threshold);
  if (x.done) return x.result();

  const pool = workerpool.pool(workerScript(), { maxWorkers: options.workers, workerType: 'thread' });
  const W = local.stateWords;
  const batchSize = options.batchSize ?? BATCH;
  const inFlight: { first: number; count: number; promise: Promise<ExpandResult> }[] = [];
  let dispatched = x.next;
  let batchNo = 0;
  const dispatch = (): void => {
    while (inFlight.length < options.workers * 2 && dispatched < x.store.size) {
      const count = Math.min(batchSize, x.store.size - dispatched);
      const states = new Int32Array(count * W);
      const tmp = new Int32Array(W);
      for (let i = 0; i < count; i++) {
        x.store.load(dispatched + i, tmp);
        states.set(tmp, i * W);
      }
      const req: ExpandRequest = { spec, states, count, ...(options.crashAtBatch === batchNo ? { crash: true } : {}) };
      const promise = pool.exec('expand', [req], { transfer: [states.buffer] }) as unknown as Promise<ExpandResult>;
      // Attach a handler now so a failure is never reported as unhandled; it is rethrown below.
      promise.catch(() => undefined);
      inFlight.push({ first: dispatched, count, promise });
      dispatched += count;
      batchNo++;
    }
  };
  const succ = new Int32Array(W);
  const perWorker = new Map<number, number>();
  try {
    dispatch();
    while (!x.done && inFlight.length > 0) {
      const batch = inFlight.shift()!;
      let r: ExpandResult;
      try {
        r = await batch.promise;
      } catch (e) {
        throw new Error(`a worker failed while expanding states ${batch.first}..${batch.first + batch.count - 1}: ${e instanceof Error ? e.message : String(e)}; the run is abandoned, no verdict`);
      }
      perWorker.set(r.worker, (perWorker.get(r.worker) ?? 0) + batch.count);
      let k = 0;
      let at = 0;
      for (let i = 0; i < batch.count && !x.done; i++) {
        if (!x.beginState()) break;
        const n = r.perState[i * 2]!;
        for (let j = 0; j < n; j++, k++) {
          const code = r.meta[k * 2 + 1]!;
          // After a violation the sequential loop inserts nothing more: neither does this one.
          if (x.violationId >= 0) continue;
          if (code === KNOWN_DUPLICATE) {
            x.transitions++;
            continue;
          }
          for (let w = 0; w < W; w++) succ[w] = r.successors[at + w]!;
          at += W;
          x.addSuccessor(succ, x.next, j, code);
        }
        x.endState(n, r.perState[i * 2 + 1]!, undefined);
      }
      if (x.done) break;
      await x.checkpoint();
      dispatch();
    }
  } finally {
    await pool.terminate(true);
  }
  const result = x.result();
  return { ...result, stats: { ...result.stats, statesPerWorker: [...perWorker.values()] } };
}
