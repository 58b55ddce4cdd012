import type { TransitionSystem } from './transition-system.js';
import type { ExploreOptions } from './options.js';
import type { FlagReport, Limit, RawResult } from './result.js';
import { StateStore } from './state-store.js';
import { Findings } from './findings.js';
import { BATCH } from './explore.js';
import { MemoryBound } from './memory-bound.js';

/** A growable stack of (state id, depth) pairs: the states found but not yet expanded. */
class IdStack {
  private ids = new Int32Array(1024);
  private depths = new Int32Array(1024);
  length = 0;
  push(id: number, depth: number): void {
    if (this.length === this.ids.length) {
      const ids = new Int32Array(this.ids.length * 2);
      const depths = new Int32Array(this.ids.length * 2);
      ids.set(this.ids);
      depths.set(this.depths);
      this.ids = ids;
      this.depths = depths;
    }
    this.ids[this.length] = id;
    this.depths[this.length++] = depth;
  }
  /** Pushes `ids` so that `ids[0]` is popped first. */
  pushReversed(ids: readonly number[], depth: number): void {
    for (let i = ids.length - 1; i >= 0; i--) this.push(ids[i]!, depth);
  }
  topId(): number {
    return this.ids[this.length - 1]!;
  }
  topDepth(): number {
    return this.depths[this.length - 1]!;
  }
}

/**
 * Depth-first exploration of `system` that stops at the first violation, for a fast first
 * counterexample (not a shortest one). It judges states exactly as `explore` does: `inspect`
 * on every state stored, `terminal` on every expanded state without successors. The visited
 * store and its parent links are the breadth-first explorer's, so memory per state is the same
 * and the counterexample is the path of first discovery. A run that exhausts the space stores
 * the same states as `explore` (the reachable ones). Honours maxStates, maxSeconds, maxMemoryMB
 * and the abort signal (not maxDepth, a breadth-first notion); `stats.depth` is the deepest
 * discovery depth reached.
 */
export async function exploreDepthFirst(system: TransitionSystem, options: ExploreOptions = {}): Promise<RawResult> {
  const start = performance.now();
  const store = new StateStore(system.stateWords);
  const findings = new Findings((a, b) => store.compare(a, b));
  const stack = new IdStack();
  const state = new Int32Array(system.stateWords);
  const out = new Int32Array(system.stateWords);
  let transitions = 0;
  let deepest = 0;
  let stoppedBy: Limit | undefined;
  let nextProgress = options.progressEvery ?? 65536;

  /** Stores a state found at `depth`; true when it violates a property (the run ends). */
  const found = (id: number, depth: number, code: number): boolean => {
    findings.note(id, code, depth);
    return code > 0;
  };

  const initial: number[] = [];
  let choice = 0;
  let violated = false;
  system.initialStates(out, () => {
    const id = store.insertIfAbsent(out, -1, choice++);
    if (id >= 0 && !violated) {
      initial.push(id);
      violated = found(id, 0, system.inspect(out));
    }
  });
  stack.pushReversed(initial, 0);

  const seconds = (): number => (performance.now() - start) / 1000;
  // Stryker disable next-line ConditionalExpression: equivalent, a MemoryBound of an undefined bound has a NaN bound in bytes, which no size exceeds
  const memory = options.maxMemoryMB !== undefined ? new MemoryBound(options.maxMemoryMB) : undefined;
  const checkLimits = (): void => {
    const o = options;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, a size compared with an undefined bound is false; and no expansion starts at the bound, so the stack still holds the state that reached it
    if (o.maxStates !== undefined && store.size >= o.maxStates && stack.length > 0) stoppedBy ??= { kind: 'states', bound: o.maxStates };
    // Stryker disable next-line ConditionalExpression: equivalent, a time compared with an undefined bound is false
    if (o.maxSeconds !== undefined && seconds() > o.maxSeconds) stoppedBy ??= { kind: 'time', bound: o.maxSeconds };
    if (memory?.exceededAhead(store.size, (n) => store.growthBytes(n))) stoppedBy ??= { kind: 'memory', bound: memory.boundMB };
    // Stryker disable next-line ConditionalExpression,AssignmentOperator: equivalent, otherwise the check after the yield below sets the same interrupted stop (it is the last limit checked)
    if (o.signal?.aborted) stoppedBy ??= { kind: 'interrupted' };
    if (o.onProgress && store.size >= nextProgress) {
      nextProgress = store.size + (o.progressEvery ?? 65536);
      const s = seconds();
      o.onProgress({
        states: store.size,
        transitions,
        frontier: stack.length,
        depth: deepest,
        seconds: s,
        statesPerSecond: store.size / Math.max(s, 1e-9),
        memoryBytes: store.bytes(),
      });
    }
  };

  // Stryker disable next-line ArrayDeclaration: equivalent, emptied before each expansion
  const fresh: number[] = [];
  let parent = 0;
  let depth = 0;
  let successors = 0;
  const emit = (): boolean => {
    transitions++;
    const id = store.insertIfAbsent(out, parent, successors++);
    // Stryker disable next-line EqualityOperator: equivalent, a fresh successor's id is never 0 (id 0 is the first initial state)
    if (id < 0) return false;
    fresh.push(id);
    // Stryker disable next-line EqualityOperator: equivalent, at equality it assigns the same value
    if (depth + 1 > deepest) deepest = depth + 1;
    violated = found(id, depth + 1, system.inspect(out));
    return violated;
  };

  // The state bound is looked at after every expansion (one comparison), the rest per batch: a
  // space smaller than a batch must not be covered past --max-states.
  const stateCap = options.maxStates ?? Infinity;
  while (!violated && !stoppedBy && stack.length > 0) {
    for (let n = 0; n < BATCH && !violated && stack.length > 0 && store.size < stateCap; n++) {
      parent = stack.topId();
      depth = stack.topDepth();
      stack.length--;
      store.load(parent, state);
      fresh.length = 0;
      successors = 0;
      system.successors(state, out, emit);
      if (successors === 0) violated = found(parent, depth, system.terminal(state));
      else stack.pushReversed(fresh, depth + 1);
    }
    checkLimits();
    if (options.signal && !stoppedBy) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (options.signal.aborted) stoppedBy = { kind: 'interrupted' };
    }
  }

  const s = seconds();
  const stats = {
    states: store.size,
    transitions,
    depth: deepest,
    seconds: s,
    statesPerSecond: s > 0 ? store.size / s : store.size,
    bytesPerState: store.bytesPerState(),
    stateWords: system.stateWords,
    searchOrder: 'depth-first' as const,
  };
  const flags: FlagReport[] = [...findings.flags.values()]
    .sort((a, b) => b.code - a.code)
    .map((f) => ({ code: f.code, name: system.codeName(f.code), count: f.count, witness: { choices: store.pathTo(f.id) } }));
  const violation = findings.violation;
  if (violation) {
    const { code, id } = violation;
    return { verdict: 'violation', code, property: system.codeName(code), path: { choices: store.pathTo(id) }, stats, flags };
  }
  if (stoppedBy) return { verdict: 'incomplete', stoppedBy, stats, flags };
  return { verdict: 'pass', stats, flags };
}
