import { KillReason } from '../../properties/codes.js';
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
 * runs the fixup again over the same rseq_cs (KernelSemantics.deliverForcedSegv): a fault that
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
export function sigsegvCaught(k: KernelView, t: number): boolean {
  return !k.rework && k.ir.threads[t]!.sigsegvHandler >= 0 && k.policy.segvOnDelivery === 'force_sigsegv';
}
