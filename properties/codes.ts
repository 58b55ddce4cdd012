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
  deliveryTerminates: 9,
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
  [Code.deliveryTerminates]: 'signal-delivery-terminates',
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
  sigsegvLoop: 10,
  unregisterRace: 11,
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
  'caught SIGSEGV redelivered for ever (force_sig on the delivery path)',
  'exit work wrote the IDs through the area rseq(UNREGISTER) had just cleared (a membarrier IPI in the window)',
];
