/**
 * The design review: every seed scenario under every policy, one cell per pair (review-cell.ts),
 * checked in-process or on a pool of task workers.
 */
import { reviewCell } from './review-cell.js';
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
}

/** Runs every seed scenario under every policy. */
export async function review(options: ReviewOptions = {}): Promise<ReviewResult> {
  const start = performance.now();
  const policies = options.policies ?? reviewPolicies;
  const scen = seedScenarios.filter((s) => !options.scenarios || options.scenarios.includes(s.id));
  const todo = scen.flatMap((s) => {
    const model = s.build();
    return policies.map((policy) => ({ model, scenario: s.id, policy }));
  });
  let cells: ReviewCell[];
  if ((options.workers ?? 1) > 1) {
    cells = await reviewCellsInPool(todo, options.workers!);
  } else {
    cells = [];
    for (const c of todo) cells.push(await reviewCell(c.model, c.scenario, c.policy));
  }
  return { kind: 'review', scenarios: scen.map((s) => ({ id: s.id, title: s.title })), policies, cells, seconds: (performance.now() - start) / 1000 };
}
