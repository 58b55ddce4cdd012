/**
 * The design review: every seed scenario under every policy, one cell per pair (review-cell.ts),
 * checked in-process or on a pool of task workers.
 */
import { namingSignal, type Limit } from '../checker/result.js';
import { reviewCell, type ReviewCellLimits } from './review-cell.js';
import type { ReviewCell, ReviewResult } from './result.js';
import { kernelPresetNames, proposalPresetNames } from '../models/kernel/presets.js';
import { seedScenarios } from '../models/library/seed/scenarios.js';
import { reviewCellsInPool } from './task-pool.js';

export type { CellVerdict, ReviewResult } from './result.js';

/** The review's columns: every kernel preset, then every proposal. */
export const reviewPolicies: readonly string[] = [...kernelPresetNames, ...proposalPresetNames];

/** Options of `review`. */
export interface ReviewOptions {
  readonly policies?: readonly string[];
  readonly scenarios?: readonly string[];
  /** Cells checked at once on a pool of worker threads; 1 checks them in-process. @defaultValue 1 */
  readonly workers?: number;
  /** The whole review's time limit: cells not done by then are incomplete. @defaultValue unlimited */
  readonly maxSeconds?: number;
  /** States one exploration of a cell may store; a cell that needs more is incomplete. @defaultValue 2 000 000 */
  readonly maxStates?: number;
  /** Bound on the process's resident size in MB: a cell that would pass it is incomplete. */
  readonly maxMemoryMB?: number;
  /** Aborting it stops the review: the cells done keep their verdicts, the rest are incomplete. */
  readonly signal?: AbortSignal;
  /** Called as each cell is done (for a progress line). */
  readonly onCell?: () => void;
}

/** The number of cells `review(options)` checks. */
export function reviewSize(options: Pick<ReviewOptions, 'policies' | 'scenarios'> = {}): number {
  return seedScenarios.filter((s) => !options.scenarios || options.scenarios.includes(s.id)).length * (options.policies ?? reviewPolicies).length;
}

/**
 * Runs every seed scenario under every policy; a limit or the signal leaves the unfinished cells
 * incomplete, each naming what stopped it, and the review names the first in `stoppedBy`.
 */
export async function review(options: ReviewOptions = {}): Promise<ReviewResult> {
  const start = performance.now();
  const policies = options.policies ?? reviewPolicies;
  const scen = seedScenarios.filter((s) => !options.scenarios || options.scenarios.includes(s.id));
  const todo = scen.flatMap((s) => {
    const model = s.build();
    return policies.map((policy) => ({ model, scenario: s.id, policy }));
  });
  const limits: ReviewCellLimits = {
    ...(options.maxSeconds !== undefined ? { deadline: Date.now() + options.maxSeconds * 1000, maxSeconds: options.maxSeconds } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
    ...(options.maxMemoryMB !== undefined ? { maxMemoryMB: options.maxMemoryMB } : {}),
  };
  let cells: ReviewCell[];
  if ((options.workers ?? 1) > 1) {
    cells = await reviewCellsInPool(todo, options.workers!, limits, options.onCell);
  } else {
    cells = [];
    for (const c of todo) {
      cells.push(await reviewCell(c.model, c.scenario, c.policy, limits));
      options.onCell?.();
    }
  }
  const seconds = (performance.now() - start) / 1000;
  // The review names the first limit that stopped a cell; a signal stops them all.
  const stoppedBy: Limit | undefined = options.signal?.aborted ? namingSignal({ kind: 'interrupted' }, options.signal) : cells.find((c) => c.stoppedBy)?.stoppedBy;
  return { kind: 'review', scenarios: scen.map((s) => ({ id: s.id, title: s.title })), policies, cells, seconds, ...(stoppedBy ? { stoppedBy } : {}) };
}
