import type { TransitionSystem } from './transition-system.js';
import type { ExploreOptions } from './options.js';
import type { FlagReport, Limit, RawResult, Stats } from './result.js';
import { StateStore } from './state-store.js';

/** Explored states between checks of the clock, the memory bound and the abort signal. */
const BATCH = 4096;

/**
 * Breadth-first exploration of `system` with parent links, so the first violation found is at
 * minimal depth and its path is a shortest counterexample. Stops at the first violation (a
 * positive `inspect` or `terminal` code); counts flags (negative codes) and keeps the first
 * witness of each. Yields to the event loop between batches so that Ctrl-C can abort it.
 */
export async function explore(system: TransitionSystem, options: ExploreOptions = {}): Promise<RawResult> {
  const words = system.stateWords;
  const store = new StateStore(words);
  const current = new Int32Array(words);
  const out = new Int32Array(words);
  const start = performance.now();
  const flagCounts = new Map<number, { count: number; id: number }>();
  let transitions = 0;
  let violationId = -1;
  let violationCode = 0;
  let parent = -1;
  let choice = 0;

  const noteFlag = (code: number, id: number): void => {
    const f = flagCounts.get(code);
    if (f) f.count++;
    else flagCounts.set(code, { count: 1, id });
  };

  system.initialStates(out, () => {
    const id = store.insertIfAbsent(out, -1, choice++);
    if (id >= 0 && violationId < 0) {
      const code = system.inspect(out);
      if (code > 0) {
        violationId = id;
        violationCode = code;
      } else if (code < 0) noteFlag(code, id);
    }
  });

  const emit = (): boolean => {
    transitions++;
    const id = store.insertIfAbsent(out, parent, choice++);
    if (id < 0) return false;
    const code = system.inspect(out);
    if (code > 0) {
      violationId = id;
      violationCode = code;
      return true;
    }
    if (code < 0) noteFlag(code, id);
    return false;
  };

  let next = 0;
  let depth = 0;
  let levelEnd = store.size;
  let stoppedBy: Limit | undefined;
  const progressEvery = options.progressEvery ?? 65536;
  let nextProgress = progressEvery;

  const stats = (): Stats => {
    const seconds = (performance.now() - start) / 1000;
    return {
      states: store.size,
      transitions,
      depth,
      seconds,
      statesPerSecond: seconds > 0 ? store.size / seconds : store.size,
      bytesPerState: store.bytesPerState(),
      stateWords: words,
    };
  };

  while (violationId < 0 && next < store.size) {
    const batchEnd = Math.min(store.size, next + BATCH);
    while (next < batchEnd && violationId < 0) {
      if (next === levelEnd) {
        depth++;
        levelEnd = store.size;
        if (options.maxDepth !== undefined && depth > options.maxDepth) {
          stoppedBy = { kind: 'depth', bound: options.maxDepth };
          break;
        }
      }
      parent = next;
      choice = 0;
      store.load(next, current);
      system.successors(current, out, emit);
      if (choice === 0 && violationId < 0) {
        const code = system.terminal(current);
        if (code > 0) {
          violationId = next;
          violationCode = code;
        }
      }
      next++;
    }
    if (stoppedBy || violationId >= 0) break;
    if (options.maxStates !== undefined && store.size >= options.maxStates && next < store.size) {
      stoppedBy = { kind: 'states', bound: options.maxStates };
      break;
    }
    const seconds = (performance.now() - start) / 1000;
    if (options.maxSeconds !== undefined && seconds > options.maxSeconds) {
      stoppedBy = { kind: 'time', bound: options.maxSeconds };
      break;
    }
    if (options.maxMemoryMB !== undefined && store.bytes() > options.maxMemoryMB * 1024 * 1024) {
      stoppedBy = { kind: 'memory', bound: options.maxMemoryMB };
      break;
    }
    if (options.onProgress && store.size >= nextProgress) {
      nextProgress = store.size + progressEvery;
      options.onProgress({
        states: store.size,
        transitions,
        frontier: store.size - next,
        depth,
        seconds,
        statesPerSecond: store.size / Math.max(seconds, 1e-9),
        memoryBytes: store.bytes(),
      });
    }
    if (options.signal) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (options.signal.aborted) {
        stoppedBy = { kind: 'interrupted' };
        break;
      }
    }
  }

  const flags: FlagReport[] = [...flagCounts.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([code, f]) => ({ code, name: system.codeName(code), count: f.count, witness: { choices: store.pathTo(f.id) } }));

  if (violationId >= 0) {
    return {
      verdict: 'violation',
      code: violationCode,
      property: system.codeName(violationCode),
      path: { choices: store.pathTo(violationId) },
      stats: stats(),
      flags,
    };
  }
  if (stoppedBy) return { verdict: 'incomplete', stoppedBy, stats: stats(), flags };
  return { verdict: 'pass', stats: stats(), flags };
}
