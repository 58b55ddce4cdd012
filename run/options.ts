/**
 * The options of one check: what shapes the transition system (BuildOptions, from
 * models/system/build.ts) plus the policy and the run's limits and workers.
 */
import { availableParallelism } from 'node:os';
import type { ExploreOptions, Progress } from '../checker/options.js';
import { MAX_BUDGET } from '../models/ir/schema.js';
import type { KnobValues } from '../models/kernel/policy.js';
import type { BuildOptions } from '../models/system/build.js';
import type { FirstCounterexample } from './result.js';

/**
 * How a safety check searches: `bfs` breadth-first (a shortest counterexample, reported at the
 * end); `dfs` depth-first, stopping at the first violation (fast, not shortest); `first-then-shortest`
 * depth-first for at most `firstSearchStates` states, reporting a violation at once through
 * `onFirstCounterexample`, then breadth-first for a shortest one. When the depth-first phase
 * covers the whole space without a violation or a flag, its pass is the verdict (statistics
 * with `searchOrder: 'depth-first'`); otherwise the breadth-first search runs, also for the
 * statistics and shortest flag witnesses of a pass.
 */
export type SearchOrder = 'first-then-shortest' | 'bfs' | 'dfs';

/** Options of one check; every field has a default. */
export interface CheckOptions extends BuildOptions {
  /** A preset name. @defaultValue DEFAULT_POLICY (models/kernel/presets.ts) */
  readonly policy?: string;
  /** Knob overrides, as `name=value` strings or typed values. */
  readonly knobs?: readonly string[] | Partial<KnobValues>;
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  readonly maxMemoryMB?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: Progress) => void;
  /** @defaultValue 'first-then-shortest' */
  readonly search?: SearchOrder;
  /** States the depth-first phase of `first-then-shortest` may store before it gives way. @defaultValue 1000000 */
  readonly firstSearchStates?: number;
  /** Called as soon as the depth-first phase finds a counterexample (before the shortest search). */
  readonly onFirstCounterexample?: (first: FirstCounterexample) => void;
  /**
   * Worker threads for the exploration; 1 runs in-process. Results are identical at any count.
   * @defaultValue 1 (the command line defaults to the number of cores)
   */
  readonly workers?: number;
  /** States explored in-process before workers start (small runs never pay for a pool). @defaultValue 1000000 (250000 product states for a temporal check without fairness, run/temporal.ts) */
  readonly parallelThreshold?: number;
  /** Test hook: the worker thread given this level task (0-based, over the run) dies (the run must fail loudly). */
  readonly crashWorkerAtTask?: number;
  /**
   * A file to save the search's state in (run/checkpoint.ts): every `checkpointEverySeconds`
   * seconds, and when a limit or the signal stops the run. Not for `search: 'dfs'`.
   */
  readonly checkpoint?: string;
  /** @defaultValue 60 */
  readonly checkpointEverySeconds?: number;
  /**
   * A checkpoint file to continue: the run ends as the uninterrupted run would have. Refused
   * (InputErrors, naming the file and what differs) when made for another configuration.
   */
  readonly resume?: string;
}

/** A numeric option's range; `why` explains a cap that is not obvious. */
export interface Range {
  readonly min: number;
  readonly max: number;
  readonly why?: string;
}

/** Workers beyond the cores only compete for them (and each holds its own state store). */
const MAX_WORKERS = Math.max(2, availableParallelism());

/**
 * The range of every numeric option, one definition for the command line and the library: the
 * budget cap is the model schema's (models/ir/schema.ts), so a model file and a flag meet the
 * same one.
 */
export const optionRanges = {
  budget: { min: 0, max: MAX_BUDGET },
  maxStates: { min: 1, max: Number.MAX_SAFE_INTEGER },
  maxSeconds: { min: 0, max: 31 * 24 * 3600 },
  maxMemoryMB: { min: 1, max: 1 << 20 },
  workers: { min: 1, max: MAX_WORKERS, why: `this machine has ${availableParallelism()} core${availableParallelism() === 1 ? '' : 's'}` },
  checkpointEvery: { min: 1, max: 31 * 24 * 3600 },
  litmusRuns: { min: 1, max: 10_000_000 },
  litmusSeconds: { min: 0, max: 24 * 3600 },
} as const satisfies Record<string, Range>;

/** The engine's limits and progress callback among a check's options, as every search takes them. */
export function engineLimits(options: Pick<CheckOptions, 'maxStates' | 'maxSeconds' | 'maxMemoryMB' | 'signal' | 'onProgress'>): ExploreOptions {
  return {
    ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
    ...(options.maxSeconds !== undefined ? { maxSeconds: options.maxSeconds } : {}),
    ...(options.maxMemoryMB !== undefined ? { maxMemoryMB: options.maxMemoryMB } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
}
