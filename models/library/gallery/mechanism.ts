/**
 * What a gallery entry's default counterexample must show for its title to be true: the
 * mechanisms it names, as a test can find them in the explained trace
 * (test/library/gallery-shows.test.ts).
 *
 * - a step kind (run/explained-trace.ts `StepKind`): `migrate`, `preempt`, `signal`, ...;
 * - `syscall:NAME`: a step that executes `syscall NAME`;
 * - `decision:KIND`: a step on which the kernel decided KIND (`Decision['kind']`: `abort`,
 *   `no-abort`, `sigsegv`, `lazy-clear`, ...).
 */
export type GalleryMechanism =
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
  | 'syscall-exit'
  | 'membarrier-ipi'
  | `syscall:${string}`
  | `decision:${'abort' | 'lazy-clear' | 'ids-updated' | 'event-recorded' | 'sigsegv' | 'frame-pushed' | 'sigreturn' | 'commit' | 'no-abort'}`;
