import { KillReason } from '../../properties/codes.js';
import { NO_RESTART_MIGRATE, NO_RESTART_PREEMPT, NO_RESTART_SIGNAL } from '../ir/types.js';
import type { CheckSite } from './decisions.js';
import type { FixupKernel, KernelView } from './kernel-view.js';
import { type KernelWork, WorkKind } from './kernel-work.js';
import type { SegvDelivery } from './signal-faults.js';

/**
 * The rseq handler of 4.18-6.18 (L418-L63, rseq-semantics.md §2.4, §2.5), run on
 * notify-resume and on signal delivery: rseq_ip_fixup validates the descriptor rseq_cs points
 * at, clears it when the IP is outside its range, and otherwise aborts the c.s. if an event
 * since it began asks for a restart; then the IDs are written.
 */

/** The parts of KernelSemantics the handler uses besides the checks' verdicts. */
export interface NotifyKernel extends FixupKernel {
  readonly work: KernelWork;
  readonly segv: SegvDelivery;
}

/** __rseq_handle_notify_resume (L418-L63): IP fixup, then ID update (skipped after a fault: goto error). */
export function handleNotifyResume(k: NotifyKernel, s: Int32Array, t: number, site: CheckSite): void {
  // Stryker disable next-line ConditionalExpression: equivalent, for area -1 ipFixup reads rseqCs[-1] (absent field, BitLayout reads 0 = ZERO_CS) and updateIds returns for area < 0
  if (k.area(s, t) < 0) return;
  k.segv.beginFixup(t);
  ipFixup(k, s, t, site);
  endRseqHandler(k, s, t);
}

/**
 * The end of one __rseq_handle_notify_resume call, whose fixup began with `segv.beginFixup`:
 * the ID update (skipped after a kill or a fault, goto error, or while an IPI has paused the
 * work), then the fault window closes. Also ends the call an IPI landed in (ipi-races.ts).
 */
export function endRseqHandler(k: NotifyKernel, s: Int32Array, t: number): void {
  if (!k.killed(s) && !k.segv.faulted && k.work.kind(s, t) === WorkKind.none) k.updateIds(s, t, k.policy.idUpdate === 'everyHandlerRun');
  k.segv.endFixup();
}

/** rseq_ip_fixup + rseq_get_rseq_cs + rseq_need_restart (L418-L63). */
function ipFixup(k: NotifyKernel, s: Int32Array, t: number, site: CheckSite): void {
  const L = k.L;
  const a = k.area(s, t);
  const d = k.get(s, L.rseqCs[a]!);
  const f = k.topFrame(s, t);
  const ip = k.get(s, L.ip[f]!);
  if (d === 0) return; // ZERO_CS: not in a c.s.; the event mask is left as it is.
  // L418-L63 validate before the in-range test: a bad descriptor kills even with ip outside.
  if (k.policy.csValidation !== 'minimal-in-range' && !k.validateFull(s, t, d)) return;
  if (!k.inRange(d, k.programOf(s, t, k.level(s, t)), ip)) {
    k.lazyClear(s, t, a, d, site); // stale event bits survive (kernel/rseq.c v4.18)
    return;
  }
  // Stryker disable next-line ConditionalExpression: equivalent, under the other validations validateFull above already returned on a bad signature
  if (k.policy.csValidation === 'minimal-in-range' && k.desc(d).signature !== k.ir.signature) {
    k.kill(s, t, KillReason.badSignature);
    return;
  }
  const restart = needRestart(k, s, t, d, a, site === 'notify-resume');
  if (restart > 0) k.abort(s, t, a, f, d, site, restart);
}

/**
 * rseq_need_restart: the pending event bits that force a restart (0: none), or -1 if it
 * killed or, `pausable`, paused between reading and clearing the mask (an IPI may land there).
 */
function needRestart(k: NotifyKernel, s: Int32Array, t: number, d: number, a: number, pausable: boolean): number {
  const L = k.L;
  const p = k.policy;
  const csFlags = k.desc(d).flags;
  const uFlags = k.ir.threads[a]!.flags;
  let exempt = 0;
  if (p.noRestartFlags === 'kill') {
    if (csFlags !== 0 || uFlags !== 0) {
      k.kill(s, t, KillReason.noRestartFlags);
      return -1;
    }
  } else if (p.noRestartFlags === 'honoured') {
    const flags = csFlags | uFlags;
    const both = NO_RESTART_PREEMPT | NO_RESTART_MIGRATE;
    if (p.noRestartSignalRequiresBoth && (flags & NO_RESTART_SIGNAL) !== 0 && (flags & both) !== both) {
      k.kill(s, t, KillReason.noRestartSignalAlone);
      return -1;
    }
    if (p.eventTracking === 'mask3') exempt = flags;
  }
  const ev = k.get(s, L.evMask[t]!);
  if (pausable && k.work.maskRace) {
    k.work.begin(s, t, WorkKind.maskRead, false, ev);
    k.sink?.decide({ kind: 'kernel-work', thread: t, work: 'restart-check', phase: 'paused', mask: ev, lost: 0 });
    return -1;
  }
  return clearMask(k, s, t, d, ev, exempt);
}

/** The clear of rseq_need_restart, given the mask it read: the bits that force a restart. */
export function clearMask(k: KernelView, s: Int32Array, t: number, d: number, ev: number, exempt: number): number {
  k.set(s, k.L.evMask[t]!, 0);
  const restart = ev & ~exempt;
  if (k.sink !== undefined) {
    if (ev !== 0) k.sink.decide({ kind: 'event-mask-cleared', thread: t, why: 'restart-check' });
    if (restart === 0) k.sink.decide({ kind: 'no-restart', thread: t, desc: d, pending: ev, exempt });
  }
  return restart;
}
