/** What a run covered, in states and transitions. */
export interface Stats {
  /** Distinct states stored. */
  readonly states: number;
  /** Transitions generated (including those to already-seen states). */
  readonly transitions: number;
  /** Depth of the deepest BFS level reached (initial states have depth 0); after a depth-first search, the deepest discovery depth. */
  readonly depth: number;
  /** Present when a depth-first search gave these statistics (its `depth` is no BFS level, and it has no per-level counts). */
  readonly searchOrder?: 'depth-first';
  /** Wall-clock seconds of the exploration. */
  readonly seconds: number;
  /** States per second over the exploration. */
  readonly statesPerSecond: number;
  /** Bytes of the visited store (arena + table + parent links) per stored state. */
  readonly bytesPerState: number;
  /** Width of one packed state, in 32-bit words. */
  readonly stateWords: number;
  /**
   * Parallel runs: states expanded by each thread of the levels shared out (the coordinating
   * thread first, then the worker threads; the in-process phase excluded).
   */
  readonly statesPerWorker?: readonly number[];
  /** Partitioned runs (`check --partition K`): the states each of the K partitions stored. */
  readonly statesPerPartition?: readonly number[];
  /** Breadth-first runs: the states stored at each depth (index 0: the initial states). */
  readonly statesPerLevel?: readonly number[];
  /** Parallel runs: per thread (as `statesPerWorker`), the states of each depth it expanded (0 for the levels expanded in-process). */
  readonly statesPerWorkerLevel?: readonly (readonly number[])[];
}

/** Why a run stopped before covering the whole state space. */
export type Limit =
  | { readonly kind: 'states' | 'memory' | 'time' | 'depth'; readonly bound: number }
  | { readonly kind: 'interrupted'; readonly signal?: StopSignal };

/** The signals that stop a command-line run (cli/signals.ts aborts the run with the signal's name as the reason). */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** `limit`, with the signal named when an abort of `abort` stopped the run and its reason is a StopSignal. */
export function namingSignal(limit: Limit, abort: AbortSignal | undefined): Limit {
  const reason: unknown = abort?.reason;
  return limit.kind === 'interrupted' && (reason === 'SIGINT' || reason === 'SIGTERM') ? { kind: 'interrupted', signal: reason } : limit;
}

/** A counterexample as a choice path: the initial-state index, then one successor index per step. */
export interface Path {
  readonly choices: readonly number[];
  /** For a lasso: the index (into the steps, 0 = initial state) where the cycle starts. */
  readonly loopStart?: number;
}

/** A flag: a reported, non-violating condition, with a count and the shortest witness. */
export interface FlagReport {
  readonly code: number;
  readonly name: string;
  readonly count: number;
  readonly witness: Path;
}

/** The outcome of an exploration. `incomplete` is never a pass. */
export type RawResult =
  | { readonly verdict: 'pass'; readonly stats: Stats; readonly flags: readonly FlagReport[] }
  | {
      readonly verdict: 'violation';
      readonly code: number;
      readonly property: string;
      readonly path: Path;
      readonly stats: Stats;
      readonly flags: readonly FlagReport[];
    }
  | { readonly verdict: 'incomplete'; readonly stoppedBy: Limit; readonly stats: Stats; readonly flags: readonly FlagReport[] };

/** The one mapping from a verdict to a process exit code (2, bad input, is decided by callers). */
export function exitCodeFor(verdict: RawResult['verdict']): 0 | 1 | 3 {
  switch (verdict) {
    case 'pass':
      return 0;
    case 'violation':
      return 1;
    case 'incomplete':
      return 3;
  }
}
