/**
 * Transition labels: what a successor of the rseq system did, packed in one number as
 * kind | thread << LABEL_THREAD_SHIFT | arg << LABEL_ARG_SHIFT. Every producer and reader of a
 * label goes through this module, so the bit layout is spelled out here only.
 */

/** Environment events and instruction steps, as encoded in transition labels. */
export const LabelKind = {
  instruction: 0,
  instructionPreemptedAtExit: 1,
  preempt: 2,
  migrate: 3,
  signal: 4,
  interrupt: 5,
  taskWork: 6,
  trap: 7,
  trapSleep: 8,
  schedule: 9,
  wake: 10,
  signalPending: 11,
  wakeBySignal: 12,
  /** Kernel work a membarrier IPI could land inside continues (models/kernel/kernel-work.ts). */
  kernelWork: 13,
} as const;

/** Number of label kinds (for coverage tables). */
export const NUM_LABEL_KINDS = Object.keys(LabelKind).length;

/** Label kind names, indexed by kind. */
export const labelKindNames: readonly string[] = Object.entries(LabelKind)
  .sort((a, b) => a[1] - b[1])
  .map(([name]) => name);

/** Bits 0-4: the kind. */
const LABEL_KIND_MASK = 0x1f;
/** Bits 5-8: the acting thread. */
const LABEL_THREAD_SHIFT = 5;
const LABEL_THREAD_MASK = 0xf;
/**
 * Bits 9 and up: the argument (the target CPU of a migration, the thread switched in by a
 * preemption, 1 for a `wake` of a thread stopped for its tracer that the tracer first gave a
 * new IP (PTRACE_SETREGS, models/kernel/ptrace.ts), ...).
 */
const LABEL_ARG_SHIFT = 9;

export function makeLabel(kind: number, thread: number, arg = 0): number {
  return kind | (thread << LABEL_THREAD_SHIFT) | (arg << LABEL_ARG_SHIFT);
}

export function labelKind(label: number): number {
  return label & LABEL_KIND_MASK;
}

export function labelThread(label: number): number {
  return (label >>> LABEL_THREAD_SHIFT) & LABEL_THREAD_MASK;
}

function labelArg(label: number): number {
  return label >>> LABEL_ARG_SHIFT;
}

export function decodeLabel(label: number): { kind: number; thread: number; arg: number } {
  return { kind: labelKind(label), thread: labelThread(label), arg: labelArg(label) };
}

/**
 * Kernel events in a transition with this label: every step that is not a thread's own
 * instruction or system call (a preemption, migration, signal, interrupt, task work, trap,
 * scheduling of a ready thread, wake-up, ...) counts one; an instruction whose system call
 * returns into a preemption counts one for the preemption. This is the one definition: the
 * shortest counterexample breaks ties by the fewest of these (RseqSystem.tieCost).
 */
export function kernelEvents(label: number): number {
  return labelKind(label) === LabelKind.instruction ? 0 : 1;
}
