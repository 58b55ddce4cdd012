/**
 * Worker thread of the parallel explorer: builds the system once per run, then expands its
 * share of each BFS level (level-expander.ts) and rehashes its slice of the table when it grows.
 */
import workerpool from 'workerpool';
import type { TransitionSystem } from '../transition-system.js';
import { Ctl, SharedStore } from './shared-store.js';
import { expandLevel, LevelExpander } from './level-expander.js';
import type { LevelRequest, LevelResult, RehashRequest, SystemSpec } from './protocol.js';

let cached: { key: string; expander: LevelExpander } | undefined;

async function expanderFor(spec: SystemSpec): Promise<LevelExpander> {
  if (cached?.key !== spec.key) {
    const mod = (await import(spec.factory)) as { createSystem(params: unknown): TransitionSystem };
    cached = { key: spec.key, expander: new LevelExpander(mod.createSystem(spec.params)) };
  }
  return cached.expander;
}

/** Builds the system ahead of the first level (see bootPool). */
async function prepare(spec: SystemSpec): Promise<void> {
  await expanderFor(spec);
}

async function level(req: LevelRequest): Promise<LevelResult> {
  // Returned by copy, not transferred: a transfer detaches an ArrayBuffer in this thread, which
  // makes V8 drop its optimized code and compile every later typed-array access with a detach
  // check (the worker's expansion ran about 20 % slower). The result is a few hundred numbers.
  if (req.crashAtTask !== undefined && Atomics.add(new Int32Array(req.store.control), Ctl.levelTasks, 1) === req.crashAtTask) process.exit(1);
  const x = await expanderFor(req.spec);
  const result = await expandLevel(x, req);
  return { ...result, counters: drainCounters(x.sys) };
}

/** Copies of the system's counters, which are zeroed (the coordinator adds them up). */
function drainCounters(sys: TransitionSystem): Int32Array[] {
  return (sys.counters?.() ?? []).map((c) => {
    const copy = c.slice();
    c.fill(0);
    return copy;
  });
}

/** Rehashes slots [from, to) of the store's table into the larger table `into`. */
function rehash(req: RehashRequest): void {
  new SharedStore(req.store).rehashInto(req.into, req.from, req.to);
}

workerpool.worker({ prepare, level, rehash });
