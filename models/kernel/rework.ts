import { KillReason } from '../../properties/codes.js';
import type { CheckSite } from './decisions.js';
import type { FixupKernel, KernelView } from './kernel-view.js';
import { Entry } from './layout.js';

/**
 * The rseq work of the 6.19+ rework (L619/L71, rseq-semantics.md §2.6): nothing is recorded at
 * switch-out; the switch-in raises a switch event (and TIF_RSEQ), and the exit work at the very
 * end of the exit loop rewrites the IDs when they changed and checks the c.s. with
 * rseq_update_user_cs. Signal delivery runs the same check (rseqSignalDeliverRework).
 */

/** V2 semantics: switch events only with user_irq or changed IDs (generic IRQ entry archs). */
function v2Tracking(k: KernelView): boolean {
  return k.policy.eventTracking === 'userIrqOnly' && k.policy.genericIrqEntry;
}

/** rseq_sched_switch_event(t) at switch-in (and from a membarrier IPI). */
export function schedSwitchEvent(k: KernelView, s: Int32Array, t: number): void {
  const L = k.L;
  if (k.area(s, t) < 0) return;
  if (v2Tracking(k)) {
    // csCheckAfterSyscallSwitch: a switch out of a syscall also raises the event (what the
    // 6.19 rework dropped), so the c.s. of a thread that slept inside it is evaluated.
    const syscallSwitch = k.policy.csCheckAfterSyscallSwitch && k.get(s, L.entry[t]!) === Entry.Syscall;
    if (k.get(s, L.userIrq[t]!) === 0 && k.get(s, L.idsChanged[t]!) === 0 && !syscallSwitch) return;
  } else if (k.policy.eventTracking === 'legacyV1') {
    k.set(s, L.idsChanged[t]!, 1);
  }
  raiseSwitchEvent(k, s, t);
}

/** Raises the switch event and TIF_RSEQ: the exit work will look at t's area. */
export function raiseSwitchEvent(k: KernelView, s: Int32Array, t: number): void {
  k.set(s, k.L.schedSwitch[t]!, 1);
  k.set(s, k.L.tifRseq[t]!, 1);
  k.sink?.decide({ kind: 'switch-event', thread: t });
}

/** rseq_signal_deliver under the rework: UPDATE_USER_CS now, the IDs (legacy tracking) at exit. */
export function rseqSignalDeliverRework(k: FixupKernel, s: Int32Array, t: number): void {
  const L = k.L;
  if (k.area(s, t) < 0) return;
  if (v2Tracking(k) && k.get(s, L.userIrq[t]!) === 0) return;
  const a = k.area(s, t);
  const d = k.get(s, L.rseqCs[a]!);
  if (d !== 0) updateUserCs(k, s, t, d, 'signal-delivery');
  if (k.policy.eventTracking === 'legacyV1' && !k.killed(s)) {
    // rseq_force_update: IDs are rewritten at exit.
    k.set(s, L.idsChanged[t]!, 1);
    raiseSwitchEvent(k, s, t);
  }
}

/** rseq_update_user_cs (non-debug) or its debug variant. */
function updateUserCs(k: FixupKernel, s: Int32Array, t: number, d: number, site: CheckSite): void {
  const L = k.L;
  const a = k.area(s, t);
  const f = k.topFrame(s, t);
  const ip = k.get(s, L.ip[f]!);
  const debug = k.policy.csValidation === 'debug-full';
  const cs = k.desc(d);
  if (k.policy.csValidation === 'full-always' && !k.validateFull(s, t, d)) return;
  if (debug) {
    if (cs.version !== 0 || cs.flags !== 0) {
      k.kill(s, t, cs.version !== 0 ? KillReason.badVersion : KillReason.csFlagsDebug);
      return;
    }
  }
  if (!k.inRange(d, k.programOf(s, t, k.level(s, t)), ip)) {
    k.lazyClear(s, t, a, d, site);
    return;
  }
  if (debug) {
    if (cs.abort >= cs.start && cs.abort < cs.postCommit) {
      k.kill(s, t, KillReason.abortInCs);
      return;
    }
    // "!user_irq counts as fatal inside the c.s.": a c.s. found at syscall exit.
    if (k.get(s, L.userIrq[t]!) === 0) {
      k.kill(s, t, KillReason.syscallInCs);
      return;
    }
  }
  if (cs.signature !== k.ir.signature) {
    k.kill(s, t, KillReason.badSignature);
    return;
  }
  // L619 checks nothing else: an abort_ip inside the range moves ip into the c.s.
  k.abort(s, t, a, f, d, site, 0);
}

/** rseq_exit_to_user_mode_restart: the L619 work at the very end of the exit loop. */
export function reworkExitWork(k: FixupKernel, s: Int32Array, t: number): void {
  const L = k.L;
  // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, TIF_RSEQ and sched_switch are only set together and only while has_rseq (raiseSwitchEvent, register, execve failure), and cleared together below and at execve
  if (k.get(s, L.tifRseq[t]!) === 1 && k.get(s, L.schedSwitch[t]!) === 1 && k.area(s, t) >= 0) {
    const a = k.area(s, t);
    const debug = k.policy.csValidation === 'debug-full';
    const d = k.get(s, L.rseqCs[a]!);
    if (k.get(s, L.idsChanged[t]!) === 0) {
      // L619 writes IDs only when they changed; everyHandlerRun rewrites them on every switch.
      if (k.policy.idUpdate === 'everyHandlerRun') k.updateIds(s, t, true);
      // Stryker disable next-line ConditionalExpression,BooleanLiteral: equivalent, skip is always false in this branch: the event came with user_irq, from a syscall switch under csCheckAfterSyscallSwitch, or without generic IRQ entry (legacy sets ids_changed)
      const skip = k.policy.genericIrqEntry && !debug && k.get(s, L.userIrq[t]!) === 0 && !k.policy.csCheckAfterSyscallSwitch;
      if (d !== 0 && !k.killed(s) && !skip) updateUserCs(k, s, t, d, 'exit-work');
    } else {
      k.updateIds(s, t, true);
      const skip = k.policy.genericIrqEntry && !debug && k.get(s, L.userIrq[t]!) === 0 && !k.policy.csCheckAfterSyscallSwitch;
      if (!k.killed(s) && !skip && d !== 0) updateUserCs(k, s, t, d, 'exit-work');
    }
  }
  k.set(s, L.tifRseq[t]!, 0);
  k.set(s, L.schedSwitch[t]!, 0);
  k.set(s, L.idsChanged[t]!, 0);
  k.set(s, L.userIrq[t]!, 0);
}
