/**
 * One cell of the design review: a seed scenario under one policy, checked against G1, G2 and
 * G3. Runs in-process or in a task worker (run/task-worker.ts).
 */
import { namingSignal, type Limit } from '../checker/result.js';
import { InputErrors } from '../models/ir/errors.js';
import type { ModelInput } from '../models/ir/schema.js';
import { validateModel } from '../models/ir/validate.js';
import type { CoverageReport } from '../models/system/coverage.js';
import { checkModel, type CheckResult } from './check.js';
import type { CellVerdict, ReviewCell } from './result.js';

/** What may stop a review's cell before its verdict (it is incomplete then). */
export interface ReviewCellLimits {
  /** When the whole review must end (`Date.now()` milliseconds): the review's --max-seconds ... */
  readonly deadline?: number;
  /** ... which a cell stopped by it names. */
  readonly maxSeconds?: number;
  /** Aborted by the first SIGINT or SIGTERM. */
  readonly signal?: AbortSignal;
  /** States one exploration of the cell may store (the review's --max-states). @defaultValue 2 000 000 */
  readonly maxStates?: number;
  /** The process's resident-size bound in MB (the review's --max-memory). */
  readonly maxMemoryMB?: number;
}

/** A cell's exploration cap when the review gives none: every seed scenario fits well within it. */
const CELL_STATES = 2_000_000;

/**
 * Checks one scenario under one policy against G1, G2 and G3 (one exploration per property,
 * so each verdict comes with its own shortest counterexample) and names the cell by the most
 * severe outcome: G1, then G2, then G3, then a justified kill, else holds. A cell stopped by
 * `limits` is incomplete.
 */
export async function reviewCell(model: ModelInput, scenario: string, policy: string, limits: ReviewCellLimits = {}): Promise<ReviewCell> {
  const start = performance.now();
  const cell = checkCell(model, scenario, policy, limits);
  return { ...(await cell), seconds: (performance.now() - start) / 1000 };
}

async function checkCell(model: ModelInput, scenario: string, policy: string, limits: ReviewCellLimits): Promise<ReviewCell> {
  const v = validateModel(model, scenario);
  if (!v.ok) throw new InputErrors(v.errors);
  let states = 0;
  let killed: CheckResult | undefined;
  let coverage: CoverageReport | undefined;
  const order: [string, CellVerdict][] = [
    ['G1-atomicity', 'atomicity broken (G1)'],
    ['G2-no-false-kill', 'false kill (G2)'],
    ['G3-detection', 'undetected violation (G3)'],
  ];
  const reviewTime: Limit = { kind: 'time', bound: limits.maxSeconds ?? 0 };
  for (const [prop, verdict] of order) {
    const left = limits.deadline !== undefined ? Math.max(0, (limits.deadline - Date.now()) / 1000) : undefined;
    if (limits.signal?.aborted || left === 0) {
      const stoppedBy = left === 0 ? reviewTime : namingSignal({ kind: 'interrupted' }, limits.signal);
      return { scenario, policy, verdict: 'incomplete', states, stoppedBy, ...(coverage ? { coverage } : {}) };
    }
    const r = await checkModel(v.ir, {
      policy,
      properties: [prop],
      maxStates: limits.maxStates ?? CELL_STATES,
      ...(limits.maxMemoryMB !== undefined ? { maxMemoryMB: limits.maxMemoryMB } : {}),
      ...(left !== undefined ? { maxSeconds: left } : {}),
      ...(limits.signal ? { signal: limits.signal } : {}),
    });
    states = Math.max(states, r.stats.states);
    coverage ??= r.coverage;
    if (r.verdict === 'violation') return { scenario, policy, verdict, trace: r.trace, states, coverage };
    // The cell's own time limit is what was left of the review's: name the review's.
    if (r.verdict === 'incomplete') return { scenario, policy, verdict: 'incomplete', states, coverage, stoppedBy: r.stoppedBy.kind === 'time' ? reviewTime : r.stoppedBy };
    if (r.flags.some((f) => f.name === 'killed-as-promised')) killed = r;
  }
  const kill = killed?.flags.find((f) => f.name === 'killed-as-promised');
  if (kill) return { scenario, policy, verdict: 'killed as promised', trace: kill.trace, states, ...(coverage ? { coverage } : {}) };
  return { scenario, policy, verdict: 'holds', states, ...(coverage ? { coverage } : {}) };
}
