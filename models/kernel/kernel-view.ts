import type { ModelIR } from '../ir/types.js';
import type { DecisionSink } from './decisions.js';
import type { RseqLayout } from './layout.js';
import type { Policy } from './policy.js';

/**
 * The parts of KernelSemantics that the kernel paths kept in their own files (kvm.ts, exec.ts)
 * use: structural, so that those files and semantics.ts do not import each other.
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
