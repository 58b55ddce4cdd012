/**
 * A helper shared by the mutant-killing kernel tests (semantics-, syscall-checks-, rework-,
 * notify-resume- and kernel-work-mutants.test.ts): one successor together with the kernel
 * decisions reported while it was computed, for effects the next state no longer shows (an exit
 * work clears its event bits before user space runs again; a decision records the site of a
 * check).
 */
import { expect } from 'vitest';
import { DecisionLog, type KernelDecision } from '../../models/kernel/decisions.js';
import { decodeLabel } from '../../models/system/labels.js';
import type { RseqSystem } from '../../models/system/rseq-system.js';
import type { LabelPattern } from './semantics-helpers.js';

export interface LoggedStep {
  readonly state: Int32Array;
  readonly decisions: KernelDecision[];
}

/** The unique successor of `s` matching `want`, and the kernel decisions reported for it alone. */
export function logged(sys: RseqSystem, s: Int32Array, want: LabelPattern): LoggedStep {
  const log = new DecisionLog();
  const out = new Int32Array(sys.stateWords);
  const hits: LoggedStep[] = [];
  sys.kernel.sink = log;
  try {
    sys.successors(s, out, (raw) => {
      const l = decodeLabel(raw);
      const decisions = log.take();
      if (l.kind === want.kind && l.thread === want.thread && (want.arg === undefined || l.arg === want.arg)) hits.push({ state: out.slice(), decisions });
    });
  } finally {
    sys.kernel.sink = undefined;
  }
  expect(hits).toHaveLength(1);
  return hits[0]!;
}

/** The decisions of one kind. */
export function ofKind<T extends KernelDecision['kind']>(ds: readonly KernelDecision[], kind: T): Extract<KernelDecision, { kind: T }>[] {
  return ds.filter((d): d is Extract<KernelDecision, { kind: T }> => d.kind === kind);
}
