/**
 * Stable codes of the built-in properties and flags. A positive code is a violation, a negative
 * one a flag (reported, not a failure). User invariants and final conditions take codes from
 * `FIRST_USER_CODE` on, in the order they are declared.
 */
export const Code = {
  G1: 1,
  G2: 2,
  G3: 3,
  assertion: 4,
  deadlock: 5,
  domain: 6,
  precision: 7,
  areaOwnership: 8,
} as const;

export const FIRST_USER_CODE = 16;

/** A justified kill: the kernel killed a thread that violated the ABI (e.g. policy detection). */
export const FLAG_KILLED_AS_PROMISED = -1;

/** Built-in property names, as `--property` accepts them. */
export const builtinPropertyNames: Readonly<Record<number, string>> = {
  [Code.G1]: 'G1-atomicity',
  [Code.G2]: 'G2-no-false-kill',
  [Code.G3]: 'G3-detection',
  [Code.assertion]: 'assertions',
  [Code.deadlock]: 'deadlock-freedom',
  [Code.domain]: 'value-domain',
  [Code.precision]: 'no-spurious-abort',
  [Code.areaOwnership]: 'rseq-area-ownership',
};

/** One-line statements of the built-in properties, for listings and reports. */
export const builtinPropertyDocs: Readonly<Record<number, string>> = {
  [Code.G1]: 'no commit instruction executes after an event inside the same c.s. that should have aborted it: a preemption, migration, sleep or signal (§5.1), a membarrier RSEQ IPI (its guarantee, §2.9), or the creation of a child inside the c.s. (fork, §2.8); NO_RESTART flags exempt an event only where the kernel honours them',
  [Code.G2]: 'no process is killed unless it violated the ABI (catches false kills)',
  [Code.G3]: 'a syscall issued from inside a c.s. is detected (SIGSEGV) under a policy that promises detection',
  [Code.assertion]: 'no assert instruction fails',
  [Code.deadlock]: 'in a state with no successor every thread is done',
  [Code.domain]: 'every stored value stays in its declared domain and every memory access in bounds',
  [Code.precision]: 'no abort without an event since the c.s. was entered (no spurious abort)',
  [Code.areaOwnership]: "the kernel never writes a thread's struct rseq on behalf of another thread",
};

/** Why the kernel killed the process (stored in the state for explanations and G2). */
export const KillReason = {
  none: 0,
  syscallRseqCsSet: 1,
  syscallInCs: 2,
  badSignature: 3,
  abortInCs: 4,
  badVersion: 5,
  noRestartFlags: 6,
  noRestartSignalAlone: 7,
  readOnlyField: 8,
  csFlagsDebug: 9,
} as const;

export const killReasonText: readonly string[] = [
  '',
  'syscall while rseq_cs is set (policy b)',
  'syscall with ip inside the c.s.',
  'rseq signature mismatch at abort_ip - 4',
  'abort_ip inside the c.s.',
  'rseq_cs version != 0',
  'deprecated NO_RESTART flags set',
  'NO_RESTART_ON_SIGNAL without both PREEMPT and MIGRATE',
  'read-only field of struct rseq modified',
  'rseq_cs flags != 0 (debug)',
];
