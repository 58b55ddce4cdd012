import type { SearchSnapshot } from './checkpoint.js';

/** Engine options: limits and progress. Never part of a kernel policy. */
export interface ExploreOptions {
  /** Stop (incomplete) after storing this many states. @defaultValue unlimited */
  readonly maxStates?: number;
  /** Stop (incomplete) after this many seconds. @defaultValue unlimited */
  readonly maxSeconds?: number;
  /** Stop (incomplete) before the process's resident size would exceed this many megabytes (checker/memory-bound.ts). @defaultValue unlimited */
  readonly maxMemoryMB?: number;
  /** Stop (incomplete) beyond this BFS depth. @defaultValue unlimited */
  readonly maxDepth?: number;
  /** Aborting it stops the run (incomplete, "interrupted"); checked between batches. */
  readonly signal?: AbortSignal;
  /** Called about every `progressEvery` states. */
  readonly onProgress?: (p: Progress) => void;
  /** @defaultValue 65536 */
  readonly progressEvery?: number;
  /**
   * Breadth-first searches: `save` is given the search's state every `everySeconds` seconds,
   * and once more when a limit or the signal stops the run without a violation.
   */
  readonly checkpoint?: { readonly everySeconds: number; readonly save: (snapshot: SearchSnapshot) => void };
  /** Breadth-first searches: continue the search a checkpoint saved (its limits are this run's own). */
  readonly resume?: SearchSnapshot;
}

/** A progress snapshot of a running exploration. */
export interface Progress {
  readonly states: number;
  readonly transitions: number;
  /** States stored but not yet expanded. */
  readonly frontier: number;
  readonly depth: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  /** Bytes held by the visited store. */
  readonly memoryBytes: number;
}
