import { KillReason } from '../../properties/codes.js';
import type { KernelView } from './kernel-view.js';

/**
 * Whether a kill for `reason` is instead a SIGSEGV the thread catches, whose delivery faults
 * again for ever (rseq-semantics.md §1.5). The notify-resume handler reports a bad descriptor
 * with force_sigsegv(0), rseq_syscall with force_sig(SIGSEGV): both queue a SIGSEGV a handler
 * catches. Its delivery runs rseq_signal_deliver before setup_rt_frame, over the same
 * descriptor, and faults again, now with the SIGSEGV being delivered: force_sigsegv(SIGSEGV)
 * resets the handler and the next SIGSEGV kills (segvOnDelivery=force_sigsegv: the kill stands),
 * while force_sig(SIGSEGV) queues another caught one: each pass pushes one more handler frame
 * and never returns to user space, until the stack is exhausted (setup_rt_frame fails and
 * force_sigsegv(SIGSEGV) ends it). The model reports the loop, not that distant end: it ends
 * the run there with its own reason (KillReason.sigsegvLoop), which signal-delivery-terminates
 * reports. Only faults that recur wherever the IP is (after the first frame it is the
 * handler's) loop: a descriptor the full validation rejects, a dirty read-only field. A
 * NO_RESTART kill needs the IP in the c.s., as does a signature check made only in range, so
 * the second delivery would run the handler: not modelled, the kill stands; so it does under
 * the 6.19 rework, whose delivery may skip the c.s. (no user_irq).
 */
export function sigsegvLoops(k: KernelView, t: number, reason: number): boolean {
  if (k.rework || !k.ir.threads[t]!.sigsegvHandler || k.policy.segvOnDelivery !== 'force_sig') return false;
  if (reason === KillReason.readOnlyField || reason === KillReason.badVersion || reason === KillReason.abortInCs) return true;
  return reason === KillReason.badSignature && k.policy.csValidation !== 'minimal-in-range';
}
