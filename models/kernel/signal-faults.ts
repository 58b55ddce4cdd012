import { KillReason } from '../../properties/codes.js';
import type { EventClass, KillReasonCode } from './decisions.js';
import type { KernelView } from './kernel-view.js';

/**
 * Whether a kill for `reason` is instead a SIGSEGV the thread catches, whose delivery faults
 * again for ever (rseq-semantics.md §1.5, segvOnDelivery=force_sig, before 784e0300fe9f). The
 * notify-resume handler reports a bad descriptor with force_sigsegv(0), rseq_syscall with
 * force_sig(SIGSEGV): both queue a SIGSEGV a handler catches. Its delivery runs
 * rseq_signal_deliver before setup_rt_frame, over the same descriptor, and faults again, now
 * with the SIGSEGV being delivered: force_sig(SIGSEGV) queues another caught one: each pass
 * pushes one more handler frame and never returns to user space, until the stack is exhausted
 * (setup_rt_frame fails and force_sigsegv(SIGSEGV) ends it). The model reports the loop, not
 * that distant end: it ends the run there with its own reason (KillReason.sigsegvLoop), which
 * signal-delivery-terminates reports. Only faults that recur wherever the IP is (after the
 * first frame it is the handler's) loop: a descriptor the full validation rejects, a dirty
 * read-only field. A NO_RESTART kill needs the IP in the c.s., as does a signature check made
 * only in range, so the second delivery would run the handler: not modelled, the kill stands;
 * so it does under the 6.19 rework, whose delivery may skip the c.s. (no user_irq).
 */
export function sigsegvLoops(k: KernelView, t: number, reason: number): boolean {
  if (k.rework || k.ir.threads[t]!.sigsegvHandler < 0 || k.policy.segvOnDelivery !== 'force_sig') return false;
  if (reason === KillReason.readOnlyField || reason === KillReason.badVersion || reason === KillReason.abortInCs) return true;
  return reason === KillReason.badSignature && k.policy.csValidation !== 'minimal-in-range';
}

/**
 * Whether a fault the rseq handler finds for t (notify-resume, or the delivery of a signal) is a
 * SIGSEGV t's handler catches (segvOnDelivery=force_sigsegv, every kernel since 784e0300fe9f).
 * force_sigsegv(0 or the other signal) is force_sig(SIGSEGV): catchable; on the delivery path
 * handle_signal still sets up the frame of the signal being delivered. Delivering the SIGSEGV
 * runs the fixup again over the same rseq_cs (SegvDelivery.deliverForced): a fault that
 * recurs calls force_sigsegv(SIGSEGV) = force_fatal_sig, which resets the handler to SIG_DFL
 * and queues a fatal SIGSEGV, yet handle_signal goes on with the handler it already took and
 * signal_delivered blocks SIGSEGV (sa_mask + the signal, no SA_NODEFER): the handler runs once
 * with the fatal SIGSEGV pending and blocked, and rt_sigreturn's restored mask lets it kill. A
 * fault that does not recur (the IP is now another handler's, outside the range, under a check
 * made only in range: the fixup clears rseq_cs instead) leaves an ordinary caught SIGSEGV.
 * While the SIGSEGV handler runs, SIGSEGV is blocked: a new fault's force_sig unblocks it with
 * SIG_DFL and the kill stands. Faults found elsewhere keep the kill: the syscall checks
 * (rseq_syscall, the policies b/c) and the 6.19 rework, whose error paths and delivery (which
 * may skip the c.s., no user_irq) the model does not follow into a handler.
 */
function sigsegvCaught(k: KernelView, t: number): boolean {
  return !k.rework && k.ir.threads[t]!.sigsegvHandler >= 0 && k.policy.segvOnDelivery === 'force_sigsegv';
}

/** The parts of KernelSemantics the SIGSEGV delivery path uses. */
export interface SegvKernel extends KernelView {
  readonly ghosts: { readonly g2: boolean };
  killed(s: Int32Array): boolean;
  noteEvent(s: Int32Array, t: number, kind: EventClass): void;
  killJustified(s: Int32Array, t: number, reason: number): boolean;
  /** The process dies for `reason` (`atSigreturn`: the fatal SIGSEGV rt_sigreturn unblocked). */
  die(s: Int32Array, t: number, reason: KillReasonCode, unjustified: boolean, atSigreturn: boolean): void;
  /** setup_rt_frame for t; returns the new frame's level. */
  pushFrame(s: Int32Array, t: number): number;
  /** rseq_signal_deliver for t (the fixup a signal's delivery runs). */
  rseqSignalDeliver(s: Int32Array, t: number): void;
}

/**
 * The SIGSEGV a caught fault queues, from the fault to the handler's rt_sigreturn (per thread,
 * layout fields segvFatal, segvUnjustified, segvFrame; they exist only when a thread has a
 * SIGSEGV handler). `catching` is set while the rseq handler runs for a thread whose SIGSEGV
 * handler catches its faults (sigsegvCaught); `faulted` says one was caught since. Both live
 * only within one hook call (the notify-resume handler, deliverForced): never between
 * transitions.
 */
export class SegvDelivery {
  catching = false;
  // Stryker disable next-line BooleanLiteral: equivalent, beginFixup and deliverForced set faulted before anything reads it
  faulted = false;

  constructor(private readonly k: SegvKernel) {}

  /** The rseq handler starts its work for t: its faults are caught if t's handler catches them. */
  beginFixup(t: number): void {
    this.catching = sigsegvCaught(this.k, t);
    this.faulted = false;
  }
  endFixup(): void {
    this.catching = false;
  }

  /**
   * A fault the rseq handler found for t, whose SIGSEGV handler catches it: the SIGSEGV is
   * queued (or already is: one pending SIGSEGV) and true is returned, unless the handler is
   * running, SIGSEGV blocked: then force_sig makes it fatal now and the kill stands. The kill it
   * may become later keeps this fault's reason and G2 judgement.
   */
  catchFault(s: Int32Array, t: number, reason: KillReasonCode): boolean {
    const k = this.k;
    const L = k.L;
    if (k.get(s, L.segvFrame[t]!) !== 0) return false;
    this.faulted = true;
    if (k.get(s, L.segvFatal[t]!) !== 0) return true;
    k.set(s, L.segvFatal[t]!, reason);
    k.set(s, L.segvUnjustified[t]!, k.ghosts.g2 && !k.killJustified(s, t, reason) ? 1 : 0);
    return true;
  }

  /**
   * get_signal dequeues the SIGSEGV a caught fault queued (synchronous signals first) and
   * handle_signal delivers it: rseq_signal_deliver runs the fixup over the same rseq_cs, then
   * the frame is set up whatever it found. A fault there makes the SIGSEGV fatal (kept pending
   * and blocked while the handler runs, sigsegvCaught); none (the fixup cleared rseq_cs) leaves
   * an ordinary caught signal. The interrupted frame keeps its IP: no fixup happened.
   */
  deliverForced(s: Int32Array, t: number): void {
    const k = this.k;
    const L = k.L;
    // Stryker disable next-line ConditionalExpression: equivalent, without SIGSEGV fields segvFatal[t] is no field and reads 0: the next test returns
    if (L.segvFrame.length === 0 || k.get(s, L.segvFatal[t]!) === 0 || k.get(s, L.segvFrame[t]!) !== 0) return;
    const reason = k.get(s, L.segvFatal[t]!) as KillReasonCode;
    k.noteEvent(s, t, 'signal');
    this.faulted = false;
    k.rseqSignalDeliver(s, t);
    // Stryker disable next-line ConditionalExpression: equivalent, segvFatal is set only for a thread whose handler catches, so with segvFrame 0 every fault of this fixup is caught: it never kills
    if (k.killed(s)) return;
    const fatal = this.faulted;
    if (!fatal) {
      k.set(s, L.segvFatal[t]!, 0);
      k.set(s, L.segvUnjustified[t]!, 0);
    }
    k.sink?.decide({ kind: 'sigsegv-handler', thread: t, reason, fatal });
    k.set(s, L.segvFrame[t]!, k.pushFrame(s, t));
  }

  /** rt_sigreturn popped t's frame at `level`: if it was the SIGSEGV handler's, the handler returned. */
  afterSigreturn(s: Int32Array, t: number, level: number): void {
    const L = this.k.L;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, without SIGSEGV fields segvFrame[t] is no field and reads 0, never a popped level (>= 1)
    if (L.segvFrame.length > 0 && this.k.get(s, L.segvFrame[t]!) === level) this.handlerReturned(s, t);
  }

  /** rt_sigreturn of the SIGSEGV handler restores the mask: a fatal SIGSEGV pending kills now. */
  private handlerReturned(s: Int32Array, t: number): void {
    const k = this.k;
    const L = k.L;
    const reason = k.get(s, L.segvFatal[t]!) as KillReasonCode;
    const unjustified = k.get(s, L.segvUnjustified[t]!) === 1;
    k.set(s, L.segvFrame[t]!, 0);
    k.set(s, L.segvFatal[t]!, 0);
    k.set(s, L.segvUnjustified[t]!, 0);
    if (reason !== KillReason.none) k.die(s, t, reason, unjustified, true);
  }
}
