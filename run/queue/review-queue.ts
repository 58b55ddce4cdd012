/**
 * `review --queue URL`: the design review with one job per cell. The workers rebuild each seed
 * scenario by its id and check it with run/review-cell.ts, so the report is the in-process one,
 * byte for byte apart from its timing.
 */
import { namingSignal, type Limit } from '../../checker/result.js';
import { seedScenarios } from '../../models/library/seed/scenarios.js';
import type { ReviewCell, ReviewResult } from '../result.js';
import { reviewPolicies, type ReviewOptions } from '../review.js';
import type { QueueTarget } from './connection.js';
import { newRunId, runOnQueue, type CoordinatorOptions, type EarlyEnd } from './coordinator.js';
import { QueueJobFailed } from './job-failed.js';
import { QUEUE_PROTOCOL, reviewCellResult, type ReviewCellPayload } from './payload.js';

/** Options of a review on the queue: the review's own (but workers), this rseq-check's version, and the board callback. */
export interface QueueReviewOptions extends Omit<ReviewOptions, 'workers' | 'onCell'>, Pick<CoordinatorOptions, 'onBoard'> {
  readonly version: string;
}

/** The review's result, and why it ended early if Redis was lost (its cells not done are incomplete). */
export interface QueueReview {
  readonly result: ReviewResult;
  readonly ended?: EarlyEnd;
}

/** Runs the review's cells as jobs on the queue at `target`. */
export async function reviewOnQueue(target: QueueTarget, options: QueueReviewOptions): Promise<QueueReview> {
  const start = performance.now();
  const policies = options.policies ?? reviewPolicies;
  const scen = seedScenarios.filter((s) => !options.scenarios || options.scenarios.includes(s.id));
  const run = newRunId();
  const deadline = options.maxSeconds !== undefined ? Date.now() + options.maxSeconds * 1000 : undefined;
  const todo = scen.flatMap((s) => policies.map((policy) => ({ scenario: s.id, policy })));
  const payloads: ReviewCellPayload[] = todo.map((c) => ({
    protocol: QUEUE_PROTOCOL,
    version: options.version,
    run,
    kind: 'review-cell',
    ...c,
    ...(deadline !== undefined ? { deadline, maxSeconds: options.maxSeconds! } : {}),
    ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
    ...(options.maxMemoryMB !== undefined ? { maxMemoryMB: options.maxMemoryMB } : {}),
  }));
  const check = (value: unknown, i: number): ReviewCell => {
    const r = reviewCellResult.safeParse(value);
    if (!r.success || r.data.scenario !== todo[i]!.scenario || r.data.policy !== todo[i]!.policy)
      throw new QueueJobFailed(`a worker returned a malformed result for cell ${todo[i]!.scenario} × ${todo[i]!.policy}${r.success ? ` (it names ${r.data.scenario} × ${r.data.policy})` : `: ${r.error.issues.map((x) => `${x.path.join(".")}: ${x.message}`).join("; ")}`}; the run has no verdict`);
    // The value itself, not zod's copy: the copy reorders the keys, and the report must not change.
    return value as ReviewCell;
  };
  const { results, ended } = await runOnQueue(target, run, payloads, check, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(deadline !== undefined ? { deadline } : {}),
    ...(options.onBoard ? { onBoard: options.onBoard } : {}),
  });
  const seconds = (performance.now() - start) / 1000;
  // As in process: a signal names itself; else the first cell a limit stopped; else the review's time.
  const timeUp = options.maxSeconds !== undefined && (ended?.kind === 'time' || seconds >= options.maxSeconds);
  const notDone: Limit | undefined = ended?.kind === 'signal' ? namingSignal({ kind: 'interrupted' }, options.signal) : timeUp ? { kind: 'time', bound: options.maxSeconds } : undefined;
  const cells = todo.map((c, i): ReviewCell => (results[i] as ReviewCell | undefined) ?? { scenario: c.scenario, policy: c.policy, verdict: 'incomplete', states: 0, ...(notDone ? { stoppedBy: notDone } : {}) });
  const stoppedBy: Limit | undefined = ended?.kind === 'signal' ? notDone : (cells.find((c) => c.stoppedBy)?.stoppedBy ?? (cells.some((c) => c.verdict === 'incomplete') ? notDone : undefined));
  const result: ReviewResult = { kind: 'review', scenarios: scen.map((s) => ({ id: s.id, title: s.title })), policies, cells, seconds, ...(stoppedBy ? { stoppedBy } : {}) };
  return { result, ...(ended ? { ended } : {}) };
}
