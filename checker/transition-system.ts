/**
 * Everything checker/ knows about a model. Implemented in models/, never imported from there.
 *
 * States are packed into `stateWords` 32-bit words. Labels are small integers that only the
 * domain can explain. Successor order must be deterministic: a trace is stored as the index of
 * the initial state followed by one successor index per step, and `replay` re-executes it.
 */
export interface TransitionSystem {
  /** Width of a packed state, in 32-bit words. */
  readonly stateWords: number;
  /** Writes each initial state into `out`, then calls `emit`. */
  initialStates(out: Int32Array, emit: () => void): void;
  /**
   * Writes each successor of `state` into `out`, then calls `emit` with its label. Must not
   * modify `state`. Returning early is allowed when `emit` returns true ("stop").
   */
  successors(state: Int32Array, out: Int32Array, emit: (label: number) => boolean | void): void;
  /**
   * Classifies a state as it is inserted: 0 = nothing to report, a positive code = a violated
   * property (the state is a counterexample end), a negative code = a flag (reported with a
   * count and a first witness, exploration continues through it).
   */
  inspect(state: Int32Array): number;
  /** Classifies a state with no successors: 0 = an accepted end, a positive code = a violation. */
  terminal(state: Int32Array): number;
  /**
   * The tie cost of a transition with this label (0 or more; path costs saturate at 0x7fff):
   * among the shortest counterexamples, the breadth-first explorer returns one of least total
   * cost. Without it every transition costs 0.
   */
  tieCost?(label: number): number;
  /** Names a positive or negative code returned by `inspect` or `terminal`. */
  codeName(code: number): string;
  /**
   * Counters the system adds to as it expands states (instrumentation that no search reads,
   * e.g. placement coverage). A parallel run adds its worker threads' counts into the
   * coordinating thread's system, so they count every state expanded.
   */
  counters?(): readonly Int32Array[];
}
