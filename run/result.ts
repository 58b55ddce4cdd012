/**
 * What every run returns, as plain JSON data: one `Result` union told apart by `kind`
 * ('check' | 'temporal' | 'review'), and for the checks by `verdict`. A pass holds, a violation carries its shortest counterexample, and an incomplete
 * run (the same variant for every kind) says which limit stopped it. Reports (reports/) render
 * these; the library entry point (index.ts) attaches the views (`explain()`, `toDot()`...).
 *
 * `kind` comes first in every object, so a result's JSON (`JSON.stringify(result)`) is the
 * document the CLI prints.
 */
import type { FlagReport, Limit, Path, Stats } from '../checker/result.js';
import type { BudgetsIR } from '../models/ir/types.js';
import type { ExplainedTrace } from './explained-trace.js';
import type { Policy } from '../models/kernel/policy.js';
import type { CoverageReport } from '../models/system/coverage.js';
import type { Provenance } from './provenance.js';

/** A run that a limit (states, time, memory, depth) or an interrupt stopped: no verdict. */
export interface Incomplete {
  readonly verdict: 'incomplete';
  readonly stoppedBy: Limit;
}

/** Every reachable state explored, nothing violated. */
export interface Holds {
  readonly verdict: 'pass';
}

/** A flag with its witness explained. */
export interface ExplainedFlag extends FlagReport {
  readonly trace: ExplainedTrace;
}

/** The counterexample a depth-first search found first: not shortest, but found fast. */
export interface FirstCounterexample {
  readonly property: string;
  /** Transitions in the trace. */
  readonly steps: number;
  /** Seconds from the start of the check to this counterexample. */
  readonly seconds: number;
  /** States stored when it was found. */
  readonly states: number;
  readonly path: Path;
  readonly trace: ExplainedTrace;
}

/** The result of a check of safety properties (`checkModel`). */
export type CheckResult = { readonly kind: 'check' } & (
  | Holds
  | {
      readonly verdict: 'violation';
      readonly property: string;
      readonly path: Path;
      readonly trace: ExplainedTrace;
      /** The first-then-shortest search: the counterexample found first (the one above is shortest). */
      readonly first?: FirstCounterexample;
      /** The first-then-shortest search: seconds from the start of the check to the shortest counterexample. */
      readonly secondsToShortest?: number;
    }
  | Incomplete
) & {
    readonly model: string;
    readonly policy: Policy;
    readonly budgets: BudgetsIR;
    readonly stats: Stats;
    readonly flags: readonly ExplainedFlag[];
    /** Which event kinds were explored at which instruction (placement coverage). */
    readonly coverage: CoverageReport;
    /** Where the result came from (set by the library's `check` and by the CLI's outputs). */
    readonly provenance?: Provenance;
  };

export type Fairness = 'none' | 'weak' | 'strong';

/** The result of a temporal (LTL) check (`checkTemporal`): a violation is a lasso. */
export type TemporalResult = { readonly kind: 'temporal' } & (
  | Holds
  | Incomplete
  | { readonly verdict: 'violation'; readonly trace: ExplainedTrace; readonly path: { readonly choices: readonly number[]; readonly loopStart: number } }
) & {
    readonly model: string;
    readonly policy: Policy;
    readonly property: string;
    readonly formula: string;
    readonly fairness: Fairness;
    readonly finiteEvents: boolean;
    /** Product states and transitions. */
    readonly stats: { readonly states: number; readonly transitions: number; readonly seconds: number };
    /** Where the result came from (set by the library's `check` and by the CLI's outputs). */
    readonly provenance?: Provenance;
  };

/** What a cell of the verdict matrix says, most severe first. */
export type CellVerdict = 'atomicity broken (G1)' | 'false kill (G2)' | 'undetected violation (G3)' | 'killed as promised' | 'holds' | 'incomplete';

/** One cell of the design review: a seed scenario under one policy. */
export interface ReviewCell {
  readonly scenario: string;
  readonly policy: string;
  readonly verdict: CellVerdict;
  /** The shortest counterexample (or, for "killed as promised", the first kill's witness). */
  readonly trace?: ExplainedTrace;
  readonly states: number;
  /** Placement coverage of the cell's G1 exploration. */
  readonly coverage?: CoverageReport;
  /** For an incomplete cell: the limit or signal that stopped it. */
  readonly stoppedBy?: Limit;
  /** Wall-clock seconds of the cell's explorations (G1, G2, G3 as far as they ran). */
  readonly seconds?: number;
}

/** The design review (`review`): the verdict matrix, scenarios by policies. */
export interface ReviewResult {
  readonly kind: 'review';
  readonly scenarios: readonly { readonly id: string; readonly title: string }[];
  readonly policies: readonly string[];
  readonly cells: readonly ReviewCell[];
  readonly seconds: number;
  /** Set when --max-seconds or a signal stopped the review: the cells not done then are incomplete. */
  readonly stoppedBy?: Limit;
  /** Where the result came from (set by the library's `review` and by the CLI's outputs). */
  readonly provenance?: Provenance;
}

/** Any run's result. */
export type Result = CheckResult | TemporalResult | ReviewResult;
