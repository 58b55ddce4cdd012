/**
 * The coverage tables' and plots' names for the transition kinds of models/system/labels.ts, in
 * a reader's words: the internal name stays available as a tooltip.
 */
const WORDS: Readonly<Record<string, string>> = {
  instruction: 'next instruction',
  instructionPreemptedAtExit: 'instruction, then preempted',
  preempt: 'preemption',
  migrate: 'migration',
  signal: 'signal delivered',
  interrupt: 'interrupt',
  taskWork: 'task work on return',
  trap: 'trap (e.g. page fault)',
  trapSleep: 'trap that sleeps',
  schedule: 'scheduled back in',
  wake: 'wake-up',
  signalPending: 'signal sent',
  wakeBySignal: 'woken by a signal',
  kernelWork: 'kernel work continues',
};

/** The reader's words for a transition kind (an unknown kind keeps its own name). */
export function eventKindWords(kind: string): string {
  return WORDS[kind] ?? kind;
}
