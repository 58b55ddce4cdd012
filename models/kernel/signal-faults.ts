import { KillReason } from '../../properties/codes.js';
import type { KernelView } from './kernel-view.js';

/**
 * Whether a kill for `reason` is instead a SIGSEGV the thread catches, whose delivery faults
 * again for ever (rseq-semantics.md §1.5). The loop is the kernel's alone (no user instruction
 * runs in it, nothing else changes the descriptor the thread is stuck on), so the model ends
 * the run there as the kernel's last word on the process, with its own reason
 * (KillReason.sigsegvLoop), and property signal-delivery-terminates reports it. The notify-resume
 * handler reports a bad descriptor with force_sigsegv(0) and rseq_syscall with
 * force_sig(SIGSEGV): both queue a SIGSEGV a handler catches. Its delivery runs
 * rseq_signal_deliver over the same descriptor, IP and flags, so it faults again, now with the
 * SIGSEGV being delivered: force_sigsegv(SIGSEGV) resets the handler and the next SIGSEGV kills
 * (segvOnDelivery=force_sigsegv: the kill stands, one delivery later), while force_sig(SIGSEGV)
 * queues another caught one (force_sig): each pass pushes one more handler frame and never
 * returns to user space, until the stack is exhausted (setup_rt_frame fails, and
 * force_sigsegv(SIGSEGV) ends it). The model reports the loop, not that distant end. The kills of a
 * syscall policy for a valid descriptor (the c.s. would abort on delivery) are not this path,
 * and neither is the 6.19 rework, whose delivery may skip the c.s. (no user_irq).
 */
export function sigsegvLoops(k: KernelView, s: Int32Array, t: number, reason: number): boolean {
  if (k.rework || !k.ir.threads[t]!.sigsegvHandler || k.policy.segvOnDelivery !== 'force_sig') return false;
  return reason !== KillReason.syscallInCs && reason !== KillReason.syscallRseqCsSet;
}
