/**
 * A counterexample explained in rseq terms: the view model every report (text, DOT, SVG, HTML,
 * JSON, notebook) renders. Plain JSON, produced by run/explain.ts from the decisions the kernel
 * semantics reported while a path was replayed (models/kernel/decisions.ts).
 */
export type StepKind =
  | 'init'
  | 'instruction'
  | 'schedule'
  | 'preempt'
  | 'migrate'
  | 'signal'
  | 'signal-pending'
  | 'interrupt'
  | 'task-work'
  | 'kernel-work'
  | 'trap'
  | 'trap-sleep'
  | 'wake'
  | 'ptrace'
  | 'syscall-exit'
  | 'membarrier-ipi';

/** One kernel decision taken during a step (or a user commit), in words, with a machine-readable kind. */
export interface Decision {
  readonly kind:
    | 'abort'
    | 'lazy-clear'
    | 'ids-updated'
    | 'event-recorded'
    | 'sigsegv'
    | 'frame-pushed'
    | 'sigreturn'
    | 'commit'
    | 'no-abort'
    | 'other';
  readonly text: string;
}

export interface ExplainedStep {
  /** 0 for the initial state, then 1, 2, ... */
  readonly index: number;
  readonly kind: StepKind;
  /** The thread the step concerns (null for the initial state). */
  readonly thread: string | null;
  /** The CPU the thread is on after the step (null when it is on none). */
  readonly cpu: string | null;
  /** For `instruction` steps: the instruction executed. */
  readonly instruction?: {
    readonly program: string;
    readonly index: number;
    readonly label?: string;
    readonly text: string;
    /** Purely local instructions that ran in the same step after it (partial-order reduction). */
    readonly fused?: readonly string[];
  };
  /** What the kernel decided during the step. */
  readonly decisions: readonly Decision[];
  /** Per thread, the descriptor its `rseq_cs` points to after the step (null if cleared). */
  readonly rseqCs: Readonly<Record<string, string | null>>;
  /** Per thread, whether its current IP is inside the range of the descriptor it armed. */
  readonly inCs: Readonly<Record<string, boolean>>;
  /** The whole step in one sentence. */
  readonly text: string;
  /** True for steps that witness the violated property (e.g. the conflicting commits). */
  readonly witness: boolean;
  /**
   * The values the step changed, in a fixed order (registers, memory, struct rseq, kernel); for
   * the initial state, every value without `before` (memory, then thread by thread). Absent in
   * traces written before values.
   */
  readonly values?: readonly ValueChange[];
}

/** A value as shown: a number, a descriptor or event-bit name, or null for a cleared `rseq_cs`. */
export type TraceValue = number | string | null;

/** One value a step changed (or, at the initial state, one value of the start). */
export interface ValueChange {
  /**
   * What holds it: `T1.r1` (a register of T1's interrupted context; `T1@sig1.r1` in its first
   * signal handler), `counter[0]` or `x` (memory), `T1.cpu_id_start`, `T1.cpu_id`, `T1.rseq_cs`,
   * `T1.mm_cid` (T1's struct rseq), `T1.events` (the rseq event bits the kernel holds pending).
   */
  readonly name: string;
  readonly scope: 'register' | 'memory' | 'rseq' | 'kernel';
  /** The value before the step; absent for the initial state. */
  readonly before?: TraceValue;
  readonly after: TraceValue;
}

/** The step that is the bug: where the violated property was decided, and why, in words. */
export interface DecisiveStep {
  /** Index of the step (ExplainedStep.index). */
  readonly step: number;
  /** The property the step breaks (or, for a flag, witnesses). */
  readonly property: string;
  readonly why: string;
}

export interface ExplainedTrace {
  readonly model: string;
  readonly policy: string;
  /** Name of the violated property, or of the flag this trace witnesses. */
  readonly property: string;
  readonly threads: readonly string[];
  readonly cpus: readonly string[];
  readonly steps: readonly ExplainedStep[];
  /** For a lasso: the step index where the cycle starts. */
  readonly loopStart?: number;
  /** The replay token: initial-state index and one successor index per step. */
  readonly replay: string;
  /** The step that breaks the property (absent for a lasso, and in traces written before it). */
  readonly decisive?: DecisiveStep;
}
