/**
 * Real results for the report tests, built once per test file: a passing check, a violation,
 * an incomplete run, and small reviews. Small models, so each takes well under a second.
 */
import { check } from '../../index.js';
import type { CheckResult } from '../../run/check.js';
import { review, type ReviewResult } from '../../run/review.js';

const counter = { params: ['threads=2', 'ops=1'] } as const;

/** percpu-counter under linux-6.3: holds. */
export function passingCheck(extra: { search?: 'bfs' } = {}): Promise<CheckResult> {
  return check('percpu-counter', { policy: 'linux-6.3', ...counter, ...extra });
}

/** percpu-counter under linux-6.3 without abort on migration: G1 violated (a lost update). */
export function violatingCheck(): Promise<CheckResult> {
  return check('percpu-counter', { policy: 'linux-6.3', knobs: ['abortOnMigrate=false'], ...counter });
}

/** percpu-counter stopped by a 100-state limit: incomplete. */
export function incompleteCheck(): Promise<CheckResult> {
  return check('percpu-counter', { policy: 'linux-6.3', maxStates: 100, ...counter });
}

/** S1' under linux-6.3 (holds) and linux-6.19 (G1 broken). */
export function smallReview(): Promise<ReviewResult> {
  return review({ scenarios: ["S1'"], policies: ['linux-6.3', 'linux-6.19'] });
}

/**
 * S1' and S2 under linux-6.3, linux-6.19 and b@6.19: holds, G1 broken, killed as promised and
 * false kill cells. The S2 / linux-6.3 cell is then marked incomplete (without a trace), as a
 * state limit would leave it, so that reports show that case too.
 */
export async function mixedReview(): Promise<ReviewResult> {
  const r = await review({ scenarios: ["S1'", 'S2'], policies: ['linux-6.3', 'linux-6.19', 'b@6.19'] });
  return {
    ...r,
    cells: r.cells.map((c) => (c.scenario === 'S2' && c.policy === 'linux-6.3' ? { scenario: c.scenario, policy: c.policy, verdict: 'incomplete' as const, states: c.states } : c)),
  };
}
