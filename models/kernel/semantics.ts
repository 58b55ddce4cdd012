import type { BitLayout } from '../../checker/packing.js';
import { Code, KillReason } from '../../properties/codes.js';
import type { DescriptorIR, ModelIR } from '../ir/types.js';
import { NO_RESTART_MIGRATE, NO_RESTART_PREEMPT, NO_RESTART_SIGNAL } from '../ir/types.js';
import { EV_MIGRATE, EV_PREEMPT, EV_SIGNAL, Entry, RseqLayout, Status } from './layout.js';
import { isReworkFamily, type Policy } from './policy.js';
import type { CheckSite, DecisionSink, EventClass, KillReasonCode } from './decisions.js';
import { encodeCachedCpu, encodeValue, RSEQ_CPU_ID_UNINITIALIZED } from './encoding.js';
import { mmCidHolder } from './exec.js';
import { enterGuest, inKvmRun } from './kvm.js';
import { sigsegvCaught, sigsegvLoops } from './signal-faults.js';
import { KernelWork, WorkKind } from './kernel-work.js';
import { leaveSyscallStop } from './ptrace.js';

export type { EventClass } from './decisions.js';

/** Which ghost bookkeeping the checked properties need (ghost fields otherwise stay 0). */
export interface GhostNeeds {
  readonly g1: boolean;
  readonly g2: boolean;
  readonly g3: boolean;
  readonly precision: boolean;
  readonly areaOwnership: boolean;
}

/** Kills for what the descriptor in rseq_cs says (its validation, or its flags). */
const descriptorKills: readonly number[] = [KillReason.badSignature, KillReason.abortInCs, KillReason.badVersion, KillReason.noRestartFlags, KillReason.csFlagsDebug];

const exemptBit: Record<EventClass, number> = {
  preempt: NO_RESTART_PREEMPT,
  migrate: NO_RESTART_MIGRATE | NO_RESTART_PREEMPT,
  signal: NO_RESTART_SIGNAL,
  membarrier: 0,
  trap: NO_RESTART_PREEMPT,
  fork: 0,
  // A ptrace stop is a context switch: rseq_preempt's PREEMPT bit (models/kernel/ptrace.ts).
  ptrace: NO_RESTART_PREEMPT,
};

/**
 * The kernel's operational semantics (rseq-semantics.md §2) as functions on a packed state,
 * parameterised by a policy. Each hook edits the successor `s` in place; a kill sets the
 * process-wide `killed` field and every later hook of the same step is a no-op. The only
 * state a hook reads or writes is the array it is passed: the fields below are the model,
 * the policy and the layout, fixed at construction, and `sink`, which the caller sets. Each
 * decision the kernel takes (models/kernel/decisions.ts) is reported to that sink as it is
 * taken; without one (exploration) no decision is even built.
 */
export class KernelSemantics {
  readonly b: BitLayout;
  /**
   * Where decisions go: set by the caller (an explanation replaying a trace, the system's LTL
   * ghosts), undefined while exploring. Every report is `this.sink?.decide({...})`: without a
   * sink the decision object is never allocated.
   */
  sink: DecisionSink | undefined = undefined;
  /** The 6.19+ rework family (L619/L71): switch events, ids_changed, exit work. */
  readonly rework: boolean;
  /** Kernel work an IPI may land inside (none unless the policy leaves a race open). */
  readonly work: KernelWork;
  private readonly v2: boolean;
  /**
   * Set while the rseq handler runs for a thread whose SIGSEGV handler catches its faults
   * (signal-faults.ts sigsegvCaught); `segvFaulted` says one was caught since. Both live only
   * within one hook call (handleNotifyResume, deliverForcedSegv): never between transitions.
   */
  private catchingSegv = false;
  private segvFaulted = false;

  constructor(
    readonly ir: ModelIR,
    readonly policy: Policy,
    readonly L: RseqLayout,
    readonly ghosts: GhostNeeds,
    readonly trackMmCid: boolean,
  ) {
    this.b = L.bits;
    this.rework = isReworkFamily(policy);
    // V2 semantics: switch events only with user_irq or changed IDs (generic IRQ entry archs).
    this.v2 = policy.eventTracking === 'userIrqOnly' && policy.genericIrqEntry;
    this.work = new KernelWork(ir, policy, L.bits, L.kernelWork);
  }

  // ---- small accessors -------------------------------------------------------------------

  get(s: Int32Array, f: number): number {
    return this.b.get(s, f);
  }
  set(s: Int32Array, f: number, v: number): void {
    this.b.set(s, f, v);
  }
  killed(s: Int32Array): boolean {
    return this.b.get(s, this.L.killed) === 1;
  }
  /** Program executed at frame level l of thread t in state s (the SIGSEGV handler's frame runs its own). */
  programOf(s: Int32Array, t: number, l: number): number {
    const th = this.ir.threads[t]!;
    if (l === 0) return th.program;
    return this.L.segvFrame.length > 0 && this.b.get(s, this.L.segvFrame[t]!) === l ? th.sigsegvHandler : th.handler;
  }
  level(s: Int32Array, t: number): number {
    return this.b.get(s, this.L.level[t]!);
  }
  topFrame(s: Int32Array, t: number): number {
    return this.L.frame(t, this.level(s, t));
  }
  /** Registered area of t (K.rseq), or -1. */
  area(s: Int32Array, t: number): number {
    if (this.b.get(s, this.L.kRseqOwn[t]!) === 1) return t;
    return this.b.get(s, this.L.kRseqOther[t]!) - 1;
  }
  /** Sets K.rseq of t to area `a` (-1: unregistered). */
  setArea(s: Int32Array, t: number, a: number): void {
    this.b.set(s, this.L.kRseqOwn[t]!, a === t ? 1 : 0);
    this.b.set(s, this.L.kRseqOther[t]!, a >= 0 && a !== t ? a + 1 : 0);
  }
  desc(d: number): DescriptorIR {
    return this.ir.descriptors[d - 1]!;
  }
  /** The kernel's unsigned test ip - start < post_commit_offset, for an ip in program `prog`. */
  inRange(d: number, prog: number, ip: number): boolean {
    if (d === 0) return false;
    const cs = this.desc(d);
    return cs.program === prog && ip >= cs.start && ip < cs.postCommit;
  }
  private userFlags(a: number): number {
    return this.ir.threads[a]!.flags;
  }

  /** Sets a violation code unless one is already set (the first violation of a step wins). */
  violate(s: Int32Array, code: number): void {
    if (this.b.get(s, this.L.violation) === 0) this.b.set(s, this.L.violation, code);
  }

  /** force_sigsegv: the whole process dies. G2 judges whether the thread had violated the ABI. */
  kill(s: Int32Array, t: number, reason: KillReasonCode): void {
    if (this.killed(s)) return;
    if (this.catchingSegv && this.catchSegv(s, t, reason)) return;
    if (sigsegvLoops(this, t, reason)) {
      reason = KillReason.sigsegvLoop;
      this.violate(s, Code.deliveryTerminates);
    }
    this.die(s, t, reason, this.ghosts.g2 && !this.killJustified(s, t, reason), false);
  }

  /** The process dies for `reason` (`atSigreturn`: the fatal SIGSEGV rt_sigreturn unblocked). */
  private die(s: Int32Array, t: number, reason: KillReasonCode, unjustified: boolean, atSigreturn: boolean): void {
    const L = this.L;
    this.set(s, L.killed, 1);
    this.set(s, L.killReason, reason);
    this.set(s, L.killThread, t);
    this.sink?.decide({ kind: 'kill', thread: t, reason, ...(atSigreturn ? { atSigreturn } : {}) });
    if (unjustified) this.violate(s, Code.G2);
  }

  /**
   * A fault the rseq handler found for t, whose SIGSEGV handler catches it (signal-faults.ts):
   * the SIGSEGV is queued (or already is: one pending SIGSEGV) and true is returned, unless the
   * handler is running, SIGSEGV blocked: then force_sig makes it fatal now and the kill stands.
   * The kill it may become later keeps this fault's reason and G2 judgement.
   */
  private catchSegv(s: Int32Array, t: number, reason: KillReasonCode): boolean {
    const L = this.L;
    if (this.get(s, L.segvFrame[t]!) !== 0) return false;
    this.segvFaulted = true;
    if (this.get(s, L.segvFatal[t]!) !== 0) return true;
    this.set(s, L.segvFatal[t]!, reason);
    this.set(s, L.segvUnjustified[t]!, this.ghosts.g2 && !this.killJustified(s, t, reason) ? 1 : 0);
    return true;
  }

  /** Whether a kill is backed by an ABI violation of the thread (rseq(2), §1.5). */
  killJustified(s: Int32Array, t: number, reason: number): boolean {
    if (reason === KillReason.syscallRseqCsSet || reason === KillReason.syscallInCs) return this.get(s, this.L.sysInCs[t]!) === 1;
    if (reason === KillReason.unregisterRace) return false;
    // A descriptor an earlier user of the memory left is no fault of this thread (issue #16).
    const a = this.area(s, t);
    const stale = this.L.staleCs.length > 0 && a >= 0 && this.get(s, this.L.staleCs[a]!) === 1 && this.get(s, this.L.rseqCs[a]!) !== 0;
    return !(stale && descriptorKills.includes(reason));
  }

  // ---- ghost bookkeeping for G1 and precision ---------------------------------------------

  /**
   * Records an event against every frame of t whose IP is inside the c.s. it armed: the
   * frames below a running signal handler are interrupted contexts too ("a preempted signal
   * handler could fail to restart the prior execution context on sigreturn").
   */
  noteEvent(s: Int32Array, t: number, kind: EventClass): void {
    const L = this.L;
    const top = this.level(s, t);
    for (let l = 0; l <= top; l++) {
      const f = L.frame(t, l);
      if (this.ghosts.precision) this.set(s, L.evSince[f]!, 1);
      if (!this.ghosts.g1) continue;
      const d = this.get(s, L.armed[f]!);
      if (d === 0 || !this.inRange(d, this.programOf(s, t, l), this.get(s, L.ip[f]!))) continue;
      // NO_RESTART flags exempt an event only where the kernel honours them (L418-L5x); where it
      // ignores them (L619) the c.s. must still restart, where it kills (L60) nothing commits.
      const flags = this.policy.noRestartFlags === 'honoured' ? this.desc(d).flags | this.userFlags(t) : 0;
      const exempt = flags & exemptBit[kind];
      // A migration is exempt only when both PREEMPT and MIGRATE are (the switch comes first).
      const isExempt = kind === 'migrate' ? exempt === (NO_RESTART_MIGRATE | NO_RESTART_PREEMPT) : exempt !== 0 && exemptBit[kind] !== 0;
      if (!isExempt) this.set(s, L.dirty[f]!, 1);
    }
  }

  /**
   * The abort: rseq_cs of area a cleared, the IP of t's top frame f moved to the abort_ip of
   * descriptor d. The precision property asks whether anything happened since the c.s. began.
   */
  abort(s: Int32Array, t: number, a: number, f: number, d: number, site: CheckSite, events: number): void {
    const L = this.L;
    const abortIp = this.desc(d).abort;
    this.writeArea(s, t, a);
    this.set(s, L.rseqCs[a]!, 0);
    if (this.ghosts.precision && this.get(s, L.evSince[f]!) === 0) this.violate(s, Code.precision);
    this.sink?.decide({ kind: 'abort', thread: t, area: a, desc: d, level: f % L.levels, fromIp: this.get(s, L.ip[f]!), abortIp, site, events });
    this.set(s, L.ip[f]!, abortIp);
  }

  /** rseq_cs of area a cleared with t's IP outside the range of descriptor d. */
  private lazyClear(s: Int32Array, t: number, a: number, d: number, site: CheckSite | 'syscall-exit'): void {
    this.writeArea(s, t, a);
    this.set(s, this.L.rseqCs[a]!, 0);
    this.sink?.decide({ kind: 'lazy-clear', thread: t, area: a, desc: d, site });
  }

  /** ORs event-mask bits into t's mask (rseq_preempt, rseq_migrate, rseq_signal_deliver). */
  private recordEvent(s: Int32Array, t: number, bits: number, cause: EventClass): void {
    this.set(s, this.L.evMask[t]!, this.get(s, this.L.evMask[t]!) | bits);
    this.sink?.decide({ kind: 'event-recorded', thread: t, bits, cause });
  }

  /** The event-mask clear at every exit to user mode (policy eventMaskClear=everyExit). */
  private clearEventsAtExit(s: Int32Array, t: number): void {
    if (this.policy.eventMaskClear !== 'everyExit') return;
    const ev = this.L.evMask[t]!;
    if (this.sink !== undefined && this.get(s, ev) !== 0) this.sink.decide({ kind: 'event-mask-cleared', thread: t, why: 'every-exit' });
    this.set(s, ev, 0);
  }

  private writeArea(s: Int32Array, t: number, a: number): void {
    if (this.ghosts.areaOwnership && a !== t) this.violate(s, Code.areaOwnership);
  }

  // ---- L418 .. L63: event mask, notify-resume, rseq_ip_fixup ------------------------------

  /** rseq_preempt(prev) at switch-out (L418-L63); L619 records nothing at switch-out. */
  switchOut(s: Int32Array, t: number, kind: EventClass, fromUser: boolean): void {
    const L = this.L;
    const abortable = this.abortEnabled(kind);
    if (this.rework) {
      // user_irq was set by the interrupt or exception that led to this switch.
      if (fromUser && abortable && this.policy.archSetsUserIrq) this.set(s, L.userIrq[t]!, 1);
      return;
    }
    // With the abort disabled the switch still raises notify-resume (IDs are rewritten); it only
    // records no event bit.
    if (abortable) this.recordEvent(s, t, EV_PREEMPT, kind);
    if (this.area(s, t) >= 0) this.set(s, L.tifNotify[t]!, 1);
  }

  /** set_task_cpu with a new CPU: rseq_migrate (L418-L63) or ids_changed (L619). */
  migrate(s: Int32Array, t: number, cpu: number): void {
    const L = this.L;
    this.set(s, L.cpu[t]!, cpu);
    if (this.rework) {
      this.set(s, L.idsChanged[t]!, 1);
      return;
    }
    if (this.policy.abortOnMigrate) this.recordEvent(s, t, EV_MIGRATE, 'migrate');
    if (this.area(s, t) >= 0) this.set(s, L.tifNotify[t]!, 1);
  }

  abortEnabled(kind: EventClass): boolean {
    const p = this.policy;
    switch (kind) {
      case 'preempt':
        return p.abortOnPreempt;
      case 'migrate':
        return p.abortOnMigrate;
      case 'signal':
        return p.abortOnSignal;
      case 'membarrier':
        return p.abortOnMembarrier;
      case 'trap':
        return p.abortOnTrap;
      case 'fork':
        return true;
      case 'ptrace':
        return p.abortOnPreempt;
    }
  }

  /** __rseq_handle_notify_resume (L418-L63): IP fixup, then ID update (skipped after a fault: goto error). */
  private handleNotifyResume(s: Int32Array, t: number, site: CheckSite): void {
    if (this.area(s, t) < 0) return;
    this.catchingSegv = sigsegvCaught(this, t);
    this.segvFaulted = false;
    this.ipFixup(s, t, site);
    if (!this.killed(s) && !this.segvFaulted && this.work.kind(s, t) === WorkKind.none) this.updateIds(s, t, this.policy.idUpdate === 'everyHandlerRun');
    this.catchingSegv = false;
  }

  /** rseq_ip_fixup + rseq_get_rseq_cs + rseq_need_restart (L418-L63). */
  private ipFixup(s: Int32Array, t: number, site: CheckSite): void {
    const L = this.L;
    const a = this.area(s, t);
    const d = this.get(s, L.rseqCs[a]!);
    const f = this.topFrame(s, t);
    const ip = this.get(s, L.ip[f]!);
    if (d === 0) return; // ZERO_CS: not in a c.s.; the event mask is left as it is.
    // L418-L63 validate before the in-range test: a bad descriptor kills even with ip outside.
    if (this.policy.csValidation !== 'minimal-in-range' && !this.validateFull(s, t, d)) return;
    if (!this.inRange(d, this.programOf(s, t, this.level(s, t)), ip)) {
      this.lazyClear(s, t, a, d, site); // stale event bits survive (kernel/rseq.c v4.18)
      return;
    }
    if (this.policy.csValidation === 'minimal-in-range' && this.desc(d).signature !== this.ir.signature) {
      this.kill(s, t, KillReason.badSignature);
      return;
    }
    const restart = this.needRestart(s, t, d, a, site === 'notify-resume');
    if (restart > 0) this.abort(s, t, a, f, d, site, restart);
  }

  /**
   * rseq_need_restart: the pending event bits that force a restart (0: none), or -1 if it
   * killed or, `pausable`, paused between reading and clearing the mask (an IPI may land there).
   */
  private needRestart(s: Int32Array, t: number, d: number, a: number, pausable: boolean): number {
    const L = this.L;
    const p = this.policy;
    const csFlags = this.desc(d).flags;
    const uFlags = this.userFlags(a);
    let exempt = 0;
    if (p.noRestartFlags === 'kill') {
      if (csFlags !== 0 || uFlags !== 0) {
        this.kill(s, t, KillReason.noRestartFlags);
        return -1;
      }
    } else if (p.noRestartFlags === 'honoured') {
      const flags = csFlags | uFlags;
      const both = NO_RESTART_PREEMPT | NO_RESTART_MIGRATE;
      if (p.noRestartSignalRequiresBoth && (flags & NO_RESTART_SIGNAL) !== 0 && (flags & both) !== both) {
        this.kill(s, t, KillReason.noRestartSignalAlone);
        return -1;
      }
      if (p.eventTracking === 'mask3') exempt = flags;
    }
    const ev = this.get(s, L.evMask[t]!);
    if (pausable && this.work.maskRace) {
      this.work.begin(s, t, WorkKind.maskRead, false, ev);
      this.sink?.decide({ kind: 'kernel-work', thread: t, work: 'restart-check', phase: 'paused', mask: ev, lost: 0 });
      return -1;
    }
    return this.clearMask(s, t, d, ev, exempt);
  }

  /** The clear of rseq_need_restart, given the mask it read: the bits that force a restart. */
  clearMask(s: Int32Array, t: number, d: number, ev: number, exempt: number): number {
    this.set(s, this.L.evMask[t]!, 0);
    const restart = ev & ~exempt;
    if (this.sink !== undefined) {
      if (ev !== 0) this.sink.decide({ kind: 'event-mask-cleared', thread: t, why: 'restart-check' });
      if (restart === 0) this.sink.decide({ kind: 'no-restart', thread: t, desc: d, pending: ev, exempt });
    }
    return restart;
  }

  /** rseq_get_rseq_cs checks (L418-L63, and L619 debug). Returns false if it killed. */
  private validateFull(s: Int32Array, t: number, d: number): boolean {
    const cs = this.desc(d);
    const reason = cs.version !== 0 ? KillReason.badVersion : cs.abort >= cs.start && cs.abort < cs.postCommit ? KillReason.abortInCs : cs.signature !== this.ir.signature ? KillReason.badSignature : KillReason.none;
    if (reason !== KillReason.none) this.kill(s, t, reason);
    return reason === KillReason.none && !this.killed(s);
  }

  /** rseq_update_cpu_node_id: writes cpu_id_start, cpu_id and mm_cid of the registered area. */
  updateIds(s: Int32Array, t: number, force: boolean): void {
    const L = this.L;
    const a = this.area(s, t);
    if (a < 0) return;
    const cpu0 = this.get(s, L.cpu[t]!);
    // onChangeOnly: the kernel compares with its cached copy, not with user memory.
    if (!force && this.get(s, L.kIdCpu[t]!) === encodeCachedCpu(cpu0)) return;
    if (this.get(s, L.roDirty[a]!) === 1 && this.policy.readOnlyEnforcement === 'kill') {
      this.kill(s, t, KillReason.readOnlyField);
      return;
    }
    this.writeArea(s, t, a);
    const cpu = this.get(s, L.cpu[t]!);
    this.set(s, L.cpuIdStart[a]!, encodeValue(cpu));
    this.set(s, L.cpuId[a]!, encodeValue(cpu));
    this.set(s, L.kIdCpu[t]!, encodeCachedCpu(cpu));
    if (this.trackMmCid) this.set(s, L.areaMmCid[a]!, this.get(s, L.mmCid[t]!));
    this.set(s, L.roDirty[a]!, 0);
    this.sink?.decide({ kind: 'ids-written', thread: t, area: a, cpu });
  }

  // ---- L619 / L71: switch events, UPDATE_USER_CS, exit work ------------------------------

  /** rseq_sched_switch_event(t) at switch-in (and from a membarrier IPI). */
  private schedSwitchEvent(s: Int32Array, t: number): void {
    const L = this.L;
    if (this.area(s, t) < 0) return;
    if (this.v2) {
      // csCheckAfterSyscallSwitch: a switch out of a syscall also raises the event (what the
      // 6.19 rework dropped), so the c.s. of a thread that slept inside it is evaluated.
      const syscallSwitch = this.policy.csCheckAfterSyscallSwitch && this.get(s, L.entry[t]!) === Entry.Syscall;
      if (this.get(s, L.userIrq[t]!) === 0 && this.get(s, L.idsChanged[t]!) === 0 && !syscallSwitch) return;
    } else if (this.policy.eventTracking === 'legacyV1') {
      this.set(s, L.idsChanged[t]!, 1);
    }
    this.raiseSwitchEvent(s, t);
  }

  /** Raises the switch event and TIF_RSEQ: the exit work will look at t's area. */
  private raiseSwitchEvent(s: Int32Array, t: number): void {
    this.set(s, this.L.schedSwitch[t]!, 1);
    this.set(s, this.L.tifRseq[t]!, 1);
    this.sink?.decide({ kind: 'switch-event', thread: t });
  }

  /** rseq_update_user_cs (non-debug) or its debug variant. Returns false if it killed. */
  private updateUserCs(s: Int32Array, t: number, d: number, site: CheckSite): boolean {
    const L = this.L;
    const a = this.area(s, t);
    const f = this.topFrame(s, t);
    const ip = this.get(s, L.ip[f]!);
    const debug = this.policy.csValidation === 'debug-full';
    const cs = this.desc(d);
    if (this.policy.csValidation === 'full-always' && !this.validateFull(s, t, d)) return false;
    if (debug) {
      if (cs.version !== 0 || cs.flags !== 0) {
        this.kill(s, t, cs.version !== 0 ? KillReason.badVersion : KillReason.csFlagsDebug);
        return false;
      }
    }
    if (!this.inRange(d, this.programOf(s, t, this.level(s, t)), ip)) {
      this.lazyClear(s, t, a, d, site);
      return true;
    }
    if (debug) {
      if (cs.abort >= cs.start && cs.abort < cs.postCommit) {
        this.kill(s, t, KillReason.abortInCs);
        return false;
      }
      // "!user_irq counts as fatal inside the c.s.": a c.s. found at syscall exit.
      if (this.get(s, L.userIrq[t]!) === 0) {
        this.kill(s, t, KillReason.syscallInCs);
        return false;
      }
    }
    if (cs.signature !== this.ir.signature) {
      this.kill(s, t, KillReason.badSignature);
      return false;
    }
    // L619 checks nothing else: an abort_ip inside the range moves ip into the c.s.
    this.abort(s, t, a, f, d, site, 0);
    return true;
  }

  /** rseq_exit_to_user_mode_restart: the L619 work at the very end of the exit loop. */
  private reworkExitWork(s: Int32Array, t: number): void {
    const L = this.L;
    if (this.get(s, L.tifRseq[t]!) === 1 && this.get(s, L.schedSwitch[t]!) === 1 && this.area(s, t) >= 0) {
      const a = this.area(s, t);
      const debug = this.policy.csValidation === 'debug-full';
      const d = this.get(s, L.rseqCs[a]!);
      if (this.get(s, L.idsChanged[t]!) === 0) {
        // L619 writes IDs only when they changed; everyHandlerRun rewrites them on every switch.
        if (this.policy.idUpdate === 'everyHandlerRun') this.updateIds(s, t, true);
        const skip = this.policy.genericIrqEntry && !debug && this.get(s, L.userIrq[t]!) === 0 && !this.policy.csCheckAfterSyscallSwitch;
        if (d !== 0 && !this.killed(s) && !skip) this.updateUserCs(s, t, d, 'exit-work');
      } else {
        this.updateIds(s, t, true);
        const skip = this.policy.genericIrqEntry && !debug && this.get(s, L.userIrq[t]!) === 0 && !this.policy.csCheckAfterSyscallSwitch;
        if (!this.killed(s) && !skip && d !== 0) this.updateUserCs(s, t, d, 'exit-work');
      }
    }
    this.set(s, L.tifRseq[t]!, 0);
    this.set(s, L.schedSwitch[t]!, 0);
    this.set(s, L.idsChanged[t]!, 0);
    this.set(s, L.userIrq[t]!, 0);
  }

  // ---- signals -----------------------------------------------------------------------------

  /** Whether t can take a pending signal now (handlers block their own signal unless nested; a SIGSEGV handler's frame does not count). */
  canDeliver(s: Int32Array, t: number): boolean {
    const segv = this.L.segvFrame.length > 0 && this.get(s, this.L.segvFrame[t]!) !== 0 ? 1 : 0;
    return this.ir.threads[t]!.handler >= 0 && this.level(s, t) - segv < this.ir.signalNesting;
  }

  /** handle_signal: restart rewinding, rseq_signal_deliver, then the handler frame. */
  private deliverSignal(s: Int32Array, t: number): void {
    const L = this.L;
    this.set(s, L.sigPending[t]!, 0);
    const rewind = this.get(s, L.restart[t]!) === 1;
    this.set(s, L.restart[t]!, 0);
    const f = this.topFrame(s, t);
    if (rewind && this.policy.restartRewindOrder === 'before-fixup') this.set(s, L.ip[f]!, this.get(s, L.ip[f]!) - 1);
    this.noteEvent(s, t, 'signal');
    this.rseqSignalDeliver(s, t);
    if (this.killed(s)) return;
    if (rewind && this.policy.restartRewindOrder === 'after-fixup') this.set(s, L.ip[f]!, this.get(s, L.ip[f]!) - 1);
    this.pushFrame(s, t);
  }

  /** setup_rt_frame: the frame saves the (fixed-up) ip; the handler starts with fresh registers. Returns its level. */
  private pushFrame(s: Int32Array, t: number): number {
    const L = this.L;
    const f = this.topFrame(s, t);
    const l = this.level(s, t) + 1;
    this.set(s, L.level[t]!, l);
    this.sink?.decide({ kind: 'signal-delivered', thread: t, level: l, savedIp: this.get(s, L.ip[f]!) });
    const nf = L.frame(t, l);
    this.set(s, L.ip[nf]!, 0);
    for (let r = 0; r < L.registers; r++) this.set(s, L.regs[nf * L.registers + r]!, encodeValue(0));
    this.set(s, L.armed[nf]!, 0);
    this.set(s, L.dirty[nf]!, 0);
    this.set(s, L.evSince[nf]!, 0);
    return l;
  }

  /**
   * get_signal dequeues the SIGSEGV a caught fault queued (synchronous signals first) and
   * handle_signal delivers it: rseq_signal_deliver runs the fixup over the same rseq_cs, then
   * the frame is set up whatever it found. A fault there makes the SIGSEGV fatal (kept pending
   * and blocked while the handler runs, signal-faults.ts); none (the fixup cleared rseq_cs)
   * leaves an ordinary caught signal. The interrupted frame keeps its IP: no fixup happened.
   */
  private deliverForcedSegv(s: Int32Array, t: number): void {
    const L = this.L;
    if (L.segvFrame.length === 0 || this.get(s, L.segvFatal[t]!) === 0 || this.get(s, L.segvFrame[t]!) !== 0) return;
    const reason = this.get(s, L.segvFatal[t]!) as KillReasonCode;
    this.noteEvent(s, t, 'signal');
    this.segvFaulted = false;
    this.rseqSignalDeliver(s, t);
    if (this.killed(s)) return;
    const fatal = this.segvFaulted;
    if (!fatal) {
      this.set(s, L.segvFatal[t]!, 0);
      this.set(s, L.segvUnjustified[t]!, 0);
    }
    this.sink?.decide({ kind: 'sigsegv-handler', thread: t, reason, fatal });
    this.set(s, L.segvFrame[t]!, this.pushFrame(s, t));
  }

  private rseqSignalDeliver(s: Int32Array, t: number): void {
    const L = this.L;
    if (!this.policy.abortOnSignal) return;
    if (!this.rework) {
      this.recordEvent(s, t, EV_SIGNAL, 'signal');
      this.handleNotifyResume(s, t, 'signal-delivery');
      return;
    }
    if (this.area(s, t) < 0) return;
    if (this.v2 && this.get(s, L.userIrq[t]!) === 0) return;
    const a = this.area(s, t);
    const d = this.get(s, L.rseqCs[a]!);
    if (d !== 0) this.updateUserCs(s, t, d, 'signal-delivery');
    if (this.policy.eventTracking === 'legacyV1' && !this.killed(s)) {
      // rseq_force_update: IDs are rewritten at exit.
      this.set(s, L.idsChanged[t]!, 1);
      this.raiseSwitchEvent(s, t);
    }
  }

  /** rt_sigreturn's effect: pop the frame, restoring the interrupted context. */
  popFrame(s: Int32Array, t: number): void {
    const L = this.L;
    const l = this.level(s, t);
    const f = L.frame(t, l);
    this.set(s, L.ip[f]!, 0);
    for (let r = 0; r < L.registers; r++) this.set(s, L.regs[f * L.registers + r]!, encodeValue(0));
    this.set(s, L.armed[f]!, 0);
    this.set(s, L.dirty[f]!, 0);
    this.set(s, L.evSince[f]!, 0);
    this.set(s, L.level[t]!, l - 1);
    this.sink?.decide({ kind: 'sigreturn', thread: t, level: l - 1 });
    if (L.segvFrame.length > 0 && this.get(s, L.segvFrame[t]!) === l) this.segvHandlerReturned(s, t);
  }

  /** rt_sigreturn of the SIGSEGV handler restores the mask: a fatal SIGSEGV pending kills now. */
  private segvHandlerReturned(s: Int32Array, t: number): void {
    const L = this.L;
    const reason = this.get(s, L.segvFatal[t]!) as KillReasonCode;
    const unjustified = this.get(s, L.segvUnjustified[t]!) === 1;
    this.set(s, L.segvFrame[t]!, 0);
    this.set(s, L.segvFatal[t]!, 0);
    this.set(s, L.segvUnjustified[t]!, 0);
    if (reason !== KillReason.none) this.die(s, t, reason, unjustified, true);
  }

  // ---- the exit-to-user path ---------------------------------------------------------------

  /**
   * Returns t to user mode: syscall-exit work (when it re-enters from a syscall), then the
   * exit loop (signals and notify-resume in the policy's order; L619 rseq work last).
   */
  returnToUser(s: Int32Array, t: number): void {
    if (this.sink === undefined) return this.exitToUser(s, t);
    const leftAt = this.topFrame(s, t);
    const leftIp = this.get(s, this.L.ip[leftAt]!);
    this.exitToUser(s, t);
    if (this.work.kind(s, t) === WorkKind.none) this.reportNoAbort(s, t, leftAt, leftIp);
  }

  /**
   * Reports that t's IP is still where it left user mode (frame f at ip), inside the c.s. it
   * armed: nothing aborted it (whether it resumes there or the process was killed instead).
   */
  private reportNoAbort(s: Int32Array, t: number, f: number, ip: number): void {
    const L = this.L;
    if (this.topFrame(s, t) !== f || this.get(s, L.ip[f]!) !== ip || this.area(s, t) < 0) return;
    const d = this.get(s, L.armed[f]!);
    if (this.inRange(d, this.programOf(s, t, this.level(s, t)), ip)) this.sink?.decide({ kind: 'not-aborted', thread: t, desc: d });
  }

  private exitToUser(s: Int32Array, t: number): void {
    const L = this.L;
    const fromSyscall = this.get(s, L.entry[t]!) === Entry.Syscall;
    this.set(s, L.status[t]!, Status.Running);
    this.set(s, L.entry[t]!, Entry.Irq);
    if (fromSyscall) this.syscallExitChecks(s, t);
    if (this.killed(s)) return;
    if (!this.rework) {
      const signalFirst = this.policy.signalVsNotifyOrder === 'signal-first';
      if (signalFirst && this.get(s, L.sigPending[t]!) === 1 && this.canDeliver(s, t)) this.deliverSignal(s, t);
      return this.exitFromNotify(s, t, fromSyscall);
    }
    if (this.get(s, L.sigPending[t]!) === 1 && this.canDeliver(s, t)) this.deliverSignal(s, t);
    this.set(s, L.tifNotify[t]!, 0);
    if (!this.killed(s)) this.reworkExitWork(s, t);
    this.clearEventsAtExit(s, t);
    if (fromSyscall) this.finishSyscall(s, t);
  }

  /** The 4.18-6.18 exit loop from notify-resume on; it stops where an IPI may land (kernel-work.ts). */
  exitFromNotify(s: Int32Array, t: number, fromSyscall: boolean): void {
    const L = this.L;
    if (!this.killed(s) && this.get(s, L.tifNotify[t]!) === 1) {
      this.set(s, L.tifNotify[t]!, 0);
      this.handleNotifyResume(s, t, 'notify-resume');
      if (this.work.kind(s, t) !== WorkKind.none) return fromSyscall ? this.work.markFromSyscall(s, t) : undefined;
    }
    if (this.policy.signalVsNotifyOrder === 'notify-first' && !this.killed(s)) {
      // A SIGSEGV notify-resume forced is dequeued before the pending signal (synchronous first).
      this.deliverForcedSegv(s, t);
      if (!this.killed(s) && this.get(s, L.sigPending[t]!) === 1 && this.canDeliver(s, t)) this.deliverSignal(s, t);
    }
    // The exit loop goes round again for a SIGSEGV forced on this pass.
    if (!this.killed(s)) this.deliverForcedSegv(s, t);
    this.clearEventsAtExit(s, t);
    if (fromSyscall) this.finishSyscall(s, t);
  }

  /** G3: the thread is back in user space after a syscall the policy promised to catch. */
  private finishSyscall(s: Int32Array, t: number): void {
    const L = this.L;
    if (this.ghosts.g3 && !this.killed(s) && this.get(s, L.sysInCs[t]!) === 1 && this.get(s, L.sysPromised[t]!) === 1) this.violate(s, Code.G3);
    this.set(s, L.sysInCs[t]!, 0);
    this.set(s, L.sysPromised[t]!, 0);
    this.set(s, L.sysExitCheck[t]!, 0);
  }

  /** The exit check of the syscall in progress, now (before a tracer's syscall-exit stop); it does not run again at its exit. */
  syscallExitCheckNow(s: Int32Array, t: number): void {
    this.syscallExitChecks(s, t);
    this.set(s, this.L.sysExitCheck[t]!, 0);
  }

  /** The policy's check at syscall exit (c', d with exit check, L619 debug), with ip_x. */
  private syscallExitChecks(s: Int32Array, t: number): void {
    const L = this.L;
    if (this.get(s, L.sysExitCheck[t]!) === 0) return;
    const a = this.area(s, t);
    if (a < 0) return;
    const d = this.get(s, L.rseqCs[a]!);
    if (d === 0) return;
    if (!this.validateFull(s, t, d)) return;
    const f = this.topFrame(s, t);
    if (this.inRange(d, this.programOf(s, t, this.level(s, t)), this.get(s, L.ip[f]!))) this.kill(s, t, KillReason.syscallInCs);
    else if (this.policy.csValidation === 'debug-full') this.lazyClear(s, t, a, d, 'syscall-exit');
  }

  /**
   * Syscall entry with the instruction at `insIp` of the top frame: ghosts for G2/G3, then the
   * policy's entry check (b, c, d). ip_e is the address after the syscall instruction.
   */
  syscallEntry(s: Int32Array, t: number, insIp: number, name: string): void {
    const L = this.L;
    const p = this.policy;
    const lvl = this.level(s, t);
    const f = L.frame(t, lvl);
    const prog = this.programOf(s, t, lvl);
    const inCs = this.inRange(this.get(s, L.armed[f]!), prog, insIp);
    this.sink?.decide({ kind: 'syscall-entry', thread: t, name, inCs });
    const inSet = p.syscallSet.includes(name);
    const promised = p.syscallPolicy === 'b' || p.syscallPolicy === 'c' || p.syscallPolicy === "c'" || (p.syscallPolicy === 'd' && inSet);
    this.set(s, L.sysInCs[t]!, inCs ? 1 : 0);
    this.set(s, L.sysPromised[t]!, promised ? 1 : 0);
    const exitCheck = p.syscallPolicy === "c'" || (p.syscallPolicy === 'd' && inSet && p.syscallSetCheck === 'exit') || p.csValidation === 'debug-full';
    this.set(s, L.sysExitCheck[t]!, exitCheck ? 1 : 0);
    const a = this.area(s, t);
    if (a < 0) return;
    const d = this.get(s, L.rseqCs[a]!);
    if (p.syscallPolicy === 'b') {
      if (d !== 0) this.kill(s, t, KillReason.syscallRseqCsSet);
      return;
    }
    const entryIpCheck = p.syscallPolicy === 'c' || (p.syscallPolicy === 'd' && inSet && p.syscallSetCheck === 'entry');
    if (entryIpCheck && d !== 0 && this.validateFull(s, t, d) && this.inRange(d, prog, insIp + 1)) this.kill(s, t, KillReason.syscallInCs);
  }

  // ---- scheduling events --------------------------------------------------------------------

  /** Context switch in of a ready thread on its CPU, then its return to user space. */
  switchIn(s: Int32Array, t: number, mmCid: number): void {
    const L = this.L;
    if (this.trackMmCid && this.get(s, L.mmCid[t]!) !== mmCid) {
      this.set(s, L.mmCid[t]!, mmCid);
      if (this.rework) this.set(s, L.idsChanged[t]!, 1);
    }
    if (this.trackMmCid) this.sink?.decide({ kind: 'mm-cid-taken', thread: t, cid: mmCid, heldBy: mmCidHolder(this, s, t, mmCid), at: 'switch-in' });
    leaveSyscallStop(this, s, t);
    if (this.rework) this.schedSwitchEvent(s, t);
    if (inKvmRun(this, s, t)) enterGuest(this, s, t);
    this.returnToUser(s, t);
  }

  /** An interrupt taken in user mode; `taskWork` raises TIF_NOTIFY_RESUME for an unrelated user. */
  interrupt(s: Int32Array, t: number, taskWork: boolean): void {
    const L = this.L;
    if (this.rework && this.policy.archSetsUserIrq) this.set(s, L.userIrq[t]!, 1);
    if (taskWork) this.set(s, L.tifNotify[t]!, 1);
    this.returnToUser(s, t);
  }

  /** ipi_rseq on the CPU where t runs (t in user mode), then t's return from the interrupt. */
  membarrierIpi(s: Int32Array, t: number, inKernel: boolean): void {
    const L = this.L;
    const work = this.work.kind(s, t);
    if (work === WorkKind.unregistering) return this.work.setKind(s, t, WorkKind.unregisterRaised);
    inKernel ||= work !== WorkKind.none;
    this.noteEvent(s, t, 'membarrier');
    if (this.policy.abortOnMembarrier) {
      if (!inKernel && this.rework && this.policy.archSetsUserIrq) this.set(s, L.userIrq[t]!, 1);
      if (!this.rework) {
        this.recordEvent(s, t, EV_PREEMPT, 'membarrier');
        if (this.area(s, t) >= 0) this.set(s, L.tifNotify[t]!, 1);
      } else if (this.policy.eventTracking === 'legacyV1') {
        if (this.area(s, t) >= 0) {
          this.set(s, L.idsChanged[t]!, 1);
          this.raiseSwitchEvent(s, t);
        }
      } else this.schedSwitchEvent(s, t);
    }
    if (!inKernel) this.returnToUser(s, t);
  }

  /** sys_rseq registration of t's own area (errors: returns false). */
  register(s: Int32Array, t: number): boolean {
    const L = this.L;
    if (this.area(s, t) >= 0) return false; // -EBUSY / -EINVAL
    this.setArea(s, t, t);
    if (this.policy.registrationClearsRseqCs) this.set(s, L.rseqCs[t]!, 0);
    if (this.rework) {
      this.set(s, L.idsChanged[t]!, 1);
      this.set(s, L.schedSwitch[t]!, 1);
      this.set(s, L.tifRseq[t]!, 1);
    } else this.set(s, L.tifNotify[t]!, 1);
    return true;
  }

  /** sys_rseq(RSEQ_FLAG_UNREGISTER) of t's own area. */
  unregister(s: Int32Array, t: number): boolean {
    const L = this.L;
    if (this.area(s, t) !== t) return false;
    this.set(s, L.cpuIdStart[t]!, encodeValue(this.policy.unregisterResetsCpuIdStart === '-1' ? RSEQ_CPU_ID_UNINITIALIZED : 0));
    this.set(s, L.cpuId[t]!, encodeValue(RSEQ_CPU_ID_UNINITIALIZED));
    this.set(s, L.areaMmCid[t]!, 0);
    this.setArea(s, t, -1);
    this.sink?.decide({ kind: 'ids-written', thread: t, area: t, cpu: -1 });
    // rseq_reset: has_rseq is cleared last, an IPI may come first (kernel-work.ts).
    if (this.work.unregisterRace) {
      this.work.begin(s, t, WorkKind.unregistering, true);
      this.sink?.decide({ kind: 'kernel-work', thread: t, work: 'unregister', phase: 'paused', mask: 0, lost: 0 });
    }
    return true;
  }
}
