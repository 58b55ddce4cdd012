/**
 * The messages between the exploring thread and its workers. Everything is plain data or a
 * transferred typed array: a worker rebuilds the transition system from `SystemSpec` by
 * importing `factory` (a module exporting `createSystem(params)`), so checker/ never imports
 * the domain.
 */
export interface SystemSpec {
  /** File URL of a module exporting `createSystem(params): TransitionSystem`. */
  readonly factory: string;
  /** Plain data the factory needs (a model, a policy, options). */
  readonly params: unknown;
  /** Identifies `params`, so a worker builds each system once. */
  readonly key: string;
}

/** One batch of frontier states to expand, packed back to back. */
export interface ExpandRequest {
  readonly spec: SystemSpec;
  readonly states: Int32Array;
  readonly count: number;
  /** Fault injection for tests: the worker dies instead of answering. */
  readonly crash?: boolean;
}

/** Inspect code marking a successor the worker knows is already stored (its words are not sent). */
export const KNOWN_DUPLICATE = 0x7fffffff;

/**
 * The successors of a batch, in the sequential order (state by state, successor by
 * successor): `successors` packs those not marked KNOWN_DUPLICATE; `meta` holds (label,
 * inspect code) per successor; `perState` holds (successor count, terminal code) per input.
 */
export interface ExpandResult {
  readonly successors: Int32Array;
  readonly meta: Int32Array;
  readonly perState: Int32Array;
  /** The worker thread that did the work (for load-balance statistics). */
  readonly worker: number;
}
