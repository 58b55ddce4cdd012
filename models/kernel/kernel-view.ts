import type { DescriptorIR, ModelIR } from '../ir/types.js';
import type { CheckSite, DecisionSink, KillReasonCode } from './decisions.js';
import type { RseqLayout } from './layout.js';
import type { Policy } from './policy.js';

/**
 * The parts of KernelSemantics that the kernel paths kept in their own files (kvm.ts, exec.ts,
 * ptrace.ts, ...) use: structural, so that those files and semantics.ts do not import each other.
 */
export interface KernelView {
  readonly ir: ModelIR;
  readonly L: RseqLayout;
  readonly policy: Policy;
  readonly rework: boolean;
  readonly trackMmCid: boolean;
  readonly sink: DecisionSink | undefined;
  get(s: Int32Array, f: number): number;
  set(s: Int32Array, f: number, v: number): void;
  programOf(s: Int32Array, t: number, l: number): number;
  level(s: Int32Array, t: number): number;
  topFrame(s: Int32Array, t: number): number;
  area(s: Int32Array, t: number): number;
  setArea(s: Int32Array, t: number, a: number): void;
  updateIds(s: Int32Array, t: number, force: boolean): void;
}

/** What the checks of a thread's rseq_cs use (rework.ts, notify-resume.ts): their verdicts. */
export interface FixupKernel extends KernelView {
  killed(s: Int32Array): boolean;
  desc(d: number): DescriptorIR;
  inRange(d: number, prog: number, ip: number): boolean;
  kill(s: Int32Array, t: number, reason: KillReasonCode): void;
  abort(s: Int32Array, t: number, a: number, f: number, d: number, site: CheckSite, events: number): void;
  /** rseq_cs of area a cleared with t's IP outside the range of descriptor d. */
  lazyClear(s: Int32Array, t: number, a: number, d: number, site: CheckSite | 'syscall-exit'): void;
  /** rseq_get_rseq_cs's checks; false if it killed. */
  validateFull(s: Int32Array, t: number, d: number): boolean;
}
