import { KillReason } from '../../properties/codes.js';
import { WorkKind } from './kernel-work.js';
import { clearMask, endRseqHandler } from './notify-resume.js';
import type { KernelSemantics } from './semantics.js';

/**
 * The second half of kernel work a membarrier RSEQ IPI may have landed inside (the step
 * labelled `kernelWork`; models/kernel/kernel-work.ts says where the work paused).
 *
 * - Event mask (before 6eb350a22331): rseq_need_restart clears the mask it read before the
 *   IPI, losing the IPI's PREEMPT bit; the restart decision uses the mask as read. The exit loop
 *   then runs notify-resume again (the IPI raised it), finds no event and lets the c.s. resume.
 * - Unregistration (6.19+ rseq_reset without its IRQ guard): has_rseq is cleared now. If the IPI
 *   raised TIF_RSEQ in the window, the exit work writes the IDs through the cleared area
 *   pointer: the fault takes the slow path, which force_sig(SIGSEGV)s a thread that did nothing
 *   wrong.
 */
export function finishKernelWork(k: KernelSemantics, s: Int32Array, t: number): void {
  const work = k.work;
  const kind = work.kind(s, t);
  const fromSyscall = work.fromSyscall(s, t);
  const maskRead = work.maskRead(s, t);
  work.end(s, t);
  if (k.sink !== undefined) {
    const restartCheck = kind === WorkKind.maskRead;
    const lost = restartCheck ? k.get(s, k.L.evMask[t]!) & ~maskRead : kind === WorkKind.unregisterRaised ? 1 : 0;
    k.sink.decide({ kind: 'kernel-work', thread: t, work: restartCheck ? 'restart-check' : 'unregister', phase: 'finished', mask: maskRead, lost });
  }
  if (kind === WorkKind.maskRead) {
    // The rest of the same rseq_handle_notify_resume call the IPI landed in: its faults are
    // caught as handleNotifyResume's are (a SIGSEGV handler under force_sigsegv queues one).
    k.segv.beginFixup(t);
    finishRestartCheck(k, s, t, maskRead);
    endRseqHandler(k, s, t);
    k.exitFromNotify(s, t, fromSyscall);
  } else if (kind === WorkKind.unregisterRaised) k.kill(s, t, KillReason.unregisterRace);
  else k.returnToUser(s, t);
}

/** rseq_need_restart after its read of the mask (`ev`): the clear, then the restart if one is due. */
function finishRestartCheck(k: KernelSemantics, s: Int32Array, t: number, ev: number): void {
  const L = k.L;
  const a = k.area(s, t);
  const d = k.get(s, L.rseqCs[a]!);
  const f = k.topFrame(s, t);
  // NO_RESTART flags exempt bits only under mask3 tracking with the flags honoured (as at the read).
  const honoured = k.policy.noRestartFlags === 'honoured' && k.policy.eventTracking === 'mask3';
  const exempt = honoured ? k.desc(d).flags | k.ir.threads[a]!.flags : 0;
  const restart = clearMask(k, s, t, d, ev, exempt);
  if (restart > 0) k.abort(s, t, a, f, d, 'notify-resume', restart);
}
