import type { TransitionSystem } from './transition-system.js';
import type { ExploreOptions } from './options.js';
import type { FlagReport, Limit, RawResult, Stats } from './result.js';
import { StateStore } from './state-store.js';

/** Explored states between checks of the clock, the memory bound and the abort signal. */
export const BATCH = 4096;

/**
 * The bookkeeping of one breadth-first exploration, shared by the sequential and the parallel
 * explorer so that both produce identical results: states are inserted in BFS order (a state's
 * id is its index, its parent link is the first state that reached it, in id order and then
 * successor order), the first violation inserted ends the run, flags are counted on insertion.
 */
export class Exploration {
  readonly store: StateStore;
  private readonly flagCounts = new Map<number, { count: number; id: number }>();
  private readonly start = performance.now();
  transitions = 0;
  violationId = -1;
  violationCode = 0;
  /** Next state id to expand. */
  next = 0;
  depth = 0;
  private levelEnd: number;
  stoppedBy: Limit | undefined;
  private nextProgress: number;

  constructor(
    readonly system: TransitionSystem,
    readonly options: ExploreOptions,
  ) {
    this.store = new StateStore(system.stateWords);
    const out = new Int32Array(system.stateWords);
    let choice = 0;
    system.initialStates(out, () => {
      const id = this.store.insertIfAbsent(out, -1, choice++);
      if (id >= 0) this.classify(id, system.inspect(out));
    });
    this.levelEnd = this.store.size;
    this.nextProgress = options.progressEvery ?? 65536;
  }

  get done(): boolean {
    return this.violationId >= 0 || this.stoppedBy !== undefined || this.next >= this.store.size;
  }

  /** Records the code of a newly inserted state: a violation ends the run, a flag is counted. */
  private classify(id: number, code: number): void {
    if (code > 0) {
      if (this.violationId < 0) {
        this.violationId = id;
        this.violationCode = code;
      }
    } else if (code < 0) {
      const f = this.flagCounts.get(code);
      if (f) f.count++;
      else this.flagCounts.set(code, { count: 1, id });
    }
  }

  /**
   * Moves to expanding state `this.next`, handling BFS level boundaries. Returns false when
   * the depth bound stops the run.
   */
  beginState(): boolean {
    if (this.next === this.levelEnd) {
      this.depth++;
      this.levelEnd = this.store.size;
      if (this.options.maxDepth !== undefined && this.depth > this.options.maxDepth) {
        this.stoppedBy = { kind: 'depth', bound: this.options.maxDepth };
        return false;
      }
    }
    return true;
  }

  /**
   * Adds a successor of state `parent`. `code` is its inspect code when already known (the
   * parallel workers compute it), or undefined to compute it here only if the state is new.
   * Returns true when a violation ends the run.
   */
  addSuccessor(s: Int32Array, parent: number, choice: number, code: number | undefined): boolean {
    this.transitions++;
    const id = this.store.insertIfAbsent(s, parent, choice);
    if (id < 0) return false;
    this.classify(id, code ?? this.system.inspect(s));
    return this.violationId >= 0;
  }

  /** Finishes expanding state `this.next`: a state with no successors is judged by `terminal`. */
  endState(successors: number, terminalCode: number | undefined, state: Int32Array | undefined): void {
    if (successors === 0 && this.violationId < 0) {
      const code = terminalCode ?? this.system.terminal(state!);
      if (code > 0) {
        this.violationId = this.next;
        this.violationCode = code;
      }
    }
    this.next++;
  }

  /** Checks the limits and the abort signal between batches; yields to the event loop. */
  async checkpoint(): Promise<void> {
    const o = this.options;
    const store = this.store;
    if (o.maxStates !== undefined && store.size >= o.maxStates && this.next < store.size) {
      this.stoppedBy = { kind: 'states', bound: o.maxStates };
      return;
    }
    const seconds = (performance.now() - this.start) / 1000;
    if (o.maxSeconds !== undefined && seconds > o.maxSeconds) {
      this.stoppedBy = { kind: 'time', bound: o.maxSeconds };
      return;
    }
    if (o.maxMemoryMB !== undefined && store.bytes() > o.maxMemoryMB * 1024 * 1024) {
      this.stoppedBy = { kind: 'memory', bound: o.maxMemoryMB };
      return;
    }
    if (o.onProgress && store.size >= this.nextProgress) {
      this.nextProgress = store.size + (o.progressEvery ?? 65536);
      o.onProgress({
        states: store.size,
        transitions: this.transitions,
        frontier: store.size - this.next,
        depth: this.depth,
        seconds,
        statesPerSecond: store.size / Math.max(seconds, 1e-9),
        memoryBytes: store.bytes(),
      });
    }
    if (o.signal) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (o.signal.aborted) this.stoppedBy = { kind: 'interrupted' };
    }
  }

  stats(): Stats {
    const seconds = (performance.now() - this.start) / 1000;
    return {
      states: this.store.size,
      transitions: this.transitions,
      depth: this.depth,
      seconds,
      statesPerSecond: seconds > 0 ? this.store.size / seconds : this.store.size,
      bytesPerState: this.store.bytesPerState(),
      stateWords: this.system.stateWords,
    };
  }

  result(): RawResult {
    const flags: FlagReport[] = [...this.flagCounts.entries()]
      .sort((a, b) => b[0] - a[0])
      .map(([code, f]) => ({ code, name: this.system.codeName(code), count: f.count, witness: { choices: this.store.pathTo(f.id) } }));
    const stats = this.stats();
    if (this.violationId >= 0) {
      const code = this.violationCode;
      return { verdict: 'violation', code, property: this.system.codeName(code), path: { choices: this.store.pathTo(this.violationId) }, stats, flags };
    }
    if (this.stoppedBy) return { verdict: 'incomplete', stoppedBy: this.stoppedBy, stats, flags };
    return { verdict: 'pass', stats, flags };
  }
}

/** Expands states in-process until `until` states are stored (or the run ends). */
export async function expandInProcess(x: Exploration, until = Infinity): Promise<void> {
  const sys = x.system;
  const current = new Int32Array(sys.stateWords);
  const out = new Int32Array(sys.stateWords);
  let parent = 0;
  let choice = 0;
  const emit = (): boolean => x.addSuccessor(out, parent, choice++, undefined);
  while (!x.done && x.store.size < until) {
    const batchEnd = Math.min(x.store.size, x.next + BATCH);
    while (x.next < batchEnd && x.violationId < 0) {
      if (!x.beginState()) return;
      parent = x.next;
      choice = 0;
      x.store.load(x.next, current);
      sys.successors(current, out, emit);
      x.endState(choice, undefined, current);
    }
    if (x.violationId >= 0) return;
    await x.checkpoint();
  }
}

/**
 * Breadth-first exploration of `system` with parent links, so the first violation found is at
 * minimal depth and its path is a shortest counterexample. Stops at the first violation (a
 * positive `inspect` or `terminal` code); counts flags (negative codes) and keeps the first
 * witness of each. Yields to the event loop between batches so that Ctrl-C can abort it.
 */
export async function explore(system: TransitionSystem, options: ExploreOptions = {}): Promise<RawResult> {
  const x = new Exploration(system, options);
  await expandInProcess(x);
  return x.result();
}
