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
import { SegvDelivery, sigsegvLoops } from './signal-faults.js';
import { KernelWork, WorkKind } from './kernel-work.js';
import { handleNotifyResume } from './notify-resume.js';
import { leaveSyscallStop } from './ptrace.js';
import { raiseSwitchEvent, reworkExitWork, rseqSignalDeliverRework, schedSwitchEvent } from './rework.js';
import { finishSyscall, syscallExitChecks } from './syscall-checks.js';

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
 *
 * This class holds the state accessors, the kill, the ghosts, the signal frames and the
 * exit-to-user loop; the kernel paths it dispatches to live in their own files, each over the
 * narrow view of this class it needs (kernel-view.ts): notify-resume.ts (the 4.18-6.18
 * handler), rework.ts (6.19+), syscall-checks.ts, signal-faults.ts (a caught SIGSEGV),
 * kernel-work.ts and ipi-races.ts (kernel work an IPI lands inside), ptrace.ts, exec.ts, kvm.ts.
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
  /**
   * Whether interrupt and exception entry from user mode sets user_irq: rseq_note_user_irq_entry
   * is called from irqentry_enter_from_user_mode, generic entry code, so an arch without
   * GENERIC_IRQ_ENTRY never sets it (rseq-semantics.md §2.6), nor one whose entry code skips the
   * call (archSetsUserIrq false: arm64 before its fix).
   */
  private readonly setsUserIrq: boolean;
  /** Kernel work an IPI may land inside (none unless the policy leaves a race open). */
  readonly work: KernelWork;
  /** The SIGSEGV a fault queues for a thread whose handler catches it (signal-faults.ts). */
  readonly segv: SegvDelivery;

  constructor(
    readonly ir: ModelIR,
    readonly policy: Policy,
    readonly L: RseqLayout,
    readonly ghosts: GhostNeeds,
    readonly trackMmCid: boolean,
  ) {
    this.b = L.bits;
    this.rework = isReworkFamily(policy);
    this.setsUserIrq = this.rework && policy.genericIrqEntry && policy.archSetsUserIrq;
    this.work = new KernelWork(ir, policy, L.bits, L.kernelWork);
    this.segv = new SegvDelivery(this);
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
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, a missing segvFrame field reads 0, never a level >= 1; with the field, length > 0 holds anyway
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
    // Stryker disable next-line ConditionalExpression: equivalent when true, for a = -1 a + 1 is 0 as in the else branch
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
    if (this.segv.catching && this.segv.catchFault(s, t, reason)) return;
    if (sigsegvLoops(this, t, reason)) {
      reason = KillReason.sigsegvLoop;
      this.violate(s, Code.deliveryTerminates);
    }
    this.die(s, t, reason, this.ghosts.g2 && !this.killJustified(s, t, reason), false);
  }

  /** The process dies for `reason` (`atSigreturn`: the fatal SIGSEGV rt_sigreturn unblocked). */
  die(s: Int32Array, t: number, reason: KillReasonCode, unjustified: boolean, atSigreturn: boolean): void {
    const L = this.L;
    this.set(s, L.killed, 1);
    this.set(s, L.killReason, reason);
    this.set(s, L.killThread, t);
    this.sink?.decide({ kind: 'kill', thread: t, reason, ...(atSigreturn ? { atSigreturn } : {}) });
    if (unjustified) this.violate(s, Code.G2);
  }

  /** Whether a kill is backed by an ABI violation of the thread (rseq(2), §1.5). */
  killJustified(s: Int32Array, t: number, reason: number): boolean {
    if (reason === KillReason.syscallRseqCsSet || reason === KillReason.syscallInCs) return this.get(s, this.L.sysInCs[t]!) === 1;
    if (reason === KillReason.unregisterRace) return false;
    // A descriptor an earlier user of the memory left is no fault of this thread (issue #16).
    const a = this.area(s, t);
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: equivalent, a missing staleCs field or staleCs[-1] reads 0, never 1; a kill over a descriptor validated rseqCs[area] != 0 just before
    const stale = this.L.staleCs.length > 0 && a >= 0 && this.get(s, this.L.staleCs[a]!) === 1 && this.get(s, this.L.rseqCs[a]!) !== 0;
    return !(stale && descriptorKills.includes(reason));
  }

  // ---- ghost bookkeeping, and the kernel's writes to struct rseq ------------------------------

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
      // Stryker disable next-line ConditionalExpression: equivalent when false, inRange(0, ...) is false
      if (d === 0 || !this.inRange(d, this.programOf(s, t, l), this.get(s, L.ip[f]!))) continue;
      // NO_RESTART flags exempt an event only where the kernel honours them (L418-L5x); where it
      // ignores them (L619) the c.s. must still restart, where it kills (L60) nothing commits.
      const flags = this.policy.noRestartFlags === 'honoured' ? this.desc(d).flags | this.userFlags(t) : 0;
      const exempt = flags & exemptBit[kind];
      // A migration is exempt only when both PREEMPT and MIGRATE are (the switch comes first).
      // Stryker disable next-line ConditionalExpression: equivalent when true, an event whose exempt bit is 0 has exempt = flags & 0 = 0
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
    // This attempt is over. The frame still armed d: a handler jumping back into the range without
    // rseq_arm starts another attempt, unprotected (rseq_cs is 0 now), which G1 judges afresh.
    this.set(s, L.dirty[f]!, 0);
    this.set(s, L.evSince[f]!, 0);
    this.sink?.decide({ kind: 'abort', thread: t, area: a, desc: d, level: f % L.levels, fromIp: this.get(s, L.ip[f]!), abortIp, site, events });
    this.set(s, L.ip[f]!, abortIp);
  }

  /** rseq_cs of area a cleared with t's IP outside the range of descriptor d. */
  lazyClear(s: Int32Array, t: number, a: number, d: number, site: CheckSite | 'syscall-exit'): void {
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

  // ---- events recorded at switch-out and migration; the checks the paths share ---------------

  /** rseq_preempt(prev) at switch-out (L418-L63); L619 records nothing at switch-out. */
  switchOut(s: Int32Array, t: number, kind: EventClass, fromUser: boolean): void {
    const L = this.L;
    const abortable = this.abortEnabled(kind);
    if (this.rework) {
      // user_irq was set by the interrupt or exception that led to this switch.
      if (fromUser && abortable && this.setsUserIrq) this.set(s, L.userIrq[t]!, 1);
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
      // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, abortEnabled is called only by switchOut, whose callers pass preempt, migrate, trap or ptrace: this case is never taken
      case 'signal':
        return p.abortOnSignal;
      // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, abortEnabled is called only by switchOut, whose callers pass preempt, migrate, trap or ptrace: this case is never taken
      case 'membarrier':
        return p.abortOnMembarrier;
      case 'trap':
        return p.abortOnTrap;
      // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, abortEnabled is called only by switchOut, whose callers pass preempt, migrate, trap or ptrace: this case is never taken
      case 'fork':
        // Stryker disable next-line BooleanLiteral: equivalent, never reached (see the fork case above)
        return true;
      case 'ptrace':
        return p.abortOnPreempt;
    }
  }

  /** rseq_get_rseq_cs checks (L418-L63, and L619 debug). Returns false if it killed. */
  validateFull(s: Int32Array, t: number, d: number): boolean {
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
    // Stryker disable next-line ConditionalExpression: equivalent when true, without mm_cid tracking mmCid and areaMmCid are 0 everywhere
    if (this.trackMmCid) this.set(s, L.areaMmCid[a]!, this.get(s, L.mmCid[t]!));
    this.set(s, L.roDirty[a]!, 0);
    this.sink?.decide({ kind: 'ids-written', thread: t, area: a, cpu });
  }

  // ---- signals -----------------------------------------------------------------------------

  /** Whether t can take a pending signal now (handlers block their own signal unless nested; a SIGSEGV handler's frame does not count). */
  canDeliver(s: Int32Array, t: number): boolean {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, a missing segvFrame field reads 0; with the field, length > 0 holds anyway
    const segv = this.L.segvFrame.length > 0 && this.get(s, this.L.segvFrame[t]!) !== 0 ? 1 : 0;
    // Stryker disable next-line ConditionalExpression: equivalent when true, every caller has a pending signal, which needs a handler (validated: raise, signal labels), so handler >= 0 holds
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
  pushFrame(s: Int32Array, t: number): number {
    const L = this.L;
    const f = this.topFrame(s, t);
    const l = this.level(s, t) + 1;
    this.set(s, L.level[t]!, l);
    this.sink?.decide({ kind: 'signal-delivered', thread: t, level: l, savedIp: this.get(s, L.ip[f]!) });
    const nf = L.frame(t, l);
    this.set(s, L.ip[nf]!, 0);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent (a loop of no iteration), the new frame was above the top, and canonical.ts clears every frame above the top after each step: its registers are already 0
    for (let r = 0; r < L.registers; r++) this.set(s, L.regs[nf * L.registers + r]!, encodeValue(0));
    this.set(s, L.armed[nf]!, 0);
    this.set(s, L.dirty[nf]!, 0);
    this.set(s, L.evSince[nf]!, 0);
    return l;
  }

  /** rseq_signal_deliver: the signal event, then the fixup (4.18-6.18) or UPDATE_USER_CS (6.19+). */
  rseqSignalDeliver(s: Int32Array, t: number): void {
    if (!this.policy.abortOnSignal) return;
    if (this.rework) return rseqSignalDeliverRework(this, s, t);
    this.recordEvent(s, t, EV_SIGNAL, 'signal');
    handleNotifyResume(this, s, t, 'signal-delivery');
  }

  /** rt_sigreturn's effect: pop the frame, restoring the interrupted context. */
  popFrame(s: Int32Array, t: number): void {
    const L = this.L;
    const l = this.level(s, t);
    const f = L.frame(t, l);
    this.set(s, L.ip[f]!, 0);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent (a loop of no iteration), the popped frame is above the top once this step ends, and canonical.ts clears every such frame's registers
    for (let r = 0; r < L.registers; r++) this.set(s, L.regs[f * L.registers + r]!, encodeValue(0));
    this.set(s, L.armed[f]!, 0);
    this.set(s, L.dirty[f]!, 0);
    this.set(s, L.evSince[f]!, 0);
    this.set(s, L.level[t]!, l - 1);
    this.sink?.decide({ kind: 'sigreturn', thread: t, level: l - 1 });
    this.segv.afterSigreturn(s, t, l);
  }

  // ---- the exit-to-user path ---------------------------------------------------------------

  /**
   * Returns t to user mode: syscall-exit work (when it re-enters from a syscall), then the
   * exit loop (signals and notify-resume in the policy's order; L619 rseq work last).
   */
  returnToUser(s: Int32Array, t: number): void {
    // Stryker disable next-line ConditionalExpression: equivalent when false, without a sink the other path only reads state and decides nothing
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
    // Stryker disable next-line OptionalChaining: equivalent, reportNoAbort runs only from returnToUser with a sink installed
    if (this.inRange(d, this.programOf(s, t, this.level(s, t)), ip)) this.sink?.decide({ kind: 'not-aborted', thread: t, desc: d });
  }

  private exitToUser(s: Int32Array, t: number): void {
    const L = this.L;
    const fromSyscall = this.get(s, L.entry[t]!) === Entry.Syscall;
    this.set(s, L.status[t]!, Status.Running);
    this.set(s, L.entry[t]!, Entry.Irq);
    // Stryker disable next-line ConditionalExpression: equivalent when true, syscallExitChecks returns at once when sysExitCheck is 0, which it is on an exit not from a syscall
    if (fromSyscall) syscallExitChecks(this, s, t);
    if (this.killed(s)) return;
    if (!this.rework) {
      const signalFirst = this.policy.signalVsNotifyOrder === 'signal-first';
      if (signalFirst && this.get(s, L.sigPending[t]!) === 1 && this.canDeliver(s, t)) this.deliverSignal(s, t);
      return this.exitFromNotify(s, t, fromSyscall);
    }
    if (this.get(s, L.sigPending[t]!) === 1 && this.canDeliver(s, t)) this.deliverSignal(s, t);
    this.set(s, L.tifNotify[t]!, 0);
    if (!this.killed(s)) reworkExitWork(this, s, t);
    this.clearEventsAtExit(s, t);
    // Stryker disable next-line ConditionalExpression: equivalent when true, the syscall ghosts are 0 on an exit not from a syscall (see exitFromNotify)
    if (fromSyscall) finishSyscall(this, s, t);
  }

  /** The 4.18-6.18 exit loop from notify-resume on; it stops where an IPI may land (kernel-work.ts). */
  exitFromNotify(s: Int32Array, t: number, fromSyscall: boolean): void {
    const L = this.L;
    if (!this.killed(s) && this.get(s, L.tifNotify[t]!) === 1) {
      this.set(s, L.tifNotify[t]!, 0);
      handleNotifyResume(this, s, t, 'notify-resume');
      if (this.work.kind(s, t) !== WorkKind.none) return fromSyscall ? this.work.markFromSyscall(s, t) : undefined;
    }
    // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, under signal-first the pending signal was delivered before notify-resume and deliverForced below does the same; a killed process is checked again inside
    if (this.policy.signalVsNotifyOrder === 'notify-first' && !this.killed(s)) {
      // A SIGSEGV notify-resume forced is dequeued before the pending signal (synchronous first).
      this.segv.deliverForced(s, t);
      if (!this.killed(s) && this.get(s, L.sigPending[t]!) === 1 && this.canDeliver(s, t)) this.deliverSignal(s, t);
    }
    // The exit loop goes round again for a SIGSEGV forced on this pass. Equivalent mutant (it
    // survives, argued here): the test made `true`. A kill reaching this line was not caught, so
    // either t has no catching SIGSEGV handler (segvFatal is never set) or that handler is running
    // (segvFrame is set), and deliverForced returns at once either way. Kills outside a fixup
    // window (syscall-exit checks, KVM entry) return before this function.
    if (!this.killed(s)) this.segv.deliverForced(s, t);
    this.clearEventsAtExit(s, t);
    // Stryker disable next-line ConditionalExpression: equivalent when true, the syscall ghosts finishSyscall clears are 0 on an exit not from a syscall (only syscallEntry sets them, entry becomes Syscall at once, and every syscall's exit ends here or in exitToUser)
    if (fromSyscall) finishSyscall(this, s, t);
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
    if (this.rework) schedSwitchEvent(this, s, t);
    if (inKvmRun(this, s, t)) enterGuest(this, s, t);
    this.returnToUser(s, t);
  }

  /** An interrupt taken in user mode; `taskWork` raises TIF_NOTIFY_RESUME for an unrelated user. */
  interrupt(s: Int32Array, t: number, taskWork: boolean): void {
    const L = this.L;
    if (this.setsUserIrq) this.set(s, L.userIrq[t]!, 1);
    if (taskWork) this.set(s, L.tifNotify[t]!, 1);
    this.returnToUser(s, t);
  }

  /** ipi_rseq on the CPU where t runs (t in user mode), then t's return from the interrupt. */
  membarrierIpi(s: Int32Array, t: number, inKernel: boolean): void {
    const L = this.L;
    const work = this.work.kind(s, t);
    if (work === WorkKind.unregistering) return this.work.setKind(s, t, WorkKind.unregisterRaised);
    inKernel ||= work !== WorkKind.none;
    // Stryker disable next-line StringLiteral: equivalent, membarrier's exempt bit is 0, and so is exemptBit[''] & flags (undefined): no flag exempts either
    this.noteEvent(s, t, 'membarrier');
    if (this.policy.abortOnMembarrier) {
      if (!inKernel && this.setsUserIrq) this.set(s, L.userIrq[t]!, 1);
      if (!this.rework) {
        this.recordEvent(s, t, EV_PREEMPT, 'membarrier');
        if (this.area(s, t) >= 0) this.set(s, L.tifNotify[t]!, 1);
      } else if (
        // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, with the legacy branch skipped schedSwitchEvent does the same under legacyV1 (area check, ids_changed, raise)
        this.policy.eventTracking === 'legacyV1'
      ) {
        if (this.area(s, t) >= 0) {
          this.set(s, L.idsChanged[t]!, 1);
          raiseSwitchEvent(this, s, t);
        }
      } else schedSwitchEvent(this, s, t);
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
