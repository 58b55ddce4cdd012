import type { Interpreter } from '../kernel/interpreter.js';
import { WorkKind } from '../kernel/kernel-work.js';
import { Status, type RseqLayout } from '../kernel/layout.js';
import type { KernelSemantics } from '../kernel/semantics.js';
import type { CanonicalForm } from './canonical.js';

/**
 * A running thread's instruction step: its instruction, the purely local instructions fused
 * after it (see fusibleInstructions), canonical form.
 */
export class InstructionSteps {
  private readonly L: RseqLayout;

  /**
   * @param fusible per program, per IP: 1 when the instruction runs fused (all 0 unless `reduced`)
   * @param runningOn per CPU, the thread running there in the state being expanded, or -1
   *   (filled by whoever reads that state: membarrier's IPIs go by it)
   */
  constructor(
    private readonly kernel: KernelSemantics,
    private readonly interp: Interpreter,
    private readonly canonical: CanonicalForm,
    private readonly reduced: boolean,
    private readonly fusible: readonly Uint8Array[],
    private readonly runningOn: Int32Array,
  ) {
    this.L = kernel.L;
  }

  /** Thread running on `cpu` (excluding `except`), or -1. */
  private readonly cpuOf = (cpu: number, except: number): number => {
    const t = this.runningOn[cpu]!;
    return t === except ? -1 : t;
  };

  /** Whether instruction `ip` of program `prog` runs fused with the one before it (no events explored before it). */
  fusedAt(prog: number, ip: number): boolean {
    return this.fusible[prog]![ip] === 1;
  }

  /** Whether running thread t's next instruction is one that runs fused (no events before it). */
  atFusible(s: Int32Array, t: number): boolean {
    if (!this.reduced) return false;
    const k = this.kernel;
    const lvl = k.level(s, t);
    return this.fusible[k.programOf(s, t, lvl)]![k.get(s, this.L.ip[this.L.frame(t, lvl)]!)] === 1;
  }

  /** Runs running thread t's instruction step on `out`; returns the interpreter's StepOutcome. */
  step(out: Int32Array, t: number): number {
    const touchesOthers = this.interp.current(out, t).op === 'syscall';
    const outcome = this.interp.step(out, t, false, this.cpuOf);
    this.runFused(out, t);
    this.canonical.threads(out, t, touchesOthers);
    return outcome;
  }

  /** Runs running thread t's syscall on `out` with a preemption at its exit instead of the return to user space. */
  stepPreemptedAtExit(out: Int32Array, t: number): void {
    this.interp.step(out, t, true, this.cpuOf);
    this.canonical.threads(out, t, true);
  }

  /**
   * The instructions thread t runs in its instruction step from `s` (with a preemption at a
   * syscall's exit if asked: nothing runs fused then), as (program, IP) pairs: the one at its
   * IP, then the fused local ones (for explanations). Steps `s` itself, without canonical form.
   */
  chain(s: Int32Array, t: number, preemptAtExit: boolean): { prog: number; ip: number }[] {
    const k = this.kernel;
    const lvl = k.level(s, t);
    const chain = [{ prog: k.programOf(s, t, lvl), ip: k.get(s, this.L.ip[this.L.frame(t, lvl)]!) }];
    this.interp.step(s, t, preemptAtExit, this.cpuOf);
    if (!preemptAtExit) this.runFused(s, t, (prog, ip) => chain.push({ prog, ip }));
    return chain;
  }

  /** Runs the fused instructions that follow an instruction of t, telling `onStep` the (program, IP) of each before it runs. */
  private runFused(s: Int32Array, t: number, onStep?: (prog: number, ip: number) => void): void {
    const k = this.kernel;
    const L = this.L;
    // Not while t is paused inside kernel work an IPI may interrupt (models/kernel/kernel-work.ts).
    while (k.get(s, L.status[t]!) === Status.Running && !k.killed(s) && k.get(s, L.violation) === 0 && k.work.kind(s, t) === WorkKind.none && this.atFusible(s, t)) {
      if (onStep) {
        const lvl = k.level(s, t);
        onStep(k.programOf(s, t, lvl), k.get(s, L.ip[L.frame(t, lvl)]!));
      }
      this.interp.step(s, t, false, this.cpuOf);
    }
  }
}
